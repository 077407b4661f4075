/**
 * `npm run bench`: the benchmarks behind the speed targets, run against real sshd servers through the bundled
 * action (dist/index.js). Options: `--runs N` (default 5), `--only fleet|fleet50|transfer|startup|scale|config` (fleet50: the fleet at 50 ms RTT only), `--against PATH`,
 * `--node current|MAJOR|PATH` (default: the Node action.yml runs the action under; see bench/runtime.ts).
 *
 * Transfer (issue 5): a 6,000-file, 40 MB app over a latency proxy at 0 and 50 ms RTT, against the floor
 * (`tar -czf - . | ssh host 'tar -xzf -'` plus a switch): full deploy, one-file change, redeploy; SSH exec
 * requests and bytes sent per deploy. Start-up: loading dist/index.js to its first log line. `--against PATH` (another
 * build's dist/index.js, e.g. from `git worktree add`) adds its one-file change, taking turns with ours in every
 * run, so a change can be measured against the build before it on this noisy machine; in the fleet bench it deploys
 * in turn with ours at 50 ms RTT, to 1 and to 10 hosts.
 *
 * Fleet (issue 4): a deploy to 1 and to 10 hosts, each a real sshd in its own network namespace, logging in as a
 * plain deploy user. Beside it, two floors through the same proxies: OpenSSH's `ssh host true`, and the least an
 * all-or-nothing deploy does (lock, unpack, switch, unlock, with the two waits that keep a fleet from running mixed
 * versions) over this action's own SSH transport; and the CPU each run used, the runner's and each host's. The
 * old target (10 hosts ≤ 1.5 × 1 host; informational now: the simulated hosts share the runner's two cores, the
 * scale section's bar replaces it) is shown on a small app at 50 ms RTT; 100 ms is shown beside it. At 0 ms RTT,
 * and with a 1,500-file app, the figures are informational: the ten simulated hosts share this machine's cores, so
 * their own work (sshd, bash, unpacking, cleanup) serialises here, where a real fleet does it on its own CPUs.
 *
 * Scale (issue 20, bench/scale.ts): one runner deploys to 1, 10, 50 and 100 hosts (`--sizes 1,10,50,100`) at 50 ms
 * RTT; 3 counted runs per size unless `--runs` says otherwise, `--max-parallel N` sets the environment's
 * max_parallel (default: the action's, 10), `--shards N` (default 4; 0: none) adds the largest size staged by N
 * concurrent `stage` processes, then one `switch`; `--against PATH` deploys with that build too, taking turns. Beside
 * each size, the two-phase floor (above) over the same hosts, so the report says how much of the runner's CPU per
 * host any deploy over this transport costs (`--no-floor`: not run). Bar: the runner's CPU per extra host ≤ 10 ms,
 * its peak RSS ≤ 300 MB, the switch window at 100 hosts ≤ 1 s.
 *
 * Config (bench/config.ts, only with `--only config`): the runner's CPU to read a deploy.yml of 10 and of 100 host
 * lines (`--sizes`), each reading in a fresh process as the action's; medians of `--runs`, and the cost per host line.
 */
import { availableParallelism } from 'node:os';
import { configBench } from './config.js';
import { fleetBench } from './fleet.js';
import { scaleBench, scaleVerdicts } from './scale.js';
import { benchUnderActionNode } from './runtime.js';
import { median } from './stats.js';
import { linkName, startupTimes, transferBench } from './transfer.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
benchUnderActionNode(arg('--node'));
const runs = Number(arg('--runs') ?? 5);
const only = arg('--only');
const against = arg('--against');
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const lines: string[] = [];

if (!only || only === 'startup') {
  const t = median(await startupTimes(Math.max(runs, 5)));
  lines.push(
    `start-up: dist/index.js to its first log line: ${t.toFixed(0)} ms (target < 300 ms): ${verdict(t < 300)}`,
  );
}
if (!only || only === 'transfer') {
  // 0 and 50 ms RTT over loopback bandwidth (the targets), and 50 ms over a 100 Mbit/s uplink (informational).
  const results = await transferBench({
    runs,
    against,
    links: [{ rttMs: 0 }, { rttMs: 50 }, { rttMs: 50, upBytesPerSecond: 12_500_000 }],
  });
  for (const r of results) {
    const full = r.full.ms / r.baseline.ms;
    const one = r.oneFile.ms / r.full.ms;
    const bytesShare = r.oneFile.bytes / (40 * 1048576);
    lines.push(
      `transfer @${linkName(r)}${r.upBytesPerSecond ? ' (informational)' : ''}: full deploy ${full.toFixed(2)} × baseline (target ≤ 1.15): ${verdict(full <= 1.15)}; ` +
        `one-file change ${one.toFixed(2)} × full (target ≤ 0.35): ${verdict(one <= 0.35)}, ${(100 * bytesShare).toFixed(2)} % of the app's bytes (target < 1 %): ${verdict(bytesShare < 0.01)}; ` +
        `SSH exec requests per deploy: ${Math.max(r.full.execs, r.oneFile.execs, r.redeploy.execs)} (target ≤ 4): ${verdict(Math.max(r.full.execs, r.oneFile.execs, r.redeploy.execs) <= 4)}`,
    );
  }
}
// The fleet benches: a small app, 10 hosts against 1, beside the floors.
const smallApp = { files: 20, smallBytes: 80_000, assets: [] };
const ratio = (r: Awaited<ReturnType<typeof fleetBench>>) => r[1]!.medianMs / r[0]!.medianMs;
const floor = (r: Awaited<ReturnType<typeof fleetBench>>) =>
  `floor (ssh host true, OpenSSH) ${(r[1]!.floorMs / r[0]!.floorMs).toFixed(2)}; two-phase floor ${(r[1]!.twoPhaseMs / r[0]!.twoPhaseMs).toFixed(2)} (its 10 hosts ÷ our 1 host ${(r[1]!.twoPhaseMs / r[0]!.medianMs).toFixed(2)})` +
  (r[1]!.cpu.deploy.perHostMs !== undefined && r[1]!.cpu.twoPhase.perHostMs !== undefined
    ? `; CPU per host ${r[1]!.cpu.deploy.perHostMs.toFixed(0)} ms (the two-phase floor's: ${r[1]!.cpu.twoPhase.perHostMs.toFixed(0)} ms)`
    : '');
if (!only || only === 'fleet' || only === 'fleet50') {
  const atRtt = await fleetBench({ runs, shape: smallApp, rttMs: 50, ...(against ? { against } : {}) });
  lines.push(
    `fleet, small app @50 ms RTT: 10 hosts / 1 host = ${ratio(atRtt).toFixed(2)} (informational: the fleet's bar is the scale section's); ${floor(atRtt)}`,
  );
}
if (!only || only === 'fleet') {
  const far = await fleetBench({ runs, shape: smallApp, rttMs: 100 });
  const local = await fleetBench({ runs, shape: smallApp });
  const large = await fleetBench({ runs, shape: { files: 1500, smallBytes: 6_000_000, assets: [1_500_000, 500_000] } });
  lines.push(
    `fleet, small app @100 ms RTT (informational): 10 hosts / 1 host = ${ratio(far).toFixed(2)}; ${floor(far)}`,
  );
  lines.push(
    `fleet, small app @0 ms RTT (the ten hosts' own work serialised on ${availableParallelism()} shared cores): 10 hosts / 1 host = ${ratio(local).toFixed(2)} (informational); ${floor(local)}`,
  );
  lines.push(
    `fleet, 1,500-file app @0 ms RTT (same, with more work per host): 10 hosts / 1 host = ${ratio(large).toFixed(2)} (informational); ${floor(large)}`,
  );
}
if (!only || only === 'scale') {
  const sizes = (arg('--sizes') ?? '1,10,50,100').split(',').map(Number);
  const maxParallel = arg('--max-parallel');
  const r = await scaleBench({
    sizes,
    runs: arg('--runs') ? runs : 3,
    rttMs: 50,
    shards: Number(arg('--shards') ?? 4),
    floor: !process.argv.includes('--no-floor'),
    ...(maxParallel ? { maxParallel: Number(maxParallel) } : {}),
    ...(against ? { against } : {}),
  });
  const v = scaleVerdicts(r);
  if (v.rows.length < 2) v.cpuPerHostMs = Number.NaN; // a slope needs two sizes
  const last = v.rows[v.rows.length - 1]!;
  const rss = Math.max(...v.rows.map((x) => x.runnerRssMiB)) * 1.048576;
  lines.push(
    `scale @50 ms RTT, ${v.rows[0]!.hosts}→${last.hosts} hosts: runner CPU per extra host ${v.cpuPerHostMs.toFixed(1)} ms (per round: ${v.cpuPerHostByRoundMs.map((x) => x.toFixed(1)).join(', ')}; target ≤ 10): ${verdict(v.cpuPerHostMs <= 10)}; ` +
      `runner peak RSS ${rss.toFixed(0)} MB (target ≤ 300), ${v.rssPerHostKiB.toFixed(0)} KiB per host: ${verdict(rss <= 300)}; ` +
      `switch window at ${last.hosts} hosts ${last.switchWindowMs.toFixed(0)} ms (target ≤ 1 s): ${verdict(last.switchWindowMs <= 1000)}`,
  );
}
if (only === 'config') {
  const r = configBench((arg('--sizes') ?? '10,100').split(',').map(Number), runs);
  for (const row of r.rows) console.log(`  deploy.yml with ${row.hosts} host lines: ${row.cpuMs.toFixed(1)} ms CPU`);
  lines.push(`config: reading deploy.yml, ${r.perHostMs.toFixed(2)} ms of runner CPU per host line (fresh process)`);
}
console.log(`\n${lines.join('\n')}`);
process.exit(0);
