/**
 * Issue 19, `exec`: one command in `current/` on the selected hosts of a three-host fleet (three sshd), through
 * dist/index.js as the runner runs it and through the CLI (dist/cli/index.js).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { foreignCommands } from '../hardening/runner-commands.js';
import { runAction } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');

/** Lines that would be workflow commands if they reached the runner as they are. */
const HOSTILE = ['::set-output name=release::HOSTILE-output', '::error::HOSTILE-error', '  ::add-mask::deploy'];
const MARK = /HOSTILE/;

let hosts: SshdHandle[] = [];
let base: string;
let ws: Workspace;
let hostile: string;

/** Three hosts: a and b labelled web, c worker; `deploy_path` per host so a command can tell them apart. */
function config(
  paths: Record<'a' | 'b' | 'c', string> = { a: join(base, 'a'), b: join(base, 'b'), c: join(base, 'c') },
  extra = '',
) {
  const entry = (h: SshdHandle, path: string, label: string) =>
    `      - { host: ${h.host}, user: ${h.user}, port: ${h.port}, deploy_path: ${JSON.stringify(path)}, labels: [${label}] }`;
  const [a, b, c] = hosts as [SshdHandle, SshdHandle, SshdHandle];
  return `name: shop
environments:
  production:
    hosts:
${entry(a, paths.a, 'web')}
${entry(b, paths.b, 'web')}
${entry(c, paths.c, 'worker')}
    env:
      GREETING: hello
${extra}`;
}

const name = (i: number) => `${hosts[i]!.user}@${hosts[i]!.host}:${hosts[i]!.port}`;
const knownHosts = () => hosts.map((h) => h.knownHostsLine).join('\n');
const inputs = (extra: Record<string, string>) => ({
  config: 'deploy.yml',
  source: 'app',
  'ssh-private-key': hosts[0]!.privateKey,
  'known-hosts': knownHosts(),
  ...extra,
});

beforeAll(async () => {
  hosts = await Promise.all([startSshd(), startSshd(), startSshd()]);
  for (const h of hosts.slice(1)) h.authorize(hosts[0]!.publicKeyLine());
  base = tempDir('da-exec-');
  hostile = join(base, 'hostile.txt');
  writeFileSync(hostile, `${HOSTILE.join('\n')}\n`);
  ws = makeWorkspace({ VERSION: 'v1\n' }, config());
  const r = await runAction({ inputs: inputs({}), workspace: ws.dir });
  if (r.code !== 0) throw new Error(`the first deploy failed:\n${r.stdout}`);
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

const ran = (h: string, file: string) => existsSync(join(base, h, 'current', file));
const clean = (file: string) => {
  for (const h of ['a', 'b', 'c']) rmSync(join(base, h, 'current', file), { force: true });
};

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli/index.js ARGS` in the workspace, with a HOME whose known_hosts has the three hosts. */
function cli(args: string[], when?: { text: string; act(child: ChildProcess): void }): Promise<CliResult> {
  const home = tempDir('da-home-');
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(home, '.ssh/known_hosts'), `${knownHosts()}\n`);
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice' };
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ws.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (when && stdout.includes(when.text)) {
      when.act(child);
      when = undefined;
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

/** `deploy-action exec production OPTIONS -i KEY -- COMMAND...` */
function exec(options: string[], command: string[]): Promise<CliResult> {
  return cli(['exec', 'production', ...options, '-i', hosts[0]!.privateKeyPath, '--', ...command]);
}

describe('exec (action)', () => {
  test('on two of three hosts, one failing: both ran, exit codes per host in the output and summary, step fails', async () => {
    clean('ran');
    const command = `echo "$GREETING from $DEPLOY_RELEASE" > ran; cat ${hostile}; cat ${hostile} >&2; case $DEPLOY_PATH in */b) echo "b is broken"; exit 7;; esac; echo "all good"`;
    const r = await runAction({
      inputs: inputs({ command: 'exec', hosts: 'label=web', run: command }),
      workspace: ws.dir,
    });
    expect(r.code).not.toBe(0);
    // Both web hosts ran it (the failure on b did not stop a); the worker did not.
    expect([ran('a', 'ran'), ran('b', 'ran'), ran('c', 'ran')]).toEqual([true, true, false]);
    // With the environment's env and the DEPLOY_* variables of the live release.
    expect(readFileSync(join(base, 'a/current/ran'), 'utf8')).toMatch(/^hello from \d{14}/);
    const out = JSON.parse(r.outputs['exec']!) as { host: string; exit_code: number; last_line: string }[];
    expect(out.map((o) => [o.host, o.exit_code, o.last_line])).toEqual([
      [name(0), 0, 'all good'],
      [name(1), 7, 'b is broken'],
    ]);
    expect(r.summary).toContain('| Host | Exit | Duration | Last line |');
    expect(r.summary).toMatch(/\| ✓ 0 \| [^|]+ \| ` all good ` \|/);
    expect(r.summary).toMatch(/\| ✗ 7 \| [^|]+ \| ` b is broken ` \|/);
    // The failure names the host; the annotation is ours.
    expect(r.stdout).toMatch(new RegExp(`::error title=exec failed[^:]*::${name(1)}: exec: exited with code 7`));
    // Host output is streamed, prefixed with the host, and stays text.
    expect(r.stdout).toContain(`[${name(0)}]   ::error::HOSTILE-error`);
    expect({ stdout: foreignCommands(r.stdout, MARK), stderr: foreignCommands(r.stderr, MARK) }).toEqual({
      stdout: [],
      stderr: [],
    });
    // No lock was taken, none is left.
    for (const h of ['a', 'b']) expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
  });

  test('a host where nothing is live is refused, by name, and the command runs nowhere', async () => {
    clean('ran');
    const empty = join(base, 'never-deployed');
    ws.write('../deploy.yml', config({ a: join(base, 'a'), b: join(base, 'b'), c: empty }));
    try {
      const r = await runAction({ inputs: inputs({ command: 'exec', run: 'touch ran' }), workspace: ws.dir });
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain(`${name(2)}: exec: nothing is live there`);
      expect([ran('a', 'ran'), ran('b', 'ran')]).toEqual([false, false]);
    } finally {
      ws.write('../deploy.yml', config());
    }
  });

  test('a host from a secret is *** in the output; run, once and lock belong to exec', async () => {
    const c = hosts[2]!;
    const secret = config().replace(
      `host: ${c.host}, user: ${c.user}, port: ${c.port}`,
      `host: "${'$'}{C_HOST}", user: ${c.user}, port: ${c.port}`,
    );
    ws.write('../deploy.yml', secret);
    try {
      const env = { C_HOST: c.host };
      const r = await runAction({
        inputs: inputs({ command: 'exec', hosts: 'label=worker', run: 'true' }),
        workspace: ws.dir,
        env,
      });
      expect({ code: r.code, out: r.code ? r.stdout.slice(-1500) : '' }).toEqual({ code: 0, out: '' });
      expect(JSON.parse(r.outputs['exec']!)).toEqual([expect.objectContaining({ host: '***', exit_code: 0 })]);
    } finally {
      ws.write('../deploy.yml', config());
    }
    const misplaced = await runAction({ inputs: inputs({ command: 'releases', run: 'true' }), workspace: ws.dir });
    expect(misplaced.code).not.toBe(0);
    expect(misplaced.stdout).toContain('input run: applies to command exec only, not releases');
    const missing = await runAction({ inputs: inputs({ command: 'exec' }), workspace: ws.dir });
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toContain('input run: command exec needs the command line to run');
  });
});

describe('exec (CLI)', () => {
  test('the arguments after -- keep their words; one argument is a command line', async () => {
    const words = await exec(['--hosts', name(2)], ['printf', '[%s]', 'a b', "it's", '$HOME']);
    expect(words.code).toBe(0);
    expect(words.stdout).toContain("[a b][it's][$HOME]");
    const line = await exec(['--hosts', name(2)], ['echo $((6 * 7)) && echo "$GREETING"']);
    expect(line.code).toBe(0);
    expect(line.stdout).toMatch(/^ {2}42$/m);
    expect(line.stdout).toMatch(/hello\s*$/m);
    // stdin is closed: a command that reads gets EOF at once.
    const read = await exec(['--hosts', name(2)], ['read -r x; echo "read: $?"']);
    expect(read.stdout).toContain('read: 1');
  });

  test('--once runs on the first selected host only; --dry-run on none', async () => {
    clean('once');
    const r = await exec(['--once'], ['touch', 'once']);
    expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
    expect([ran('a', 'once'), ran('b', 'once'), ran('c', 'once')]).toEqual([true, false, false]);
    // A dry run says where it would run, and runs nothing.
    clean('dry');
    const dry = await exec(['--dry-run', '--hosts', 'label=web'], ['touch', 'dry']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`${name(1)}: would run touch dry in releases/`);
    expect([ran('a', 'dry'), ran('b', 'dry')]).toEqual([false, false]);
  });

  test('every failing host is named with its exit status; hook_timeout stops a command', async () => {
    const both = await exec(['--hosts', 'label=web'], ['exit 3']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain(
      `error: the command failed on 2 of 2 hosts: ${name(0)} (exit code 3), ${name(1)} (exit code 3)`,
    );
    ws.write('../deploy.yml', config(undefined, '    hook_timeout: 1s\n'));
    try {
      const slow = await exec(['--hosts', name(2)], ['sleep 30']);
      expect(slow.code).toBe(1);
      expect(slow.stderr).toContain(`${name(2)}: exec: exited with code 124: error: stopped after hook_timeout (1 s)`);
    } finally {
      ws.write('../deploy.yml', config());
    }
  });

  test('cancelled (SIGTERM): exit 130, and the command stops on the host', async () => {
    const marker = 'sleep 41.5';
    const running = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(marker);
    let seen = false;
    const r = await cli(['exec', 'production', '--hosts', 'label=web', '-i', hosts[0]!.privateKeyPath, '--', marker], {
      text: `▶ ${marker}`,
      act: (child) =>
        setTimeout(() => {
          seen = running();
          child.kill('SIGTERM');
        }, 300),
    });
    expect({ code: r.code, seen }).toEqual({ code: 130, seen: true });
    const deadline = Date.now() + 5000;
    while (running() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    expect(running()).toBe(false);
  });

  test('--lock holds the deploy lock while the command runs and releases it; refused while another run holds it', async () => {
    const held = 'test -d "$DEPLOY_PATH/.deploy/lock" && echo "lock held"';
    const r = await exec(['--lock', '--hosts', 'label=web'], [held]);
    expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
    expect(r.stdout.match(/lock held/g)?.length).toBeGreaterThanOrEqual(2);
    for (const h of ['a', 'b']) expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
    // Another run's lock (its session still running: this process).
    const lock = join(base, 'b/.deploy/lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), 'someone-else\n');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    writeFileSync(
      join(lock, 'info.json'),
      `{"actor":"bob","runner":"ci-box","pid":${process.pid},"boot_id":"${boot}"}\n`,
    );
    try {
      clean('locked');
      const refused = await exec(['--lock', '--hosts', 'label=web'], ['touch', 'locked']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/deploy lock is held by a CLI run on ci-box by bob/);
      expect([ran('a', 'locked'), ran('b', 'locked')]).toEqual([false, false]);
      expect(existsSync(join(base, 'a/.deploy/lock'))).toBe(false);
      // Without --lock it runs, and says that the lock is held.
      const unlocked = await exec(['--hosts', 'label=web'], ['touch', 'locked']);
      expect(unlocked.code).toBe(0);
      expect(unlocked.stderr).toMatch(
        /the deploy lock is held by a CLI run on ci-box by bob \(its session is still running\); exec neither waits for it nor takes it/,
      );
      expect([ran('a', 'locked'), ran('b', 'locked')]).toEqual([true, true]);
      expect(existsSync(lock)).toBe(true);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  });
});
