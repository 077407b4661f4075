/**
 * Errors that say what to do, through the bundled action (dist/index.js) and the CLI (dist/cli/index.js): a
 * refused port and a name that does not resolve, a rollback with nothing to roll back to, a missing config, a
 * config error in the job summary, and the action run outside a runner (no GITHUB_STEP_SUMMARY).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { runAction } from '../support/action.js';
import { clientKey } from '../support/sshd.js';
import { makeWorkspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): Promise<CliResult> {
  const home = tempDir('da-home-');
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice' };
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A TCP server on 127.0.0.1 that treats each connection with `handle`; resolves with its port. */
async function tcpServer(handle: (sock: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

const errorLine = (stdout: string) => stdout.split('\n').find((l) => l.startsWith('::error')) ?? '(none)';

const deployPath = () => join(tempDir('da-target-'), 'shop');
const config = (host: string, dp = deployPath()) =>
  `name: shop\nenvironments:\n  production:\n    hosts: [${host}]\n    deploy_path: ${JSON.stringify(dp)}\n`;
/**
 * Without retries, for the connection errors: those tests are about the messages (each retry of a failed
 * connection waits 1 s, then 2 s); the retries have their own tests (hardening/ and transport/connect-retries).
 */
const once = (host: string) => `${config(host)}    connect_retries: 0\n`;
const STACK = /^\s+at .+\(.*:\d+:\d+\)$/m;

let key: { privateKey: string; file: string };
beforeAll(async () => {
  const k = await clientKey('ed25519');
  const file = join(tempDir('da-key-'), 'id');
  writeFileSync(file, k.privateKey, { mode: 0o600 });
  key = { privateKey: k.privateKey, file };
});

const inputs = (extra: Record<string, string> = {}) => ({
  environment: 'production',
  source: 'app',
  'ssh-private-key': key.privateKey,
  ...extra,
});

describe('connection errors say what happened and what to check', () => {
  test('a refused port: "nothing listens on port P of 127.0.0.1" with the hint, in the action and the CLI', async () => {
    const port = await closedPort();
    const ws = makeWorkspace({ 'index.html': 'hi\n' }, once(`"root@127.0.0.1:${port}"`));
    const action = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(action.code).toBe(1);
    const sentence = `nothing listens on port ${port} of 127.0.0.1`;
    expect(action.stdout).toMatch(new RegExp(`::error title=.*::.*${sentence}.*wrong port\\? is sshd running\\?`));
    expect(action.summary).toContain(sentence);
    const run = await cli(['deploy', 'production', '--source', 'app', '-i', key.file], ws.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(sentence);
    expect(run.stderr).toContain('wrong port? is sshd running?');
    expect(run.stderr).toContain('ECONNREFUSED');
    expect(run.stderr).toContain("a firewall that rejects this machine's address?");
  });

  test('a name that does not resolve (.invalid, RFC 6761): "does not resolve" with the hint', async () => {
    const ws = makeWorkspace({ 'index.html': 'hi\n' }, once('root@nonexistent.invalid'));
    const action = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(action.code).toBe(1);
    const sentence = 'the name nonexistent.invalid does not resolve';
    expect(action.stdout).toMatch(new RegExp(`::error title=.*::.*${sentence}.*typo\\?`));
    expect(action.summary).toContain(sentence);
    const run = await cli(['deploy', 'production', '--source', 'app', '-i', key.file], ws.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(sentence);
    expect(run.stderr).toContain('connect to that network first');
    expect(run.stderr).not.toMatch(/runner/);
  });
});

describe('connection errors after TCP came up', () => {
  test('a port that accepts but never speaks SSH: the handshake did not finish, is it an SSH server?', async () => {
    const held: Socket[] = [];
    const { server, port } = await tcpServer((sock) => held.push(sock));
    try {
      const ws = makeWorkspace({ 'index.html': 'hi\n' }, once(`"root@127.0.0.1:${port}"`));
      const r = await runAction({ inputs: inputs({ 'connect-timeout': '2' }), workspace: ws.dir });
      expect(r.code).toBe(1);
      expect(errorLine(r.stdout)).toContain(
        `no SSH connection within 2 s: port ${port} of 127.0.0.1 accepted the TCP connection, but the SSH handshake did not finish: is it an SSH server on that port?`,
      );
    } finally {
      for (const s of held) s.destroy();
      server.close();
    }
  });

  test('a connection reset before the handshake (fail2ban, MaxStartups): said so, with what to check', async () => {
    const { server, port } = await tcpServer((sock) => sock.resetAndDestroy());
    try {
      const ws = makeWorkspace({ 'index.html': 'hi\n' }, once(`"root@127.0.0.1:${port}"`));
      const r = await runAction({ inputs: inputs(), workspace: ws.dir });
      expect(r.code).toBe(1);
      expect(errorLine(r.stdout)).toContain(
        `127.0.0.1 closed the connection on port ${port} before the SSH handshake finished (ECONNRESET): a firewall or fail2ban`,
      );
    } finally {
      server.close();
    }
  });
});

describe('rollback with nothing to roll back to', () => {
  test('says what to do (releases, release:/--release) and names no `fleet` host', async () => {
    const ws = makeWorkspace({ 'index.html': 'hi\n' }, config('local'));
    const action = await runAction({ inputs: inputs({ command: 'rollback' }), workspace: ws.dir });
    expect(action.code).toBe(1);
    const annotation = action.stdout.split('\n').find((l) => l.startsWith('::error'))!;
    expect(annotation).toContain('Run the `releases` command to see what each host has');
    expect(annotation).toContain('`release:` input');
    expect(annotation).not.toMatch(/fleet/);
    expect(action.summary).not.toMatch(/`\s*fleet\s*`/);
    const run = await cli(['rollback', 'production'], ws.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Run deploy-action releases production to see what each host has');
    expect(run.stderr).toContain('--release NAME');
    expect(run.stderr).not.toMatch(/fleet/);
  });
});

describe('a missing config', () => {
  test('names the directory searched, suggests checkout and the config input, and a near name', async () => {
    const ws = makeWorkspace({ 'index.html': 'hi\n' }, config('local'));
    mkdirSync(join(ws.dir, 'sub'));
    const action = await runAction({ inputs: inputs({ config: 'deploy.yaml' }), workspace: ws.dir });
    expect(action.code).toBe(1);
    const annotation = action.stdout.split('\n').find((l) => l.startsWith('::error'))!;
    expect(annotation).toContain(`no deploy.yaml in ${ws.dir}`);
    expect(annotation).toContain('did you mean deploy.yml');
    const empty = tempDir('da-ws-');
    const none = await runAction({ inputs: inputs(), workspace: empty });
    const line = none.stdout.split('\n').find((l) => l.startsWith('::error'))!;
    expect(line).toContain(`no deploy.yml in ${empty}`);
    expect(line).toContain('actions/checkout');
    expect(line).toContain('`config` input');
    const run = await cli(['deploy', 'production'], empty);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no deploy.yml in ${empty}`);
    expect(run.stderr).toContain('--config FILE');
    expect(run.stderr).not.toContain('actions/checkout');
  });
});

describe('the job summary', () => {
  test('a config error is written there too: file, line, key and message', async () => {
    const ws = makeWorkspace({ 'index.html': 'hi\n' }, `${config('local')}    keep_release: 3\n`);
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error title=deploy config,file=deploy.yml,line=6,col=5::/);
    expect(r.summary).toContain('Config error');
    expect(r.summary).toMatch(
      /\| ` deploy.yml ` \| 6:5 \| ` environments.production.keep_release ` \| unknown key.*` keep_releases `/,
    );
  });

  test('an input error before the command began is written there too', async () => {
    const ws = makeWorkspace({ 'index.html': 'hi\n' }, config('local'));
    const r = await runAction({ inputs: inputs({ hosts: 'web9' }), workspace: ws.dir });
    expect(r.code).toBe(1);
    expect(r.summary).toContain('## ❌ deploy did not start');
    expect(r.summary).toContain('input hosts: ');
    expect(r.summary).toContain('Nothing was deployed and no host was reached.');
  });

  test('outside a runner (no GITHUB_STEP_SUMMARY) a deploy succeeds: exit 0, a debug line, no stack trace', async () => {
    const ws = makeWorkspace({ 'index.html': 'hi\n' }, config('local'));
    const r = await runAction({ inputs: inputs(), workspace: ws.dir, noStepSummary: true });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).not.toMatch(STACK);
    expect(r.stdout).toContain('::debug::GITHUB_STEP_SUMMARY is not set');
    // Counts and sizes as a person reads them (not "1 files (0.00 MiB)").
    expect(r.stdout).toMatch(/^built 1 file \(3 B\)$/m);
    // A summary file that cannot be written is a warning, not a failure of a deploy that went through.
    const gone = join(tempDir('da-runner-'), 'gone/summary');
    const other = makeWorkspace({ 'index.html': 'hi\n' }, config('local'));
    const unwritable = await runAction({ inputs: inputs(), workspace: other.dir, env: { GITHUB_STEP_SUMMARY: gone } });
    expect({ code: unwritable.code, stderr: unwritable.stderr }).toEqual({ code: 0, stderr: '' });
    expect(unwritable.stdout).toContain('::warning::the job summary could not be written');
    const failed = await runAction({ inputs: inputs({ command: 'rollback' }), workspace: ws.dir, noStepSummary: true });
    expect(failed.code).toBe(1);
    expect(failed.stderr).not.toMatch(STACK);
  });
});
