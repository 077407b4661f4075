/**
 * Transfer benchmark (issue 5): a realistic app (about 6,000 files, 40 MB) deployed over a real sshd behind a
 * user-space latency proxy, side by side with the practical floor: `tar -czf - . | ssh host 'tar -xzf - …'` plus
 * one switch, over one connection. Medians of several runs at 0 ms and 50 ms round-trip time.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, startAction } from '../__tests__/support/action.js';
import { startProxy, type Proxy as SlowProxy } from '../__tests__/support/proxy.js';
import { startSshd, type SshdHandle } from '../__tests__/support/sshd.js';
import { generateApp } from './app.js';
import { benchUser } from './fleet.js';
import { settle } from './settle.js';
import { median, secs, table } from './stats.js';

interface Sample {
  ms: number;
  bytes: number;
  execs: number;
}

/** A network to measure over: round-trip time, and optionally the runner → host bandwidth (bytes per second). */
export interface Link {
  rttMs: number;
  upBytesPerSecond?: number;
}

export function linkName(l: Link): string {
  return `${l.rttMs} ms${l.upBytesPerSecond ? `, ${Math.round((l.upBytesPerSecond * 8) / 1e6)} Mbit/s` : ''}`;
}

export interface TransferResult extends Link {
  baseline: Sample;
  full: Sample;
  oneFile: Sample;
  redeploy: Sample;
  /** The one-file change made by another build of the action (`--against`), right after ours each time. */
  oneFileAgainst?: Sample;
}

function med(samples: Sample[]): Sample {
  return {
    ms: median(samples.map((s) => s.ms)),
    bytes: median(samples.map((s) => s.bytes)),
    execs: median(samples.map((s) => s.execs)),
  };
}

/** The floor: one ssh connection that receives the gzipped tar and switches `current`. */
async function baseline(
  sshd: SshdHandle,
  proxy: SlowProxy,
  user: string,
  app: string,
  target: string,
  n: number,
  deployPath: string,
): Promise<Sample> {
  const dir = `${target}/releases/b${n}`;
  const remote = `mkdir -p ${dir} && tar -xzf - -C ${dir} && ln -sfn releases/b${n} ${target}/current.tmp && mv -fT ${target}/current.tmp ${target}/current`;
  const args = [
    '-F',
    'none',
    '-i',
    sshd.privateKeyPath,
    '-p',
    String(proxy.port),
    '-o',
    `UserKnownHostsFile=${sshd.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    `${user}@127.0.0.1`,
    remote,
  ];
  await settle(deployPath);
  const bytes0 = proxy.upstreamBytes();
  const execs0 = sshd.execRequests();
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-czf', '-', '-C', app, '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ssh = spawn('ssh', args, { stdio: [tar.stdout, 'inherit', 'inherit'] });
    ssh.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`baseline ssh exited ${code}`))));
  });
  return { ms: performance.now() - t0, bytes: proxy.upstreamBytes() - bytes0, execs: sshd.execRequests() - execs0 };
}

async function ours(
  sshd: SshdHandle,
  proxy: SlowProxy,
  workspace: string,
  deployPath: string,
  inputs: Record<string, string>,
  dist?: string,
): Promise<Sample> {
  await settle(deployPath);
  const bytes0 = proxy.upstreamBytes();
  const execs0 = sshd.execRequests();
  const t0 = performance.now();
  const r = await runAction({ inputs, workspace, dist });
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`bench deploy failed:\n${r.stdout.slice(-3000)}`);
  return { ms, bytes: proxy.upstreamBytes() - bytes0, execs: sshd.execRequests() - execs0 };
}

/** Time from starting `node dist/index.js` to its first line of output. */
export async function startupTimes(runs: number): Promise<number[]> {
  const ws = mkdtempSync(join(tmpdir(), 'da-bench-start-'));
  writeFileSync(
    join(ws, 'deploy.yml'),
    `environments:\n  production:\n    hosts: [local]\n    deploy_path: ${join(ws, 'target')}\n`,
  );
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const a = startAction({ inputs: { config: 'deploy.yml', source: '.', 'dry-run': 'true' }, workspace: ws });
    await a.waitFor(/\S/);
    times.push(performance.now() - t0);
    await a.done;
  }
  return times;
}

/**
 * `against`: another build's dist/index.js. Its one-file change runs right after ours in every iteration, on the
 * same host and release history, so drifts of this machine (its disk, its neighbours) hit both alike.
 */
export async function transferBench(opts: {
  runs: number;
  links: Link[];
  against?: string;
}): Promise<TransferResult[]> {
  const workspace = mkdtempSync(join(tmpdir(), 'da-bench-xfer-'));
  const app = join(workspace, 'app');
  const bytes = generateApp(app, {
    files: 6000,
    smallBytes: 28_000_000,
    assets: [5_000_000, 3_000_000, 2_000_000, 1_000_000, 1_000_000],
  });
  console.log(`transfer bench: app of ~6,000 files, ${(bytes / 1048576).toFixed(1)} MiB; ${opts.runs} runs each`);
  const sshd = await startSshd();
  chmodSync(sshd.dir, 0o755);
  chmodSync(join(sshd.dir, 'authorized_keys'), 0o644);
  const user = benchUser();
  const login = user?.name ?? sshd.user;
  const results: TransferResult[] = [];
  try {
    for (const link of opts.links) {
      const rtt = link.rttMs;
      const proxy = await startProxy(
        { host: sshd.host, port: sshd.port },
        { delayMs: rtt / 2, upBytesPerSecond: link.upBytesPerSecond ?? 0 },
      );
      try {
        const target = mkdtempSync(join(tmpdir(), 'da-bench-xfer-target-'));
        if (user) chownSync(target, user.uid, user.gid);
        const base = join(target, 'baseline');
        execFileSync('mkdir', ['-p', base]);
        if (user) chownSync(base, user.uid, user.gid);
        const dp = join(target, 'ours');
        const config = (full: boolean) =>
          `name: bench\nenvironments:\n  production:\n    hosts: [{ host: 127.0.0.1, user: ${login}, port: ${proxy.port} }]\n    deploy_path: ${dp}\n    keep_releases: 3\n    shared_dirs: [storage]\n    shared_files: [.env]\n    full_upload: ${full}\n`;
        const inputs = (extra: Record<string, string> = {}) => ({
          config: 'deploy.yml',
          source: 'app',
          'ssh-private-key': sshd.privateKey,
          'known-hosts': sshd.knownHostsLine.replace(`]:${sshd.port} `, `]:${proxy.port} `),
          ...extra,
        });
        const samples = {
          baseline: [] as Sample[],
          full: [] as Sample[],
          oneFile: [] as Sample[],
          redeploy: [] as Sample[],
          against: [] as Sample[],
        };
        writeFileSync(join(workspace, 'deploy.yml'), config(false));
        await ours(sshd, proxy, workspace, dp, inputs()); // first deploy: seeds shared/, not counted
        for (let i = 0; i < opts.runs; i++) {
          samples.baseline.push(await baseline(sshd, proxy, login, app, base, i, dp));
          writeFileSync(join(workspace, 'deploy.yml'), config(true));
          writeFileSync(join(app, 'VERSION'), `full-${rtt}-${i}\n`);
          samples.full.push(await ours(sshd, proxy, workspace, dp, inputs()));
          writeFileSync(join(workspace, 'deploy.yml'), config(false));
          // With --against, the two builds' one-file changes take turns going first.
          const oneFile = [
            async () => {
              writeFileSync(join(app, 'VERSION'), `delta-${rtt}-${i}\n`);
              samples.oneFile.push(await ours(sshd, proxy, workspace, dp, inputs()));
            },
            async () => {
              writeFileSync(join(app, 'VERSION'), `against-${rtt}-${i}\n`);
              samples.against.push(await ours(sshd, proxy, workspace, dp, inputs(), opts.against));
            },
          ].slice(0, opts.against ? 2 : 1);
          for (const run of i % 2 ? oneFile.reverse() : oneFile) await run();
          samples.redeploy.push(await ours(sshd, proxy, workspace, dp, inputs({ command: 'redeploy' })));
        }
        // The baseline's releases go at the end of the section, not right before each baseline run: on this VM,
        // unpacking right after deleting tens of MB of files costs several times the kernel time (tar -xzf of the
        // app: 0.5 s of sys time, 1.3-1.6 s after a delete), and the baseline should not pay for its own clean-up
        // on top of the one before it. Our deploys delete their old releases in the background, as they always do.
        execFileSync('rm', ['-rf', join(base, 'releases')]);
        results.push({
          ...link,
          baseline: med(samples.baseline),
          full: med(samples.full),
          oneFile: med(samples.oneFile),
          redeploy: med(samples.redeploy),
          ...(opts.against ? { oneFileAgainst: med(samples.against) } : {}),
        });
      } finally {
        await proxy.close();
      }
    }
  } finally {
    await sshd.stop();
  }
  const rows = [['link', 'run', 'median', 'vs baseline', 'vs our full', 'SSH execs', 'bytes sent', '% of app']];
  for (const r of results) {
    for (const [name, s] of [
      ['(a) baseline tar|ssh', r.baseline],
      ['(b) full deploy', r.full],
      ['(c) one-file change', r.oneFile],
      ['(d) redeploy', r.redeploy],
      ...(r.oneFileAgainst ? ([["(c') one-file change, --against build", r.oneFileAgainst]] as const) : []),
    ] as const) {
      rows.push([
        linkName(r),
        name,
        secs(s.ms),
        (s.ms / r.baseline.ms).toFixed(2),
        (s.ms / r.full.ms).toFixed(2),
        String(s.execs),
        String(Math.round(s.bytes)),
        `${((100 * s.bytes) / bytes).toFixed(2)} %`,
      ]);
    }
  }
  console.log(`\n${table(rows)}\n`);
  return results;
}
