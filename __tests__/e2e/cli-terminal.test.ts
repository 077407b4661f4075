/**
 * The CLI as a terminal program (dist/cli/index.js): colour on a terminal and only there, --quiet, --verbose,
 * --version, help within 100 columns. The terminal is a real pseudo-terminal made by util-linux `script`; the
 * host is `local` (the same scripts, run by bash on this machine), so no sshd is needed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeWorkspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');
const ROOT = resolve(CLI, '../../..');
const ESC = '\x1b[';
const GREEN_OK = '\x1b[32m✓\x1b[39m';
const RED_FAIL = '\x1b[31m✗\x1b[39m';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no GitHub variables, no colour settings, no agent. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: tempDir('da-home-'),
    USER: 'alice',
    TERM: 'xterm-256color',
    SHELL: '/bin/bash',
    ...extra,
  };
}

/** `deploy-action ARGS` with stdout and stderr as pipes (not a terminal). */
function piped(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Result> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * `deploy-action ARGS` on a pseudo-terminal (`script -qfec CMD /dev/null`): stdout is the terminal; stderr too,
 * unless `stderrTo` names a file for it (then stderr is not a terminal). Returns what the terminal showed.
 */
function onTerminal(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  stderrTo?: string,
): { code: number | null; screen: string } {
  const command = [process.execPath, CLI, ...args].map(sh).join(' ') + (stderrTo ? ` 2>${sh(stderrTo)}` : '');
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd, env: cleanEnv(env), encoding: 'utf8' });
  return { code: r.status, screen: r.stdout.replace(/\r\n/g, '\n') };
}

/** A workspace deploying to this machine (`local`), with a build hook and a deploy hook that print. */
function localShop(extraEnv = '') {
  const target = tempDir('da-target-');
  const ws = makeWorkspace(
    { VERSION: 'v1\n' },
    `name: shop
environments:
  production:
    hosts: [local]
    deploy_path: ${JSON.stringify(join(target, 'app'))}
    build:
      - echo "built by the build hook"
    deploy:
      - echo "hello from the deploy hook"
${extraEnv}`,
  );
  return { ws, args: (command: string, ...more: string[]) => [command, 'production', '--source', 'app', ...more] };
}

describe('deploy-action on a terminal and off one', () => {
  test('on a terminal ✓ is green, ✗ and error: red, warning: yellow, headings bold; none with NO_COLOR', () => {
    const { ws, args } = localShop();
    const tty = onTerminal(args('deploy'), ws.dir);
    expect({ code: tty.code, tail: tty.screen.slice(-600) }).toMatchObject({ code: 0 });
    expect(tty.screen).toContain(`${GREEN_OK} ${ESC}1mDeploy of shop to production succeeded${ESC}22m`);
    expect(tty.screen).toMatch(/\x1b\[32m✓\x1b\[39m upload \(/);
    expect(tty.screen).toContain(`${ESC}1m==> deploy: shop to production on local`);
    // Text a host sent stays as it came.
    expect(tty.screen).toMatch(/^ *hello from the deploy hook$/m);

    const failed = onTerminal(args('rollback', '--release', 'nosuchrelease'), ws.dir);
    expect(failed.code).toBe(1);
    expect(failed.screen).toContain(`${RED_FAIL} ${ESC}1mRollback of shop to production failed`);
    expect(failed.screen).toContain(`${ESC}31merror:${ESC}39m `);

    const plain = onTerminal(args('deploy'), ws.dir, { NO_COLOR: '1' });
    expect(plain.code).toBe(0);
    expect(plain.screen).toContain('✓ Deploy of shop to production succeeded');
    expect(plain.screen).not.toContain(ESC);
    const plainFail = onTerminal(args('rollback', '--release', 'nosuchrelease'), ws.dir, { NO_COLOR: '1' });
    expect(plainFail.screen).toContain('✗ Rollback of shop to production failed');
    expect(plainFail.screen).not.toContain(ESC);
  });

  test('a warning is yellow on a terminal; colour is decided per stream (stderr to a file stays plain)', () => {
    const { ws, args } = localShop('    env:\n      APP_KEY: ${UNSET_IN_THIS_TEST}\n');
    // A dry run needs no `env`, and warns about the unset variable.
    const tty = onTerminal(args('deploy', '--dry-run'), ws.dir);
    expect(tty.code).toBe(0);
    expect(tty.screen).toContain(`${ESC}33mwarning:${ESC}39m `);

    const errFile = join(ws.dir, 'stderr.txt');
    const split = onTerminal(args('deploy', '--dry-run'), ws.dir, {}, errFile);
    expect(split.code).toBe(0);
    expect(split.screen).toContain(GREEN_OK);
    const stderr = readFileSync(errFile, 'utf8');
    expect(stderr).toMatch(/^warning: /m);
    expect(stderr).not.toContain(ESC);
  });

  test('piped: no colour at all; FORCE_COLOR colours anyway, NO_COLOR wins over it', async () => {
    const { ws, args } = localShop();
    const r = await piped(args('deploy'), ws.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ Deploy of shop to production succeeded');
    expect(r.stdout + r.stderr).not.toContain(ESC);
    const forced = await piped(args('releases'), ws.dir, { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain(GREEN_OK);
    const both = await piped(args('releases'), ws.dir, { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(both.code).toBe(0);
    expect(both.stdout + both.stderr).not.toContain(ESC);
  });

  test('-q prints only the result (and errors); -v and DEPLOY_DEBUG=1 print debug lines', async () => {
    const { ws, args } = localShop();
    const normal = await piped(args('deploy'), ws.dir);
    expect(normal.code).toBe(0);
    expect(normal.stdout).toContain('▶ ');
    expect(normal.stdout).toContain('hello from the deploy hook');
    expect(normal.stderr).not.toContain('debug: ');

    const quiet = await piped(args('deploy', '-q'), ws.dir);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/^✓ Deploy of shop to production succeeded\n/);
    expect(quiet.stdout).not.toContain('▶');
    expect(quiet.stdout).not.toContain('==>');
    expect(quiet.stdout).not.toContain('hello from the deploy hook');
    expect(quiet.stdout).not.toContain('built by the build hook');
    expect(quiet.stderr).toBe('');
    const quietFail = await piped(args('rollback', '--quiet', '--release', 'nosuchrelease'), ws.dir);
    expect(quietFail.code).toBe(1);
    expect(quietFail.stdout).toBe('');
    expect(quietFail.stderr).toContain('✗ Rollback of shop to production failed');
    expect(quietFail.stderr).toMatch(/^error: release nosuchrelease does not exist on local/m);

    const verbose = await piped(args('releases', '-v'), ws.dir);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/^debug: /m);
    const env = await piped(args('releases'), ws.dir, { DEPLOY_DEBUG: '1' });
    expect(env.stderr).toMatch(/^debug: /m);

    const both = await piped(args('releases', '-q', '-v'), ws.dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--quiet and --verbose exclude each other');
  });

  test('build hooks: their output shows as it is, without a `[command]/usr/bin/bash -e -c …` echo', async () => {
    const { ws, args } = localShop();
    const r = await piped(args('deploy'), ws.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^built by the build hook$/m);
    expect(r.stdout + r.stderr).not.toContain('[command]');
  });

  test("a lock held by another run: the CLI says what to run, in the CLI's words", async () => {
    const { ws, args } = localShop();
    expect((await piped(args('deploy'), ws.dir)).code).toBe(0);
    const deployPath = /deploy_path: (".*")/.exec(readFileSync(join(ws.dir, 'deploy.yml'), 'utf8'))![1]!;
    const lock = join(JSON.parse(deployPath) as string, '.deploy/lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'info.json'), '{"actor":"bob","runner":"box"}');
    writeFileSync(join(lock, 'owner'), 'another-run\n');
    const held = await piped(args('deploy'), ws.dir);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('the deploy lock is held by a CLI run on box by bob');
    expect(held.stderr).toContain('To clear it after checking, run deploy-action unlock production.');
    expect(held.stderr).not.toMatch(/command: unlock|this action/);
  });

  test('-V and --version print the version; --help fits in 100 columns', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const cwd = tmpdir();
    for (const flag of ['-V', '--version']) {
      const r = await piped([flag], cwd);
      expect({ code: r.code, out: r.stdout }).toEqual({ code: 0, out: `deploy-action ${version}\n` });
    }
    for (const argv of [['--help'], ['-h'], ['deploy', '--help'], ['help']]) {
      const r = await piped(argv, cwd);
      expect(r.code).toBe(0);
      const long = r.stdout.split('\n').filter((l) => [...l].length > 100);
      expect(long).toEqual([]);
      expect(r.stdout).toContain('-q, --quiet');
      expect(r.stdout).toContain('-V, --version');
    }
  });

  test('the help in docs/cli.md is the help the CLI prints', async () => {
    const r = await piped(['--help'], tmpdir());
    const doc = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');
    const block = /```\n(usage: deploy-action [\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBe(r.stdout);
  });
});
