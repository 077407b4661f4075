/**
 * Fleet benchmark (issue 4): wall time of a full deploy through dist/index.js to 1 host and to 10 hosts, each a
 * real sshd in its own network namespace, beside its floors. Its old target (10 hosts ≤ 1.5 × one host) could not be
 * shown on a 2-core machine where the simulated hosts share the runner's cores; the fleet's bar is now the scale
 * benchmark's (bench/scale.ts): the runner's CPU and RSS per host and the switch window.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAction } from '../__tests__/support/action.js';
import { createTestNetwork, netnsAvailable } from '../__tests__/support/netns.js';
import { startProxy } from '../__tests__/support/proxy.js';
import { type SshdHandle, startSshd } from '../__tests__/support/sshd.js';
import { generateApp, type AppShape } from './app.js';
import { settle } from './settle.js';
import { CpuMeter, type CpuUse } from './cpu.js';
import { median, secs, table } from './stats.js';
import { benchConfig } from './config-text.js';
import type { TwoPhaseJob } from './two-phase-client.js';

/**
 * The deploy user the benchmark logs in as: a plain account with the distribution's default dotfiles, as on a real
 * server (the machine's root account runs `pyenv init` from ~/.bashrc for every SSH command, which would be
 * measured as deploy time). Created when missing and possible (root); otherwise the current user.
 */
export function benchUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = 'deploybench';
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    // A '*' password: no password login, but not a locked account (sshd without PAM refuses locked ones).
    execFileSync('useradd', ['-m', '-s', '/bin/bash', '-p', '*', name]);
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, name]).toString().trim());
  return { name, uid: id('-u'), gid: id('-g') };
}

export interface FleetResult {
  hosts: number;
  medianMs: number;
  runs: number[];
  /** The floor for that many hosts: `ssh host true` (OpenSSH) to each of them at once. */
  floorMs: number;
  /** The floor of an all-or-nothing deploy to that many hosts (twoPhaseFloorTimes). */
  twoPhaseMs: number;
  /** CPU per run (medians), the deploy's and the two-phase floor's: the runner's, and each host's share. */
  cpu: { deploy: CpuShare; twoPhase: CpuShare };
  /** The same deploys by another build (`--against`), taking turns with ours. */
  against?: { medianMs: number; runs: number[]; cpu: CpuShare };
}

/** CPU of one run: the runner's, and the hosts' divided by their number (undefined where it is not counted). */
export interface CpuShare {
  runnerMs: number;
  perHostMs?: number;
}

function cpuShare(used: CpuUse[], hosts: number): CpuShare {
  const perHost = used.every((u) => u.hostsMs !== undefined) ? median(used.map((u) => u.hostsMs! / hosts)) : undefined;
  return { runnerMs: median(used.map((u) => u.runnerMs)), ...(perHost !== undefined ? { perHostMs: perHost } : {}) };
}

/** OpenSSH client arguments for `user@host`, with the key exchange ssh2 uses. */
function sshArgs(h: Endpoint, keyPath: string, knownHosts: string, user: string): string[] {
  return [
    '-F',
    'none',
    '-i',
    keyPath,
    '-p',
    String(h.port),
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'BatchMode=yes',
    '-o',
    'KexAlgorithms=curve25519-sha256',
    `${user}@${h.host}`,
  ];
}

/**
 * The floor of any SSH deploy tool here: OpenSSH's `ssh user@host true` to every host at once, through the same
 * proxies. It shows what the simulated hosts' sshd alone costs on shared cores.
 */
async function floorTimes(
  hosts: Endpoint[],
  keyPath: string,
  knownHosts: string,
  runs: number,
  user: string,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    await Promise.all(
      hosts.map(
        (h) =>
          new Promise<void>((resolve, reject) => {
            spawn('ssh', [...sshArgs(h, keyPath, knownHosts, user), 'true'], { stdio: 'ignore' })
              .on('error', reject)
              .on('close', (code) =>
                code === 0 ? resolve() : reject(new Error(`ssh to ${h.host}:${h.port} exited ${code}`)),
              );
          }),
      ),
    );
    if (i > 0) times.push(performance.now() - t0);
  }
  return times;
}

/**
 * The floor of an all-or-nothing deploy here: the least such a deploy does, with no manifest, no check, no shared/
 * and no cleanup, over this action's own SSH transport (bench/two-phase-client.ts: the same login and round trips,
 * in a Node process of its own). The build is packed once; each host locks, unpacks and says so; once every host
 * has, each switches; once every host has, each unlocks. Those two waits are what keep a fleet from running mixed
 * versions (a host that fails to stage or to switch can still be undone everywhere); one host needs neither.
 */
export async function twoPhaseFloorTimes(
  hosts: Endpoint[],
  privateKey: string,
  knownHosts: string,
  runs: number,
  user: string,
  base: string,
  app: string,
  meter: CpuMeter,
): Promise<Timed> {
  const build = join(base, 'floor-build.tgz');
  const dirs = hosts.map((_, j) => join(base, `h${j}`));
  execFileSync('sh', ['-c', 'tar -czf "$1" -C "$2" .', '-', build, app]);
  const client = fileURLToPath(new URL('./two-phase-client.js', import.meta.url));
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    ...benchNodeOptions(),
  };
  const timed: Timed = { ms: [], cpu: [] };
  try {
    for (let i = 0; i < runs + 1; i++) {
      const job: TwoPhaseJob = {
        hosts: hosts.map((h, j) => ({ host: h.host, port: h.port, dir: dirs[j]! })),
        user,
        privateKey,
        knownHosts,
        build,
        release: String(i),
      };
      await settle(...dirs);
      const mark = meter.start();
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [client], { env, stdio: ['pipe', 'ignore', 'inherit'] });
        child
          .on('error', reject)
          .on('close', (code) =>
            code === 0 ? resolve() : reject(new Error(`the two-phase floor to ${hosts.length} hosts exited ${code}`)),
          );
        child.stdin.end(JSON.stringify(job));
      });
      const ms = performance.now() - t0;
      mark.runnerEnd();
      await settle(...dirs);
      if (i > 0) timed.ms.push(ms);
      if (i > 0) timed.cpu.push(mark.end());
    }
  } finally {
    for (const dir of dirs)
      execFileSync('sh', ['-c', 'rm -rf -- releases/floor-* floor-current .floor-next'], { cwd: dir });
    rmSync(build, { force: true });
  }
  return timed;
}

/** Ours beside the `--against` build, per fleet size: median wall time and CPU (empty without `--against`). */
function againstTable(results: FleetResult[], ms: (n: number | undefined) => string): string {
  if (!results.some((r) => r.against)) return '';
  return `\nAgainst the other build (same runs, taking turns):\n${table([
    [
      'hosts',
      'ours: median',
      'other: median',
      'ours ÷ other',
      'ours: CPU per host',
      'other: CPU per host',
      'ours: runner',
      'other: runner',
    ],
    ...results.map((r) => [
      String(r.hosts),
      secs(r.medianMs),
      secs(r.against!.medianMs),
      (r.medianMs / r.against!.medianMs).toFixed(2),
      ms(r.cpu.deploy.perHostMs),
      ms(r.against!.cpu.perHostMs),
      ms(r.cpu.deploy.runnerMs),
      ms(r.against!.cpu.runnerMs),
    ]),
  ])}\n`;
}

/** BENCH_NODE_OPTIONS, as the NODE_OPTIONS of the runner processes the bench times (the action, the floor's client). */
function benchNodeOptions(): { NODE_OPTIONS?: string } {
  const options = process.env['BENCH_NODE_OPTIONS'];
  return options ? { NODE_OPTIONS: options } : {};
}

/** The wall times of the counted runs, and the CPU each used. */
export interface Timed {
  ms: number[];
  cpu: CpuUse[];
}

/** Where the action reaches a host: the sshd itself, or a latency proxy in front of it. */
export interface Endpoint {
  host: string;
  port: number;
  knownHostsLine: string;
}

/**
 * Deploys `runs` + 1 times with each build in `dists` (undefined: this repository's dist/index.js), the builds
 * taking turns going first, so that an A/B comparison (`--against`) sees the same noise on both sides.
 */
async function deployTimes(
  hosts: Endpoint[],
  key: string,
  workspace: string,
  runs: number,
  base: string,
  user: string,
  meter: CpuMeter,
  dists: (string | undefined)[],
): Promise<Timed[]> {
  const dirs = hosts.map((_, j) => join(base, `h${j}`));
  const config = benchConfig(hosts.map((h, i) => ({ host: h.host, user, port: h.port, deployPath: dirs[i]! })));
  writeFileSync(join(workspace, 'deploy.yml'), config);
  const inputs = {
    config: 'deploy.yml',
    source: 'app',
    'ssh-private-key': key,
    'known-hosts': hosts.map((h) => h.knownHostsLine).join('\n'),
  };
  const timed: Timed[] = dists.map(() => ({ ms: [], cpu: [] }));
  for (let i = 0; i < runs + 1; i++) {
    const order = dists.map((_, j) => j);
    if (i % 2) order.reverse();
    for (const j of order) {
      writeFileSync(join(workspace, 'app/VERSION'), `v${i}-${j}\n`);
      await settle(...dirs);
      const mark = meter.start();
      const t0 = performance.now();
      const dist = dists[j];
      const r = await runAction({ inputs, workspace, env: benchNodeOptions(), ...(dist ? { dist } : {}) });
      const ms = performance.now() - t0;
      mark.runnerEnd();
      // The hosts' share includes what the deploy leaves to run after its sessions (the old release's delete).
      await settle(...dirs);
      const cpu = mark.end();
      if (r.code !== 0) throw new Error(`bench deploy to ${hosts.length} hosts failed:\n${r.stdout.slice(-3000)}`);
      if (i > 0) timed[j]!.ms.push(ms); // the first run warms caches and seeds shared/: not counted
      if (i > 0) timed[j]!.cpu.push(cpu);
      if (process.env['BENCH_VERBOSE'] && i === runs) console.log(r.summary.split('### Hosts')[1] ?? '');
    }
  }
  return timed;
}

/**
 * `rttMs` > 0 puts a latency proxy (bench/../proxy.ts: every chunk delayed rttMs/2 each way) in front of every host:
 * real fleets are reached over a network, and on this machine the ten hosts' own work would otherwise be all
 * that is measured.
 */
export async function fleetBench(opts: {
  runs: number;
  shape: AppShape;
  rttMs?: number;
  /** Another build's dist/index.js, deployed in turn with ours. */
  against?: string;
}): Promise<FleetResult[]> {
  const workspace = mkdtempSync(join(tmpdir(), 'da-bench-ws-'));
  const bytes = generateApp(join(workspace, 'app'), opts.shape);
  console.log(
    `fleet bench: app of ${opts.shape.files + opts.shape.assets.length} files, ${(bytes / 1048576).toFixed(1)} MiB, ${opts.rttMs ?? 0} ms RTT; ${opts.runs} runs each`,
  );
  const useNetns = netnsAvailable();
  const net = useNetns ? await createTestNetwork(10, 'dabn') : undefined;
  const hosts = await Promise.all(
    // LogLevel INFO as on a production server (the tests' DEBUG1 logging costs every connection CPU here).
    Array.from({ length: 10 }, (_, i) =>
      startSshd({
        extraConfig: ['LogLevel INFO'],
        ...(net ? { netns: net.hosts[i]!.ns, address: net.hosts[i]!.address } : {}),
      }),
    ),
  );
  for (const h of hosts.slice(1)) h.authorize(hosts[0]!.publicKeyLine());
  // sshd reads authorized_keys as the logging-in user: let the bench user reach it (private keys stay 0600).
  for (const h of hosts) {
    chmodSync(h.dir, 0o755);
    chmodSync(join(h.dir, 'authorized_keys'), 0o644);
  }
  const rtt = opts.rttMs ?? 0;
  const proxies =
    rtt > 0
      ? await Promise.all(hosts.map((h) => startProxy({ host: h.host, port: h.port }, { delayMs: rtt / 2 })))
      : [];
  const endpoints = throughProxies(hosts, proxies);
  let meter: CpuMeter | undefined;
  const knownHosts = join(workspace, 'known_hosts');
  writeFileSync(knownHosts, `${endpoints.map((e) => e.knownHostsLine).join('\n')}\n`);
  try {
    const results: FleetResult[] = [];
    const user = benchUser();
    meter = CpuMeter.forHosts(hosts.map((h) => h.pid));
    for (const count of [1, 10]) {
      const base = mkdtempSync(join(tmpdir(), 'da-bench-target-'));
      if (user) chownSync(base, user.uid, user.gid);
      const login = user?.name ?? hosts[0]!.user;
      const [runs, against] = await deployTimes(
        endpoints.slice(0, count),
        hosts[0]!.privateKey,
        workspace,
        opts.runs,
        base,
        login,
        meter,
        opts.against ? [undefined, opts.against] : [undefined],
      );
      const floor = await floorTimes(endpoints.slice(0, count), hosts[0]!.privateKeyPath, knownHosts, opts.runs, login);
      const twoPhase = await twoPhaseFloorTimes(
        endpoints.slice(0, count),
        hosts[0]!.privateKey,
        readFileSync(knownHosts, 'utf8'),
        opts.runs,
        login,
        base,
        join(workspace, 'app'),
        meter,
      );
      results.push({
        hosts: count,
        medianMs: median(runs!.ms),
        runs: runs!.ms,
        floorMs: median(floor),
        twoPhaseMs: median(twoPhase.ms),
        cpu: { deploy: cpuShare(runs!.cpu, count), twoPhase: cpuShare(twoPhase.cpu, count) },
        ...(against
          ? { against: { medianMs: median(against.ms), runs: against.ms, cpu: cpuShare(against.cpu, count) } }
          : {}),
      });
    }
    const ms = (n: number | undefined) => (n === undefined ? 'not counted' : `${n.toFixed(0)} ms`);
    const one = results[0]!.medianMs;
    console.log(
      `\n${table([
        [
          'hosts',
          'median',
          'runs',
          'ratio to 1 host',
          'floor: ssh host true',
          'floor ratio',
          'floor: two-phase deploy',
          'its ratio',
          '÷ our 1 host',
        ],
        ...results.map((r) => [
          String(r.hosts),
          secs(r.medianMs),
          r.runs.map((t) => (t / 1000).toFixed(2)).join(' '),
          (r.medianMs / one).toFixed(2),
          secs(r.floorMs),
          (r.floorMs / results[0]!.floorMs).toFixed(2),
          secs(r.twoPhaseMs),
          (r.twoPhaseMs / results[0]!.twoPhaseMs).toFixed(2),
          (r.twoPhaseMs / one).toFixed(2),
        ]),
      ])}\n(hosts: ${useNetns ? 'one sshd per network namespace' : 'sshd on 127.0.0.1 ports (no netns here)'}, ${rtt} ms RTT; informational: the fleet's bar is the scale section's)\n` +
        `\nCPU per run (medians; a host's share is everything its sshd starts, the background delete after the session too):\n${table(
          [
            ['hosts', 'deploy: runner', 'deploy: per host', 'two-phase floor: runner', 'two-phase floor: per host'],
            ...results.map((r) => [
              String(r.hosts),
              ms(r.cpu.deploy.runnerMs),
              ms(r.cpu.deploy.perHostMs),
              ms(r.cpu.twoPhase.runnerMs),
              ms(r.cpu.twoPhase.perHostMs),
            ]),
          ],
        )}\n${againstTable(results, ms)}`,
    );
    return results;
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all(hosts.map((h) => h.stop()));
    meter?.close();
    await net?.destroy();
  }
}

/** Where the action reaches each host: its proxy when there is one (the host's key, at the proxy's port), else the sshd. */
export function throughProxies(hosts: readonly SshdHandle[], proxies: readonly { port: number }[]): Endpoint[] {
  return hosts.map((h, i) => {
    const p = proxies[i];
    return p
      ? {
          host: '127.0.0.1',
          port: p.port,
          knownHostsLine: `[127.0.0.1]:${p.port} ${h.knownHostsLine.split(' ').slice(1).join(' ')}`,
        }
      : h;
  });
}
