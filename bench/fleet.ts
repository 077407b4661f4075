/**
 * Fleet benchmark (issue 4): wall time of a full deploy through dist/index.js to 1 host and to 10 hosts, each a
 * real sshd in its own network namespace. Target: 10 hosts take at most 1.5 × one host.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../__tests__/support/action.js';
import { createTestNetwork, netnsAvailable } from '../__tests__/support/netns.js';
import { startProxy } from '../__tests__/support/proxy.js';
import { startSshd, type SshdHandle } from '../__tests__/support/sshd.js';
import { generateApp, type AppShape } from './app.js';
import { settle } from './settle.js';
import { median, secs, table } from './stats.js';

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
}

/**
 * The floor of any SSH deploy tool here: OpenSSH's `ssh user@host true` to every host at once, through the same
 * proxies, with the key exchange ssh2 uses. It shows what the simulated hosts' sshd alone costs on shared cores.
 */
async function floorTimes(hosts: Endpoint[], keyPath: string, knownHosts: string, runs: number, user: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    await Promise.all(
      hosts.map(
        (h) =>
          new Promise<void>((resolve, reject) => {
            const args = ['-F', 'none', '-i', keyPath, '-p', String(h.port), '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'BatchMode=yes', '-o', 'KexAlgorithms=curve25519-sha256', `${user}@${h.host}`, 'true'];
            spawn('ssh', args, { stdio: 'ignore' }).on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ssh to ${h.host}:${h.port} exited ${code}`))));
          }),
      ),
    );
    if (i > 0) times.push(performance.now() - t0);
  }
  return times;
}

/** Where the action reaches a host: the sshd itself, or a latency proxy in front of it. */
interface Endpoint {
  host: string;
  port: number;
  knownHostsLine: string;
}

async function deployTimes(hosts: Endpoint[], key: string, workspace: string, runs: number, base: string, user: string): Promise<number[]> {
  const config = `name: bench
environments:
  production:
    keep_releases: 2
    shared_dirs: [storage]
    shared_files: [.env]
    hosts:
${hosts.map((h, i) => `      - { host: ${h.host}, user: ${user}, port: ${h.port}, deploy_path: ${JSON.stringify(join(base, `h${i}`))} }`).join('\n')}
`;
  writeFileSync(join(workspace, 'deploy.yml'), config);
  const inputs = {
    config: 'deploy.yml',
    source: 'app',
    'ssh-private-key': key,
    'known-hosts': hosts.map((h) => h.knownHostsLine).join('\n'),
  };
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    writeFileSync(join(workspace, 'app/VERSION'), `v${i}\n`);
    await settle(...hosts.map((_, j) => join(base, `h${j}`)));
    const t0 = performance.now();
    const r = await runAction({ inputs, workspace, env: process.env['BENCH_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['BENCH_NODE_OPTIONS'] } : {} });
    const ms = performance.now() - t0;
    if (r.code !== 0) throw new Error(`bench deploy to ${hosts.length} hosts failed:\n${r.stdout.slice(-3000)}`);
    if (i > 0) times.push(ms); // the first run warms caches and seeds shared/: not counted
    if (process.env['BENCH_VERBOSE'] && i === runs) console.log(r.summary.split('### Hosts')[1] ?? '');
  }
  return times;
}

/**
 * `rttMs` > 0 puts a latency proxy (bench/../proxy.ts: every chunk delayed rttMs/2 each way) in front of every host:
 * real fleets are reached over a network, and on this machine the ten hosts' own work would otherwise be all
 * that is measured.
 */
export async function fleetBench(opts: { runs: number; shape: AppShape; rttMs?: number }): Promise<FleetResult[]> {
  const workspace = mkdtempSync(join(tmpdir(), 'da-bench-ws-'));
  const bytes = generateApp(join(workspace, 'app'), opts.shape);
  console.log(`fleet bench: app of ${opts.shape.files + opts.shape.assets.length} files, ${(bytes / 1048576).toFixed(1)} MiB, ${opts.rttMs ?? 0} ms RTT; ${opts.runs} runs each`);
  const useNetns = netnsAvailable();
  const net = useNetns ? await createTestNetwork(10, 'dabn') : undefined;
  const hosts = await Promise.all(
    // LogLevel INFO as on a production server (the tests' DEBUG1 logging costs every connection CPU here).
    Array.from({ length: 10 }, (_, i) =>
      startSshd({ extraConfig: ['LogLevel INFO'], ...(net ? { netns: net.hosts[i]!.ns, address: net.hosts[i]!.address } : {}) }),
    ),
  );
  for (const h of hosts.slice(1)) h.authorize(hosts[0]!.publicKeyLine());
  // sshd reads authorized_keys as the logging-in user: let the bench user reach it (private keys stay 0600).
  for (const h of hosts) {
    chmodSync(h.dir, 0o755);
    chmodSync(join(h.dir, 'authorized_keys'), 0o644);
  }
  const rtt = opts.rttMs ?? 0;
  const proxies = rtt > 0 ? await Promise.all(hosts.map((h) => startProxy({ host: h.host, port: h.port }, { delayMs: rtt / 2 }))) : [];
  const endpoints: Endpoint[] = hosts.map((h, i) => {
    const p = proxies[i];
    return p ? { host: '127.0.0.1', port: p.port, knownHostsLine: `[127.0.0.1]:${p.port} ${h.knownHostsLine.split(' ').slice(1).join(' ')}` } : h;
  });
  const knownHosts = join(workspace, 'known_hosts');
  writeFileSync(knownHosts, `${endpoints.map((e) => e.knownHostsLine).join('\n')}\n`);
  try {
    const results: FleetResult[] = [];
    const user = benchUser();
    for (const count of [1, 10]) {
      const base = mkdtempSync(join(tmpdir(), 'da-bench-target-'));
      if (user) chownSync(base, user.uid, user.gid);
      const login = user?.name ?? hosts[0]!.user;
      const runs = await deployTimes(endpoints.slice(0, count), hosts[0]!.privateKey, workspace, opts.runs, base, login);
      const floor = await floorTimes(endpoints.slice(0, count), hosts[0]!.privateKeyPath, knownHosts, opts.runs, login);
      results.push({ hosts: count, medianMs: median(runs), runs, floorMs: median(floor) });
    }
    const one = results[0]!.medianMs;
    console.log(
      `\n${table([
        ['hosts', 'median', 'runs', 'ratio to 1 host', 'floor: ssh host true', 'floor ratio'],
        ...results.map((r) => [
          String(r.hosts),
          secs(r.medianMs),
          r.runs.map((t) => (t / 1000).toFixed(2)).join(' '),
          (r.medianMs / one).toFixed(2),
          secs(r.floorMs),
          (r.floorMs / results[0]!.floorMs).toFixed(2),
        ]),
      ])}\n(hosts: ${useNetns ? 'one sshd per network namespace' : 'sshd on 127.0.0.1 ports (no netns here)'}, ${rtt} ms RTT; target: 10 hosts ≤ 1.5 × 1 host)\n`,
    );
    return results;
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all(hosts.map((h) => h.stop()));
    await net?.destroy();
  }
}
