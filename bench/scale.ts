/**
 * Scale benchmark (issue 20): one runner process (dist/index.js, as the runner runs it) deploys a small app to 1, 10,
 * 50 and 100 hosts, each a real sshd in its own network namespace behind a latency proxy (50 ms RTT). Per size: the
 * wall time, the runner's CPU (user + system of the action's own process) and its peak RSS (getrusage at its exit,
 * bench/usage-hook.ts), the hosts' CPU per host (a cgroup v2 holding every sshd and what it starts), the switch
 * window (from the first host's switch to the last: the change time of each host's `current` link, which the
 * switch's rename(2) sets, read with nanoseconds; the hosts share this machine's clock) and the SSH exec requests
 * per host (sshd's `Starting session: command` lines, logged at LogLevel VERBOSE). The sizes take turns, one run
 * of each per round, so a drift in the machine's load over the bench's minutes moves every size alike.
 *
 * From those, the figures the bar names: the runner's CPU per extra host (the slope between sizes), its RSS per host,
 * and the switch window at the largest size. The hosts' own work shares this machine's cores with the runner, so the
 * wall time here is an upper bound of a real fleet's; the runner's CPU and RSS do not depend on that.
 *
 * `shards` adds the sharded run: the same hosts staged by that many concurrent `stage` processes (`shard: i/N`),
 * then one `switch` of the release they name. It needs the `stage` and `switch` commands; with a build that has
 * none, the row says so instead.
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ActionResult, runAction } from '../__tests__/support/action.js';
import { createTestNetwork, netnsAvailable } from '../__tests__/support/netns.js';
import { startProxy } from '../__tests__/support/proxy.js';
import { type SshdHandle, startSshd } from '../__tests__/support/sshd.js';
import { generateApp } from './app.js';
import { CpuMeter } from './cpu.js';
import { benchUser, type Endpoint, throughProxies, twoPhaseFloorTimes } from './fleet.js';
import { settle } from './settle.js';
import { median, secs, table } from './stats.js';
import { benchConfig } from './config-text.js';
import type { ProcessUsage } from './usage-hook.js';

/** sshd's line for each exec request at LogLevel VERBOSE (DEBUG1, which the tests count, costs every login CPU). */
const EXEC_LINE = /^Starting session: (?:forced-)?command /gm;

export interface ScaleRow {
  hosts: number;
  /** Counted runs (the first, which seeds shared/, is not). */
  wallMs: number[];
  /** Medians over the counted runs. */
  runnerCpuMs: number;
  /** The runner's CPU in each counted run, round by round (the sizes take turns, so the i-th runs are neighbours). */
  runnerCpuRunsMs: number[];
  runnerRssMiB: number;
  hostCpuPerHostMs?: number;
  switchWindowMs: number;
  execsPerHost: number;
  /** Each phase's time as the log's line after its section says (`stage: 100/100 hosts, 4.1 s`), medians. */
  phases: [string, number][];
  /** The `--against` build's runner CPU in the same counted runs (median), taking turns with ours. */
  againstCpuMs?: number;
  /**
   * The two-phase floor's runner CPU at this size (median; bench/two-phase-client.ts: the same SSH transport, one
   * session per host that locks, unpacks, switches and unlocks, and nothing else): what any deploy over this
   * transport costs the runner, so the slope above it is what the deploy's own work costs.
   */
  floorCpuMs?: number;
}

/** The phase lines of an action's log: title and milliseconds, in order. */
function phaseTimes(stdout: string): [string, number][] {
  return [...stdout.matchAll(/^([a-z][a-z ,]*): \d+\/\d+ hosts?, (\d+ ms|[\d.]+ s)$/gm)].map((m) => [
    m[1]!,
    m[2]!.endsWith(' ms') ? Number(m[2]!.slice(0, -3)) : Number(m[2]!.slice(0, -2)) * 1000,
  ]);
}

export interface ShardedRow {
  hosts: number;
  shards: number;
  /** Undefined when the build cannot stage: `unavailable` says why. */
  wallMs?: number;
  stageMs?: number;
  switchMs?: number;
  switchWindowMs?: number;
  runnerCpuMs?: number;
  unavailable?: string;
}

export interface ScaleResult {
  rows: ScaleRow[];
  sharded?: ShardedRow;
}

interface Run {
  ms: number;
  result: ActionResult;
  usage: ProcessUsage;
}

/** Starts `count` sshd hosts (ten at a time: each generates its keys), one per network namespace where possible. */
async function startHosts(count: number): Promise<{ hosts: SshdHandle[]; close(): Promise<void> }> {
  const net = netnsAvailable() ? await createTestNetwork(count, 'dabs') : undefined;
  const hosts: SshdHandle[] = [];
  try {
    for (let i = 0; i < count; i += 10) {
      const batch = Array.from({ length: Math.min(10, count - i) }, (_, k) => i + k);
      hosts.push(
        ...(await Promise.all(
          batch.map((j) =>
            startSshd({
              // VERBOSE: INFO as on a production server, plus the line for each exec request.
              extraConfig: ['LogLevel VERBOSE', 'MaxStartups 200'],
              timeoutMs: 30_000,
              ...(net ? { netns: net.hosts[j]!.ns, address: net.hosts[j]!.address } : {}),
            }),
          ),
        )),
      );
    }
  } catch (e) {
    await Promise.all(hosts.map((h) => h.stop()));
    await net?.destroy();
    throw e;
  }
  for (const h of hosts.slice(1)) h.authorize(hosts[0]!.publicKeyLine());
  // sshd reads authorized_keys as the logging-in user: let the bench user reach it (private keys stay 0600).
  for (const h of hosts) {
    chmodSync(h.dir, 0o755);
    chmodSync(join(h.dir, 'authorized_keys'), 0o644);
  }
  return {
    hosts,
    close: async () => {
      await Promise.all(hosts.map((h) => h.stop()));
      await net?.destroy();
    },
  };
}

function configFor(endpoints: Endpoint[], dirs: string[], user: string, maxParallel?: number): string {
  return benchConfig(
    endpoints.map((h, i) => ({ host: h.host, user, port: h.port, deployPath: dirs[i]! })),
    maxParallel,
  );
}

/** The switch window: first to last change of `current` on these hosts (ms; 0 for one host). */
function switchWindowMs(dirs: string[]): number {
  // Microseconds since the epoch fit a double exactly.
  const at = dirs.map((d) => Number(lstatSync(join(d, 'current'), { bigint: true }).ctimeNs / 1000n));
  return (Math.max(...at) - Math.min(...at)) / 1000;
}

/** Runs the action once with its resource usage recorded at its exit. */
async function timedAction(
  inputs: Record<string, string>,
  workspace: string,
  label: string,
  dist?: string,
): Promise<{ ms: number; result: ActionResult; usage?: ProcessUsage }> {
  const usageFile = join(workspace, `usage-${label}-${process.hrtime.bigint()}.json`);
  const hook = pathToFileURL(fileURLToPath(new URL('./usage-hook.js', import.meta.url))).href;
  const extra = process.env['BENCH_NODE_OPTIONS'];
  const prof = process.env['BENCH_CPU_PROF'];
  const env = {
    BENCH_USAGE_FILE: usageFile,
    NODE_OPTIONS: `--import ${hook}${extra ? ` ${extra}` : ''}`,
    ...(prof ? { BENCH_CPU_PROF: prof, BENCH_CPU_PROF_US: process.env['BENCH_CPU_PROF_US'] ?? '200' } : {}),
  };
  const t0 = performance.now();
  const result = await runAction({ inputs, workspace, env, ...(dist ? { dist } : {}) });
  const ms = performance.now() - t0;
  const usage = existsSync(usageFile) ? (JSON.parse(readFileSync(usageFile, 'utf8')) as ProcessUsage) : undefined;
  rmSync(usageFile, { force: true });
  return { ms, result, ...(usage ? { usage } : {}) };
}

const cpuOf = (u: ProcessUsage) => u.userMs + u.systemMs;

export async function scaleBench(opts: {
  sizes: number[];
  runs: number;
  rttMs: number;
  /** The environment's `max_parallel` (undefined: the default, 10). */
  maxParallel?: number;
  /** Stage the largest size in this many concurrent shards, then switch (0: not run). */
  shards?: number;
  /**
   * Another build's dist/index.js: each run of each size also deploys with it, the two taking turns going first, so
   * a change's effect on the runner's CPU is read from the same moments of a noisy machine.
   */
  against?: string;
  /** Also run the two-phase floor at each size (its CPU per extra host is reported beside ours). */
  floor?: boolean;
}): Promise<ScaleResult> {
  const largest = Math.max(...opts.sizes);
  const workspace = mkdtempSync(join(tmpdir(), 'da-bench-scale-'));
  generateApp(join(workspace, 'app'), { files: 20, smallBytes: 80_000, assets: [] });
  console.log(
    `scale bench: sizes ${opts.sizes.join(', ')}, ${opts.rttMs} ms RTT, ${opts.runs} counted run(s) each, max_parallel ${opts.maxParallel ?? 'default (10)'}; starting ${largest} hosts`,
  );
  const started = performance.now();
  const fleet = await startHosts(largest);
  const { hosts } = fleet;
  const proxies =
    opts.rttMs > 0
      ? await Promise.all(hosts.map((h) => startProxy({ host: h.host, port: h.port }, { delayMs: opts.rttMs / 2 })))
      : [];
  console.log(`  ${largest} hosts up in ${secs(performance.now() - started)}`);
  const endpoints = throughProxies(hosts, proxies);
  const user = benchUser();
  const login = user?.name ?? hosts[0]!.user;
  const meter = CpuMeter.forHosts(hosts.map((h) => h.pid));
  const inputsFor = (n: number) => ({
    config: 'deploy.yml',
    source: 'app',
    'ssh-private-key': hosts[0]!.privateKey,
    'known-hosts': endpoints
      .slice(0, n)
      .map((h) => h.knownHostsLine)
      .join('\n'),
  });
  const execs = (n: number) => hosts.slice(0, n).reduce((sum, h) => sum + (h.log().match(EXEC_LINE)?.length ?? 0), 0);
  const result: ScaleResult = { rows: [] };
  type Counted = Run & { hostsMs?: number; window: number; execs: number };
  const sizes: { n: number; base: string; dirs: string[]; runs: Counted[]; againstCpu: number[] }[] = [];
  try {
    // Each size deploys to targets of its own, so a size's runs stay deploys of a new version to its hosts.
    for (const n of opts.sizes) {
      const base = mkdtempSync(join(tmpdir(), 'da-bench-scale-target-'));
      sizes.push({ n, base, dirs: endpoints.slice(0, n).map((_, j) => join(base, `h${j}`)), runs: [], againstCpu: [] });
      if (user) chownSync(base, user.uid, user.gid);
    }
    // The sizes take turns, round by round (ascending, then descending), rather than one size's runs after the
    // other's: a machine whose load drifts over the minutes this takes then moves every size alike, not the slope.
    for (let i = 0; i < opts.runs + 1; i++) {
      for (const size of i % 2 ? [...sizes].reverse() : sizes) {
        const { n, dirs, runs, againstCpu } = size;
        writeFileSync(join(workspace, 'deploy.yml'), configFor(endpoints.slice(0, n), dirs, login, opts.maxParallel));
        const other = async (when: number) => {
          if (!opts.against || i % 2 !== when) return;
          writeFileSync(join(workspace, 'app/VERSION'), `v${i}b\n`);
          await settle(...dirs);
          const b = await timedAction(inputsFor(n), workspace, `${n}b`, opts.against);
          if (b.result.code !== 0 || !b.usage) throw new Error(`scale bench: the --against build failed at ${n} hosts`);
          if (i > 0) againstCpu.push(cpuOf(b.usage));
          console.log(`  ${n} host(s), run ${i}, --against build: runner CPU ${cpuOf(b.usage).toFixed(0)} ms`);
        };
        await other(0);
        writeFileSync(join(workspace, 'app/VERSION'), `v${i}\n`);
        await settle(...dirs);
        const execs0 = execs(n);
        const mark = meter.start();
        const { ms, result: r, usage } = await timedAction(inputsFor(n), workspace, String(n));
        mark.runnerEnd();
        await settle(...dirs);
        const cpu = mark.end();
        if (r.code !== 0)
          throw new Error(
            `scale bench: the deploy to ${n} hosts failed:\n${r.stdout.slice(-3000)}${r.stderr.slice(-2000)}`,
          );
        if (!usage) throw new Error('scale bench: the action wrote no resource usage (is bench/usage-hook.js built?)');
        const run = { ms, result: r, usage, window: switchWindowMs(dirs), execs: (execs(n) - execs0) / n };
        if (i > 0) runs.push(cpu.hostsMs !== undefined ? { ...run, hostsMs: cpu.hostsMs } : run);
        console.log(
          `  ${n} host(s), run ${i}${i ? '' : ' (warm-up)'}: ${secs(ms)}, runner CPU ${cpuOf(usage).toFixed(0)} ms (user ${usage.userMs.toFixed(0)}, system ${usage.systemMs.toFixed(0)}), RSS ${(usage.maxRssKiB / 1024).toFixed(0)} MiB, switch window ${run.window.toFixed(0)} ms`,
        );
        await other(1);
      }
    }
    for (const { n, base, runs, againstCpu } of sizes) {
      const floor = opts.floor
        ? await twoPhaseFloorTimes(
            endpoints.slice(0, n),
            hosts[0]!.privateKey,
            inputsFor(n)['known-hosts'],
            opts.runs,
            login,
            base,
            join(workspace, 'app'),
            meter,
          )
        : undefined;
      if (floor)
        console.log(
          `  ${n} host(s), two-phase floor: runner CPU ${floor.cpu.map((c) => c.runnerMs.toFixed(0)).join(', ')} ms`,
        );
      const perHost = runs.every((r) => r.hostsMs !== undefined) ? median(runs.map((r) => r.hostsMs! / n)) : undefined;
      result.rows.push({
        hosts: n,
        wallMs: runs.map((r) => r.ms),
        runnerCpuMs: median(runs.map((r) => cpuOf(r.usage))),
        runnerCpuRunsMs: runs.map((r) => cpuOf(r.usage)),
        runnerRssMiB: median(runs.map((r) => r.usage.maxRssKiB / 1024)),
        ...(perHost !== undefined ? { hostCpuPerHostMs: perHost } : {}),
        switchWindowMs: median(runs.map((r) => r.window)),
        execsPerHost: median(runs.map((r) => r.execs)),
        phases: phaseTimes(runs[0]!.result.stdout).map(([title], k) => [
          title,
          median(runs.map((r) => phaseTimes(r.result.stdout)[k]?.[1] ?? Number.NaN)),
        ]),
        ...(againstCpu.length ? { againstCpuMs: median(againstCpu) } : {}),
        ...(floor ? { floorCpuMs: median(floor.cpu.map((c) => c.runnerMs)) } : {}),
      });
    }
    if (opts.shards) result.sharded = await shardedRun(endpoints, inputsFor(largest), workspace, login, opts.shards);
  } finally {
    for (const { base } of sizes) rmSync(base, { recursive: true, force: true });
    await Promise.all(proxies.map((p) => p.close()));
    await fleet.close();
    meter.close();
    rmSync(workspace, { recursive: true, force: true });
  }
  console.log(`\n${scaleReport(result, opts.rttMs)}`);
  return result;
}

/**
 * The sharded run: `shards` concurrent `stage` processes (`shard: i/N`, the same run id, so the same release name),
 * then one `switch` of that release on every host. Wall time from the first stage's start to the switch's end.
 */
async function shardedRun(
  endpoints: Endpoint[],
  inputs: Record<string, string>,
  workspace: string,
  user: string,
  shards: number,
): Promise<ShardedRow> {
  const n = endpoints.length;
  const base = mkdtempSync(join(tmpdir(), 'da-bench-scale-shards-'));
  const owner = benchUser();
  if (owner) chownSync(base, owner.uid, owner.gid);
  const dirs = endpoints.map((_, j) => join(base, `h${j}`));
  writeFileSync(join(workspace, 'deploy.yml'), configFor(endpoints, dirs, user));
  try {
    const t0 = performance.now();
    const stages = await Promise.all(
      Array.from({ length: shards }, (_, i) =>
        timedAction({ ...inputs, command: 'stage', shard: `${i + 1}/${shards}` }, workspace, `stage${i}`),
      ),
    );
    const stageMs = performance.now() - t0;
    const failed = stages.find((s) => s.result.code !== 0);
    if (failed) return { hosts: n, shards, unavailable: firstError(failed.result) };
    const release = stages[0]!.result.outputs['release'];
    if (!release) return { hosts: n, shards, unavailable: 'stage set no `release` output' };
    const sw = await timedAction({ ...inputs, command: 'switch', release }, workspace, 'switch');
    const ms = performance.now() - t0;
    if (sw.result.code !== 0) return { hosts: n, shards, unavailable: `switch failed: ${firstError(sw.result)}` };
    await settle(...dirs);
    const cpu = [...stages, sw].reduce((sum, s) => sum + (s.usage ? cpuOf(s.usage) : 0), 0);
    return {
      hosts: n,
      shards,
      wallMs: ms,
      stageMs,
      switchMs: sw.ms,
      switchWindowMs: switchWindowMs(dirs),
      runnerCpuMs: cpu,
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function firstError(r: ActionResult): string {
  const line = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => /^::error|error/i.test(l));
  return (line ?? `exit code ${r.code}`).replace(/^::error[^:]*::/, '').slice(0, 200);
}

/** The slope of `y` between two rows, per extra host. */
const slope = (a: ScaleRow, b: ScaleRow, y: (r: ScaleRow) => number) => (y(b) - y(a)) / (b.hosts - a.hosts);

export function scaleReport(r: ScaleResult, rttMs: number): string {
  const rows = r.rows;
  const ms = (n: number | undefined) => (n === undefined ? 'not counted' : `${n.toFixed(0)} ms`);
  const lines = [
    table([
      [
        'hosts',
        'wall (median)',
        'runs',
        'runner CPU',
        'runner peak RSS',
        'host CPU per host',
        'switch window',
        'SSH execs per host',
      ],
      ...rows.map((row) => [
        String(row.hosts),
        secs(median(row.wallMs)),
        row.wallMs.map((t) => (t / 1000).toFixed(2)).join(' '),
        ms(row.runnerCpuMs),
        `${row.runnerRssMiB.toFixed(0)} MiB`,
        ms(row.hostCpuPerHostMs),
        `${row.switchWindowMs.toFixed(0)} ms`,
        String(row.execsPerHost),
      ]),
    ]),
    `Phases (the log's line after each section): ${rows.map((row) => `${row.hosts} host(s): ${row.phases.map(([t, ms]) => `${t} ${secs(ms)}`).join(', ')}`).join('; ')}`,
    `(${rttMs} ms RTT; runner CPU and RSS: the action's own process, getrusage at its exit; host CPU: every sshd and what it starts, in a cgroup of their own)`,
  ];
  if (rows.length > 1) {
    const slopes = rows.slice(1).map((b, i) => {
      const a = rows[i]!;
      const against =
        a.againstCpuMs !== undefined && b.againstCpuMs !== undefined
          ? ` (the --against build: ${slope(a, b, (x) => x.againstCpuMs!).toFixed(1)} ms CPU)`
          : '';
      const floor =
        a.floorCpuMs !== undefined && b.floorCpuMs !== undefined
          ? ` (the two-phase floor over the same transport: ${slope(a, b, (x) => x.floorCpuMs!).toFixed(1)} ms CPU)`
          : '';
      return `${a.hosts}→${b.hosts}: ${slope(a, b, (x) => x.runnerCpuMs).toFixed(1)} ms CPU, ${(slope(a, b, (x) => x.runnerRssMiB) * 1024).toFixed(0)} KiB RSS${against}${floor}`;
    });
    lines.push(`Runner per extra host (between sizes): ${slopes.join('; ')}`);
  }
  if (r.sharded) {
    const s = r.sharded;
    lines.push(
      s.unavailable
        ? `Sharded (${s.hosts} hosts as ${s.shards} concurrent stage processes, then one switch): not run: ${s.unavailable}`
        : `Sharded (${s.hosts} hosts as ${s.shards} concurrent stage processes, then one switch): ${secs(s.wallMs!)} (stage ${secs(s.stageMs!)}, switch ${secs(s.switchMs!)}), switch window ${s.switchWindowMs!.toFixed(0)} ms, runner CPU of all ${s.shards + 1} processes ${s.runnerCpuMs!.toFixed(0)} ms`,
    );
  }
  return lines.join('\n');
}

/** The bar's figures (issue 20): runner CPU per extra host, runner RSS per host, switch window at the largest size. */
export function scaleVerdicts(r: ScaleResult): {
  cpuPerHostMs: number;
  /** The same slope within each round (its runs at the smallest and the largest size): how much it moves. */
  cpuPerHostByRoundMs: number[];
  rssPerHostKiB: number;
  rows: ScaleRow[];
} {
  const first = r.rows[0]!;
  const last = r.rows[r.rows.length - 1]!;
  return {
    cpuPerHostMs: slope(first, last, (x) => x.runnerCpuMs),
    cpuPerHostByRoundMs: first.runnerCpuRunsMs.map(
      (a, i) => ((last.runnerCpuRunsMs[i] ?? Number.NaN) - a) / (last.hosts - first.hosts),
    ),
    rssPerHostKiB: slope(first, last, (x) => x.runnerRssMiB) * 1024,
    rows: r.rows,
  };
}
