/**
 * `npm run bench`: the benchmarks behind the speed targets, run against real sshd servers through the bundled
 * action (dist/index.js). Options: `--runs N` (default 5), `--only fleet|transfer|startup`.
 *
 * Transfer (issue 5): a 6,000-file, 40 MB app over a latency proxy at 0 and 50 ms RTT, against the floor
 * (`tar -czf - . | ssh host 'tar -xzf -'` plus a switch): full deploy, one-file change, redeploy; SSH exec
 * requests and bytes sent per deploy. Start-up: loading dist/index.js to its first log line.
 *
 * Fleet (issue 4): a deploy to 1 and to 10 hosts, each a real sshd in its own network namespace, logging in as a
 * plain deploy user. Two apps: a small one, where the time is the orchestration's (connections, phases, the
 * barrier), and a 1,500-file one, where the time is the hosts' own work (decompressing, extracting, cleaning up).
 * The ten simulated hosts share this machine's cores, so their work serialises here; on a real fleet every host
 * does it on its own CPU. The target (10 hosts ≤ 1.5 × 1 host) is judged on the first.
 */
import { availableParallelism } from 'node:os';
import { fleetBench } from './fleet.js';
import { median } from './stats.js';
import { startupTimes, transferBench } from './transfer.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs') ?? 5);
const only = arg('--only');
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const lines: string[] = [];

if (!only || only === 'startup') {
  const t = median(await startupTimes(Math.max(runs, 5)));
  lines.push(`start-up: dist/index.js to its first log line: ${t.toFixed(0)} ms (target < 300 ms): ${verdict(t < 300)}`);
}
if (!only || only === 'transfer') {
  const results = await transferBench({ runs, rtts: [0, 50] });
  for (const r of results) {
    const full = r.full.ms / r.baseline.ms;
    const one = r.oneFile.ms / r.full.ms;
    const bytesShare = r.oneFile.bytes / (40 * 1048576);
    lines.push(
      `transfer @${r.rttMs} ms RTT: full deploy ${full.toFixed(2)} × baseline (target ≤ 1.15): ${verdict(full <= 1.15)}; ` +
        `one-file change ${one.toFixed(2)} × full (target ≤ 0.35): ${verdict(one <= 0.35)}, ${(100 * bytesShare).toFixed(2)} % of the app's bytes (target < 1 %): ${verdict(bytesShare < 0.01)}; ` +
        `SSH exec requests per deploy: ${Math.max(r.full.execs, r.oneFile.execs, r.redeploy.execs)} (target ≤ 4): ${verdict(Math.max(r.full.execs, r.oneFile.execs, r.redeploy.execs) <= 4)}`,
    );
  }
}
if (!only || only === 'fleet') {
  const small = await fleetBench({ runs, shape: { files: 20, smallBytes: 80_000, assets: [] } });
  const large = await fleetBench({ runs, shape: { files: 1500, smallBytes: 6_000_000, assets: [1_500_000, 500_000] } });
  const ratio = (r: typeof small) => r[1]!.medianMs / r[0]!.medianMs;
  lines.push(`fleet, small app (orchestration): 10 hosts / 1 host = ${ratio(small).toFixed(2)} (target ≤ 1.50): ${verdict(ratio(small) <= 1.5)}`);
  lines.push(`fleet, 1,500-file app (hosts' own work, serialised on ${availableParallelism()} shared cores): 10 hosts / 1 host = ${ratio(large).toFixed(2)} (informational)`);
}
console.log(`\n${lines.join('\n')}`);
process.exit(0);
