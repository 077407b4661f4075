/**
 * Test harness: start REAL OpenSSH servers (/usr/sbin/sshd) for integration and e2e tests.
 *
 *   const server = await startSshd();
 *   try { ... connect to server.host:server.port as server.user with server.privateKey ... }
 *   finally { await server.stop(); }
 *
 * Every server gets a fresh mkdtemp dir holding a throw-away host key, a client key that is
 * authorised for the current user, the sshd_config, the pid file and the log (LogLevel DEBUG1).
 * Tests should skip when sshAvailable() is false (see sshd.test.ts for the pattern).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { addExitHook, killTreeSync, runOk, sleep, spawnWatchdog } from './proc.js';

export const SSHD_PATH = '/usr/sbin/sshd';
const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv'];

export interface SshdHandle {
  /** '127.0.0.1', or opts.address (e.g. the namespace address). */
  host: string;
  port: number;
  /** Login user: the current user (normally root). */
  user: string;
  /** OpenSSH-format ed25519 client private key; encrypted with opts.passphrase if one was given. */
  privateKey: string;
  privateKeyPath: string;
  /** The passphrase privateKey is encrypted with (undefined: unencrypted). */
  passphrase?: string;
  /** An UNENCRYPTED copy of the client key (same key as privateKeyPath); used by sshRun(). */
  plainKeyPath: string;
  /** Exact known_hosts line: `[127.0.0.1]:PORT ssh-ed25519 AAAA...` (no comment). */
  knownHostsLine: string;
  /** A file containing just knownHostsLine. */
  knownHostsPath: string;
  /** Host key type as written in known_hosts, e.g. 'ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256'. */
  hostKeyType: string;
  /** 'SHA256:...' (unpadded base64, as printed by ssh-keygen -l). */
  hostKeyFingerprint: string;
  /** sshd's log (-E logfile, LogLevel DEBUG1 unless overridden via extraConfig). */
  logPath: string;
  /** The temp dir holding everything; removed by stop(). */
  dir: string;
  /** Network namespace sshd runs in (undefined: the root namespace). */
  netns?: string;
  /** pid of the listening sshd. */
  pid: number;
  /**
   * Number of SSH "exec" channel requests seen so far. Counts the DEBUG1 log line
   *   `debug1: server_input_channel_req: channel N request exec reply R`
   * which sshd logs as soon as it receives the request (before running the command, also when
   * the command then fails). One `ssh host cmd` produces exactly one. Shells, subsystems (sftp)
   * and port forwards are not counted.
   */
  execRequests(): number;
  /** Also accept this public key (an authorized_keys line), e.g. another server's client key, for fleet tests. */
  authorize(publicKeyLine: string): void;
  /** The client key's public half, as an authorized_keys line. */
  publicKeyLine(): string;
  /**
   * Number of accepted TCP connections so far: lines `Connection from A port P on B port Q ...`,
   * MINUS the harness's own readiness probe(s), so a fresh server reports 0.
   */
  connections(): number;
  /** Full text of the log so far. */
  log(): string;
  /** Last n lines of the log. */
  logTail(n?: number): string;
  /** Kill sshd and every child (sessions included) and remove dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartSshdOptions {
  hostKeyType?: 'ed25519' | 'rsa' | 'ecdsa';
  /** Encrypt the client private key with this passphrase. */
  passphrase?: string;
  /** ListenAddress (default 127.0.0.1). Required with netns, must be reachable from the root namespace. */
  address?: string;
  /** Run sshd inside `ip netns exec NAME`. */
  netns?: string;
  /**
   * Extra sshd_config lines. They are placed BEFORE the harness defaults, and sshd keeps the first
   * value of a keyword, so they override them (e.g. 'LogLevel DEBUG3', 'MaxSessions 2');
   * everything from the first `Match` line on is appended at the end instead. Keep LogLevel at
   * INFO or above (readiness waits for "Server listening on") and at DEBUG1+ for execRequests().
   */
  extraConfig?: string[];
  /** Readiness timeout in ms (default 10000). */
  timeoutMs?: number;
}

let sshAvailableCache: boolean | undefined;

/** True when /usr/sbin/sshd and ssh-keygen exist (tests should skip clearly otherwise). */
export function sshAvailable(): boolean {
  if (sshAvailableCache === undefined) {
    sshAvailableCache = isExecutable(SSHD_PATH) && findOnPath('ssh-keygen') !== undefined;
  }
  return sshAvailableCache;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (dir && isExecutable(path.join(dir, cmd))) return path.join(dir, cmd);
  }
  return undefined;
}

const live = new Set<() => void>();
addExitHook(() => {
  for (const kill of [...live]) kill();
});

/** Bind port 0, read the port, close. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Connect once and wait for the `SSH-2.0-` banner. Reports whether the TCP connect succeeded. */
function probeBanner(host: string, port: number, timeoutMs: number): Promise<{ connected: boolean; banner: boolean }> {
  return new Promise((resolve) => {
    let connected = false;
    let buf = '';
    const sock = net.connect({ host, port });
    const done = (banner: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ connected, banner });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('connect', () => {
      connected = true;
    });
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\n')) done(buf.startsWith('SSH-2.0-'));
    });
    sock.on('error', () => done(false));
    sock.on('close', () => done(false));
  });
}

function readFileOr(p: string, fallback = ''): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return fallback;
  }
}

function tail(text: string, n: number): string {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-n).join('\n');
}

function countMatches(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

const EXEC_RE = /^debug1: server_input_channel_req: channel \d+ request exec reply \d+$/gm;
const CONNECTION_RE = /^Connection from \S+ port \d+ on \S+ port \d+/gm;

async function ensurePrivsepDir(): Promise<void> {
  // sshd refuses to start without its privilege-separation directory.
  try {
    await fsp.mkdir('/run/sshd', { mode: 0o755 });
    await fsp.chmod('/run/sshd', 0o755);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

async function keygen(
  type: 'ed25519' | 'rsa' | 'ecdsa',
  file: string,
  passphrase: string,
  comment: string,
): Promise<void> {
  const args = ['-q', '-t', type];
  if (type === 'rsa') args.push('-b', '2048'); // 2048 keeps startup fast; it's a throw-away key
  if (type === 'ecdsa') args.push('-b', '256');
  args.push('-N', passphrase, '-C', comment, '-f', file);
  await runOk('ssh-keygen', args);
}

/** A throw-away client key pair: the private key's text (encrypted with `passphrase` if given) and its public line. */
export async function clientKey(
  type: 'ed25519' | 'rsa' | 'ecdsa',
  passphrase = '',
): Promise<{ privateKey: string; publicLine: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'da-key-'));
  const file = path.join(dir, 'id');
  try {
    await keygen(type, file, passphrase, 'test');
    return { privateKey: fs.readFileSync(file, 'utf8'), publicLine: fs.readFileSync(`${file}.pub`, 'utf8').trim() };
  } finally {
    // The key is returned as text: its files are not needed once read.
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function fingerprintOf(pubLine: string): string {
  const blob = Buffer.from(pubLine.trim().split(/\s+/)[1]!, 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function knownHostsHost(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * sshd_config keeps the FIRST value of most keywords, so extra lines go BEFORE our defaults
 * (letting tests override e.g. LogLevel or MaxSessions), except from the first `Match` line
 * on, which must come last.
 */
function splitExtraConfig(lines: string[]): { head: string[]; matchBlocks: string[] } {
  const i = lines.findIndex((l) => /^\s*Match\s/i.test(l));
  return i < 0 ? { head: lines, matchBlocks: [] } : { head: lines.slice(0, i), matchBlocks: lines.slice(i) };
}

export async function startSshd(opts: StartSshdOptions = {}): Promise<SshdHandle> {
  if (!sshAvailable()) throw new Error(`startSshd: ${SSHD_PATH} or ssh-keygen not available`);
  if (opts.netns && !opts.address) {
    throw new Error(
      'startSshd: opts.address is required with opts.netns (an address inside the namespace reachable from here)',
    );
  }
  const host = opts.address ?? '127.0.0.1';
  const hostKeyType = opts.hostKeyType ?? 'ed25519';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const user = os.userInfo().username;

  await ensurePrivsepDir();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'deploy-sshd-'));
  // Everything below must use absolute paths: sshd's re-exec'd children chdir("/").
  const hostKeyPath = path.join(dir, `ssh_host_${hostKeyType}_key`);
  const privateKeyPath = path.join(dir, 'id_ed25519');
  const plainKeyPath = path.join(dir, 'id_ed25519_plain');
  const authorizedKeysPath = path.join(dir, 'authorized_keys');
  const configPath = path.join(dir, 'sshd_config');
  const logPath = path.join(dir, 'sshd.log');
  const stderrPath = path.join(dir, 'sshd.stderr');
  const pidPath = path.join(dir, 'sshd.pid');
  const knownHostsPath = path.join(dir, 'known_hosts');

  let cancelWatchdog: (() => void) | undefined;
  let child: ChildProcess | undefined;
  const cleanupSync = () => {
    if (child && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      killTreeSync(child.pid);
    }
    cancelWatchdog?.();
    cancelWatchdog = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  live.add(cleanupSync);

  try {
    await Promise.all([
      keygen(hostKeyType, hostKeyPath, '', 'deploy-action-test-host'),
      (async () => {
        await keygen('ed25519', plainKeyPath, '', 'deploy-action-test-client');
        await fsp.copyFile(plainKeyPath, privateKeyPath);
        await fsp.chmod(privateKeyPath, 0o600);
        if (opts.passphrase)
          await runOk('ssh-keygen', ['-q', '-p', '-P', '', '-N', opts.passphrase, '-f', privateKeyPath]);
      })(),
    ]);
    const clientPub = await fsp.readFile(`${plainKeyPath}.pub`, 'utf8');
    await fsp.writeFile(authorizedKeysPath, clientPub, { mode: 0o600 });
    const hostPub = (await fsp.readFile(`${hostKeyPath}.pub`, 'utf8')).trim();
    const [keyType, keyBlob] = hostPub.split(/\s+/);

    const setpriv = SETPRIV_CANDIDATES.find(isExecutable);
    let port = 0;
    let probeConnections = 0;
    let lastError = '';
    for (let attempt = 0; attempt < 6; attempt++) {
      port = await freePort(opts.netns ? '127.0.0.1' : host);
      const extra = splitExtraConfig(opts.extraConfig ?? []);
      const config = [
        ...extra.head,
        `ListenAddress ${host}`,
        `Port ${port}`,
        `HostKey ${hostKeyPath}`,
        `AuthorizedKeysFile ${authorizedKeysPath}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'StrictModes no',
        `PidFile ${pidPath}`,
        'MaxSessions 50',
        'MaxStartups 100',
        'LogLevel DEBUG1',
        'Subsystem sftp internal-sftp',
        ...extra.matchBlocks,
        '',
      ].join('\n');
      await fsp.writeFile(configPath, config, { mode: 0o600 });
      await fsp.rm(logPath, { force: true });

      let argv = [SSHD_PATH, '-D', '-e', '-f', configPath, '-E', logPath];
      if (opts.netns) argv = ['ip', 'netns', 'exec', opts.netns, ...argv];
      // The kernel SIGKILLs sshd if this process dies without calling stop().
      if (setpriv) argv = [setpriv, '--pdeathsig', 'KILL', ...argv];

      const stderrFd = fs.openSync(stderrPath, 'w');
      try {
        child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', stderrFd, stderrFd] });
      } finally {
        fs.closeSync(stderrFd);
      }
      const proc = child;
      let exited = false;
      proc.on('exit', () => {
        exited = true;
      });
      const spawnError = new Promise<Error>((resolve) => proc.on('error', resolve));
      let spawnErr: Error | undefined;
      void spawnError.then((e) => {
        spawnErr = e;
      });

      // Ready = our own log says it is listening AND the port answers with an SSH banner.
      // (Checking our log first guards against some other server grabbing the port meanwhile.)
      const deadline = Date.now() + timeoutMs;
      let ready = false;
      while (Date.now() < deadline) {
        if (spawnErr) throw new Error(`startSshd: cannot spawn ${argv.join(' ')}: ${spawnErr.message}`);
        if (exited) break;
        if (readFileOr(logPath).includes(`Server listening on ${host} port ${port}.`)) {
          const probe = await probeBanner(host, port, 2000);
          if (probe.connected) probeConnections++;
          if (probe.banner) {
            ready = true;
            break;
          }
        }
        await sleep(10);
      }
      if (ready) break;

      const log = readFileOr(logPath) + readFileOr(stderrPath);
      if (exited || (await waitExit(proc, 0))) {
        child = undefined;
        if (/Address already in use/.test(log)) {
          lastError = `port ${port} in use`;
          continue; // pick another port
        }
        throw new Error(
          `startSshd: sshd exited (code ${proc.exitCode}, signal ${proc.signalCode}) before becoming ready. Log tail:\n${tail(log, 40)}`,
        );
      }
      throw new Error(
        `startSshd: sshd on ${host}:${port} not ready after ${timeoutMs} ms. Log tail:\n${tail(log, 40)}`,
      );
    }
    if (!child) throw new Error(`startSshd: could not find a free port (${lastError})`);
    const proc = child;
    const pid = proc.pid!;
    proc.unref();

    // Independent safety net for crashed/killed test workers (jest's sandboxed `process` never
    // fires 'exit'): kill sshd and remove the dir once this process is gone.
    cancelWatchdog = spawnWatchdog(`kill -9 "$1" 2>/dev/null; rm -rf "$2"`, [String(pid), dir]);

    const knownHostsLine = `${knownHostsHost(host, port)} ${keyType} ${keyBlob}`;
    await fsp.writeFile(knownHostsPath, `${knownHostsLine}\n`, { mode: 0o600 });
    const privateKey = await fsp.readFile(privateKeyPath, 'utf8');

    let stopped = false;
    const handle: SshdHandle = {
      host,
      port,
      user,
      privateKey,
      privateKeyPath,
      passphrase: opts.passphrase || undefined,
      plainKeyPath,
      knownHostsLine,
      knownHostsPath,
      hostKeyType: keyType!,
      hostKeyFingerprint: fingerprintOf(hostPub),
      logPath,
      dir,
      netns: opts.netns,
      pid,
      execRequests: () => countMatches(readFileOr(logPath), EXEC_RE),
      authorize: (line: string) => fs.appendFileSync(authorizedKeysPath, `${line.trim()}\n`),
      publicKeyLine: () => fs.readFileSync(`${plainKeyPath}.pub`, 'utf8').trim(),
      connections: () => Math.max(0, countMatches(readFileOr(logPath), CONNECTION_RE) - probeConnections),
      log: () => readFileOr(logPath),
      logTail: (n = 40) => tail(readFileOr(logPath), n),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        live.delete(cleanupSync);
        if (proc.exitCode === null && proc.signalCode === null) {
          killTreeSync(pid);
          await waitExit(proc, 5000);
        }
        cancelWatchdog?.();
        cancelWatchdog = undefined;
        await fsp.rm(dir, { recursive: true, force: true });
      },
    };
    return handle;
  } catch (e) {
    live.delete(cleanupSync);
    cleanupSync();
    throw e;
  }
}

/** Resolve true once proc has exited (immediately if it already has), false after ms. */
function waitExit(proc: ChildProcess, ms: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      proc.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    proc.once('exit', onExit);
  });
}
