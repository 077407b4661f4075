/**
 * Run commands on a test sshd with the SYSTEM OpenSSH client (/usr/bin/ssh), so tests can
 * inspect the remote side independently of our own SSH code.
 *
 *   const r = await sshRun(server, 'cat /srv/app/current/VERSION');
 *   expect(r).toMatchObject({ code: 0, stdout: '1.2.3\n' });
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SshdHandle } from './sshd.js';

export interface SshRunResult {
  /** Remote exit status; 255 for ssh-level failures; 128+N if ssh was killed by signal N-ish (-1 for unknown). */
  code: number;
  stdout: string;
  stderr: string;
}

/** The parts of a handle sshRun needs (an SshdHandle satisfies it). */
export type SshTarget = Pick<SshdHandle, 'host' | 'port' | 'user' | 'privateKeyPath' | 'knownHostsLine'> &
  Partial<Pick<SshdHandle, 'knownHostsPath' | 'plainKeyPath' | 'passphrase'>>;

export interface SshRunOptions {
  /** Kill ssh after this many ms (default 30000). */
  timeoutMs?: number;
  /** Extra ssh arguments inserted before the destination (e.g. ['-o', 'SendEnv=FOO']). */
  extraArgs?: string[];
}

/** ssh argv (without the leading 'ssh') for target; knownHostsFile must contain target.knownHostsLine. */
export function sshArgs(target: SshTarget, knownHostsFile: string, extraArgs: string[] = []): string[] {
  // An encrypted key cannot be used with BatchMode; the harness keeps an unencrypted copy.
  const key = target.passphrase && target.plainKeyPath ? target.plainKeyPath : target.privateKeyPath;
  return [
    '-F',
    'none', // ignore ~/.ssh/config and /etc/ssh/ssh_config
    '-i',
    key,
    '-p',
    String(target.port),
    '-o',
    `UserKnownHostsFile=${knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'LogLevel=ERROR',
    ...extraArgs,
    `${target.user}@${target.host}`,
  ];
}

/**
 * Run `command` (a remote shell command line) over a fresh ssh connection: exactly one TCP
 * connection and one exec request on the server. `input` is written to the remote stdin
 * (stdin is /dev/null otherwise).
 */
export async function sshRun(
  target: SshTarget,
  command: string,
  input?: string | Buffer,
  opts: SshRunOptions = {},
): Promise<SshRunResult> {
  let knownHostsFile = target.knownHostsPath;
  let tmpDir: string | undefined;
  if (!knownHostsFile) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-ssh-client-'));
    knownHostsFile = path.join(tmpDir, 'known_hosts');
    fs.writeFileSync(knownHostsFile, `${target.knownHostsLine}\n`);
  }
  try {
    return await new Promise<SshRunResult>((resolve, reject) => {
      const child = spawn('ssh', [...sshArgs(target, knownHostsFile, opts.extraArgs), command], {
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on('data', (d: Buffer) => out.push(d));
      child.stderr!.on('data', (d: Buffer) => err.push(d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({
          code: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      if (input !== undefined) {
        child.stdin!.on('error', () => undefined); // remote may exit without reading
        child.stdin!.end(input);
      }
    });
  } finally {
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/** sshRun, but rejects unless the exit code is 0; resolves to stdout. */
export async function sshRunOk(
  target: SshTarget,
  command: string,
  input?: string | Buffer,
  opts?: SshRunOptions,
): Promise<string> {
  const r = await sshRun(target, command, input, opts);
  if (r.code !== 0) {
    throw new Error(
      `ssh ${target.user}@${target.host}:${target.port} ${JSON.stringify(command)} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  }
  return r.stdout;
}
