/**
 * `doctor` against real sshd: a good host, a host without setfacl (writable_mode: acl), a read-only deploy path, a
 * login file that prints. Through dist/index.js as the runner runs it, and through the CLI; exit codes checked.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runAction } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { hostEntry, makeWorkspace, sshInputs } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');

let sshd: SshdHandle;
/** The login shell sources this file (BASH_ENV) on every connection; empty unless a case writes it. */
let bashEnv: string;
/** The second server's PATH has every tool of /usr/bin but setfacl; the third's every one but tar. */
let noAcl: SshdHandle;
let noTar: SshdHandle;
beforeAll(async () => {
  const dir = tempDir('da-doctor-');
  bashEnv = join(dir, 'env.sh');
  writeFileSync(bashEnv, '');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const binTar = join(dir, 'bin-tar');
  mkdirSync(binTar);
  for (const name of readdirSync('/usr/bin')) {
    if (name !== 'setfacl') symlinkSync(join('/usr/bin', name), join(bin, name));
    if (name !== 'tar') symlinkSync(join('/usr/bin', name), join(binTar, name));
  }
  [sshd, noAcl, noTar] = await Promise.all([
    startSshd({ extraConfig: [`SetEnv BASH_ENV=${bashEnv}`] }),
    startSshd({ extraConfig: [`SetEnv PATH=${bin}`] }),
    startSshd({ extraConfig: [`SetEnv PATH=${binTar}`] }),
  ]);
});
afterEach(() => writeFileSync(bashEnv, ''));
afterAll(async () => {
  await Promise.all([sshd?.stop(), noAcl?.stop(), noTar?.stop()]);
});

function config(server: SshdHandle, dp: string, extra = ''): string {
  return `name: shop
environments:
  production:
    hosts: [${hostEntry(server)}]
    deploy_path: ${JSON.stringify(dp)}
    writable_dirs: [storage/logs]
${extra}`;
}

const freshPath = () => join(tempDir('da-doctor-target-'), 'app');

async function doctor(server: SshdHandle, dp: string, extra = '') {
  const ws = makeWorkspace({ 'index.html': 'hello\n' }, config(server, dp, extra));
  const execs = server.execRequests();
  const r = await runAction({ inputs: sshInputs(server, { command: 'doctor' }), workspace: ws.dir });
  return { ...r, ws, execs: server.execRequests() - execs };
}

/** The table row of a check, as the log shows it (text renderer). */
const row = (text: string, check: string) => text.split('\n').find((l) => l.includes(` ${check} `)) ?? '';

describe('doctor (action)', () => {
  test('a good host: every check passes, one exec, nothing created, exit 0', async () => {
    const dp = freshPath();
    const r = await doctor(sshd, dp);
    expect({ code: r.code, out: r.code === 0 ? '' : r.stdout.slice(-3000) }).toEqual({ code: 0, out: '' });
    expect(r.execs).toBe(1);
    expect(r.summary).toContain('Doctor');
    expect(r.summary).toContain('Every host has what a deploy needs.');
    for (const check of ['bash', 'tools', 'login files', 'deploy path', 'free disk', 'clock', 'deploy lock'])
      expect([check, row(r.stdout, check)]).toEqual([check, expect.stringContaining('✓')]);
    expect(r.stdout).not.toContain('✗');
    expect(row(r.stdout, 'deploy path')).toContain('the first deploy creates it');
    // The doctor never changes a host: the deploy path was not created, no lock taken.
    expect(existsSync(dp)).toBe(false);
  });

  test('a host without setfacl when writable_mode: acl: ✗ with the fix, exit 1 naming the host', async () => {
    const r = await doctor(noAcl, freshPath(), '    writable_mode: acl\n');
    expect(r.code).toBe(1);
    expect(row(r.stdout, 'setfacl')).toMatch(/✗.*not found in PATH.*apt-get install acl/);
    expect(r.summary).toMatch(/\| ✗ \| setfacl \|/);
    expect(r.stdout).toContain(`a deploy would fail on ${noAcl.user}@${noAcl.host}:${noAcl.port}`);
  });

  test('a read-only deploy path (immutable): ✗ not writable, exit 1', async () => {
    const dp = freshPath();
    mkdirSync(dp);
    execFileSync('chattr', ['+i', dp]);
    try {
      const r = await doctor(sshd, dp);
      expect(r.code).toBe(1);
      expect(row(r.stdout, 'deploy path')).toMatch(new RegExp(`✗.*not writable: ${dp}`));
      expect(r.summary).toMatch(/\| ✗ \| deploy path \|/);
    } finally {
      execFileSync('chattr', ['-i', dp]);
    }
  });

  test('two hosts, one without tar and one unreachable: each has its row saying why; the good one is checked', async () => {
    const dp = freshPath();
    const closed = `{ host: 127.0.0.1, user: root, port: 1 }`;
    const ws = makeWorkspace(
      { 'index.html': 'hello\n' },
      // No retries of the closed port (1 s, then 2 s): the row is what this test is about.
      config(noTar, dp, '    connect_retries: 0\n').replace(/hosts: \[(.*)\]/, `hosts: [$1, ${closed}]`),
    );
    const r = await runAction({
      inputs: sshInputs(noTar, { command: 'doctor', 'connect-timeout': '5' }),
      workspace: ws.dir,
    });
    expect(r.code).toBe(1);
    expect(row(r.stdout, 'bash and tools')).toMatch(/✗.*missing: tar/);
    expect(r.stdout).toMatch(/✗ +SSH login +could not connect +.*port 1/);
    expect(r.stdout).toMatch(/a deploy would fail on root@127\.0\.0\.1:\d+, root@127\.0\.0\.1:1/);
  });

  test('a login file that prints: ⚠ with the fix, the deploy would still work (exit 0)', async () => {
    writeFileSync(bashEnv, 'echo "Welcome to web1"\n');
    const r = await doctor(sshd, freshPath());
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'login files')).toMatch(/⚠.*printed \d+ lines? before the session started/);
    expect(r.summary).toMatch(/\| ⚠ \| login files \|/);
  });

  test('a lock left by a run that ended: ✗ with who holds it and how to clear it, the lock left alone', async () => {
    const dp = freshPath();
    mkdirSync(join(dp, '.deploy/lock'), { recursive: true });
    mkdirSync(join(dp, 'releases'));
    writeFileSync(join(dp, '.deploy/lock/owner'), 'someone-else\n');
    writeFileSync(join(dp, '.deploy/lock/info.json'), '{"actor":"mona","run_id":"7"}\n');
    const r = await doctor(sshd, dp);
    expect(r.code).toBe(1);
    expect(row(r.stdout, 'deploy path')).toMatch(new RegExp(`✓.*${dp} is writable`));
    expect(row(r.stdout, 'deploy lock')).toMatch(/✗.*held by a run that has ended.*run 7 by mona.*command: unlock/);
    expect(existsSync(join(dp, '.deploy/lock/info.json'))).toBe(true);
  });

  test('a login file that reads input: ✗ the session did not start, with the cause, exit 1', async () => {
    writeFileSync(bashEnv, 'read -r answer\n');
    const ws = makeWorkspace({ 'index.html': 'hello\n' }, config(sshd, freshPath()));
    const r = await runAction({
      inputs: sshInputs(sshd, { command: 'doctor', 'start-timeout': '2' }),
      workspace: ws.dir,
    });
    expect(r.code).toBe(1);
    expect(row(r.stdout, 'login files')).toMatch(/✗.*kept the session from starting.*did not start the session in 2 s/);
  });
});

function cli(args: string[], cwd: string, home: string): Promise<{ code: number | null; all: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  child.stdout.on('data', (d: Buffer) => (all += d.toString()));
  child.stderr.on('data', (d: Buffer) => (all += d.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, all })));
}

describe('doctor (CLI)', () => {
  const home = () => {
    const dir = tempDir('da-home-');
    mkdirSync(join(dir, '.ssh'), { mode: 0o700 });
    writeFileSync(join(dir, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n${noAcl.knownHostsLine}\n`);
    return dir;
  };

  test('deploy-action doctor production: a good host exits 0 with the table', async () => {
    const ws = makeWorkspace({ 'index.html': 'hello\n' }, config(sshd, freshPath()));
    const r = await cli(['doctor', 'production', '--source', 'app', '-i', sshd.plainKeyPath], ws.dir, home());
    expect({ code: r.code, out: r.code === 0 ? '' : r.all }).toEqual({ code: 0, out: '' });
    expect(row(r.all, 'deploy lock')).toMatch(/✓.*free/);
  });

  test('deploy-action doctor production: no setfacl exits 1, the table and the fix shown', async () => {
    const ws = makeWorkspace({ 'index.html': 'hello\n' }, config(noAcl, freshPath(), '    writable_mode: acl\n'));
    const r = await cli(['doctor', 'production', '--source', 'app', '-i', noAcl.plainKeyPath], ws.dir, home());
    expect(r.code).toBe(1);
    expect(row(r.all, 'setfacl')).toMatch(/✗.*apt-get install acl/);
    expect(r.all).toContain('a deploy would fail on');
  });
});
