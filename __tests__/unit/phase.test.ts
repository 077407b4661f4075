import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { END_SESSION, frame, renderPhase, type Phase } from '../../src/remote/phase.js';
import {
  MAX_SESSION_COMMAND,
  preludeParts,
  renderPrelude,
  sessionCommand,
  SESSION_LOOP,
  STDIN_SCRIPT_END,
  STDIN_SESSION_COMMAND,
  type PreludeOptions,
} from '../../src/remote/prelude.js';
import { HostSession } from '../../src/remote/session.js';
import { inspect } from '../../src/remote/steps/inspect.js';
import { lock } from '../../src/remote/steps/lock.js';
import { prepare } from '../../src/remote/steps/prepare.js';
import { LocalTransport } from '../../src/transport/local.js';
import { tempDir } from '../support/temp-dirs.js';

const TOKEN = 'tok123';

function preludeFor(deployPath: string): PreludeOptions {
  return { markerToken: TOKEN, owner: 'run-1', deployPath, idleSeconds: 5, runJson: '"sha":"abc"' };
}

/** Runs a session's command as a host would (prelude, then the loop), with the given framed messages on stdin. */
function runSession(
  deployPath: string,
  messages: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', sessionCommand(renderPrelude(preludeFor(deployPath)) + SESSION_LOOP)], {
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(Buffer.concat(messages.map((m) => frame(m))));
  });
}

/** The marker lines of a session's stdout, as `kind args…`. */
function markers(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(`\x1e${TOKEN} `))
    .map((l) => l.slice(TOKEN.length + 2));
}

const threeSteps = (dp: string): Phase => ({
  name: 'test',
  vars: { DA_RELEASE: 'r1' },
  steps: [
    { id: 'one', label: 'one', body: `echo one > ${JSON.stringify(join(dp, 'one'))}` },
    {
      id: 'two',
      label: 'two',
      body: [
        `echo two-before > ${JSON.stringify(join(dp, 'two-before'))}`,
        `sh -c 'exit 7'`,
        `echo two-after > ${JSON.stringify(join(dp, 'two-after'))}`,
      ].join('\n'),
    },
    { id: 'three', label: 'three', body: `echo three > ${JSON.stringify(join(dp, 'three'))}` },
  ],
});

describe('a phase run by the session loop (real bash)', () => {
  let dp: string;
  beforeEach(() => {
    dp = tempDir('da-phase-');
  });
  afterEach(() => rmSync(dp, { recursive: true, force: true }));

  test('a step that fails stops the phase: set -e stops inside the step, later steps never run, the session exits with its code', async () => {
    const r = await runSession(dp, [renderPhase(threeSteps(dp)), END_SESSION]);
    expect(existsSync(join(dp, 'one'))).toBe(true);
    expect(existsSync(join(dp, 'two-before'))).toBe(true);
    expect(existsSync(join(dp, 'two-after'))).toBe(false);
    expect(existsSync(join(dp, 'three'))).toBe(false);
    expect(markers(r.stdout)).toEqual([
      expect.stringMatching(/^hello \d+ \d+$/),
      'step-begin one',
      'step-end one 0',
      'step-begin two',
      'step-end two 7',
      'phase-end 7',
      // The abort path ran to its end (it took no lock here, so it released none).
      'undone end',
    ]);
    expect(r.code).toBe(7);
  });

  test('a phase whose steps all succeed reports phase-end 0 and the session reads the next message', async () => {
    const ok: Phase = {
      name: 'ok',
      steps: [
        { id: 'a', label: 'a', body: 'true' },
        { id: 'b', label: 'b', body: '' },
      ],
    };
    const r = await runSession(dp, [renderPhase(ok), 'exit 0\n']);
    expect(markers(r.stdout).slice(1)).toEqual([
      'step-begin a',
      'step-end a 0',
      'step-begin b',
      'step-end b 0',
      'phase-end 0',
    ]);
    expect(r.code).toBe(0);
  });

  test('set -o pipefail and set -u are in force inside a step', async () => {
    const phase: Phase = {
      name: 'p',
      steps: [
        { id: 'pipe', label: 'pipe', body: `false | cat\necho not-reached > ${JSON.stringify(join(dp, 'pipe'))}` },
      ],
    };
    const r = await runSession(dp, [renderPhase(phase), END_SESSION]);
    expect(markers(r.stdout)).toContain('step-end pipe 1');
    expect(existsSync(join(dp, 'pipe'))).toBe(false);
    expect(r.code).toBe(1);

    const unset: Phase = {
      name: 'p',
      steps: [
        { id: 'u', label: 'u', body: `echo "$NOT_SET_ANYWHERE"\necho reached > ${JSON.stringify(join(dp, 'u'))}` },
      ],
    };
    const r2 = await runSession(dp, [renderPhase(unset), END_SESSION]);
    expect(existsSync(join(dp, 'u'))).toBe(false);
    expect(r2.code).not.toBe(0);
  });

  test('phase variables reach the steps with their exact values', async () => {
    const value = `it's "x" $(touch ${join(dp, 'pwned')}) \`y\` ;\nnext`;
    const phase: Phase = {
      name: 'vars',
      vars: { DA_RELEASE: 'r1', MY_VALUE_2: value },
      steps: [{ id: 'w', label: 'w', body: `printf '%s' "$MY_VALUE_2" > ${JSON.stringify(join(dp, 'out'))}` }],
    };
    const r = await runSession(dp, [renderPhase(phase), END_SESSION]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dp, 'out'), 'utf8')).toBe(value);
    expect(existsSync(join(dp, 'pwned'))).toBe(false);
  });

  test('a multibyte UTF-8 script is framed by bytes, so the next message is read intact', async () => {
    const text = 'héllo wörld ✓ 日本語 😀';
    const phase: Phase = {
      name: 'u',
      steps: [{ id: 'utf8', label: 'utf8', body: `printf '%s' '${text}' > ${JSON.stringify(join(dp, 'utf8'))}` }],
    };
    const second: Phase = {
      name: 'v',
      steps: [{ id: 'next', label: 'next', body: `echo second > ${JSON.stringify(join(dp, 'second'))}` }],
    };
    const r = await runSession(dp, [renderPhase(phase), renderPhase(second), END_SESSION]);
    expect(readFileSync(join(dp, 'utf8'), 'utf8')).toBe(text);
    expect(readFileSync(join(dp, 'second'), 'utf8')).toBe('second\n');
    expect(markers(r.stdout).filter((m) => m.startsWith('phase-end'))).toEqual(['phase-end 0', 'phase-end 0']);
    expect(r.code).toBe(0);
  });

  test('the same failure through HostSession over LocalTransport: the result names the step and the session ends with its code', async () => {
    const s = await HostSession.open(new LocalTransport(), { ...preludeFor(dp), markerToken: `t${Date.now()}` });
    let timer: NodeJS.Timeout | undefined;
    try {
      const phase = threeSteps(dp);
      phase.steps[1]!.body = `echo about to fail\n${phase.steps[1]!.body}`;
      const result = await s.run(phase);
      expect(result.ok).toBe(false);
      expect(result.rc).toBe(7);
      expect(result.steps.map((x) => `${x.id}:${x.status}:${x.rc}`)).toEqual(['one:ok:0', 'two:failed:7']);
      expect(result.failed?.id).toBe('two');
      expect(result.failed?.tail).toContain('about to fail');
      // the host ends the session by itself, without being told
      const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running'), 5000)));
      expect(await Promise.race([s.exited, timeout])).toEqual({ code: 7, signal: null });
      expect(s.ended).toBe(true);
    } finally {
      clearTimeout(timer);
      if (!s.ended) s.destroy();
    }
    expect(existsSync(join(dp, 'three'))).toBe(false);
  });
});

describe('renderPhase', () => {
  test.each(['lower', 'A-B', '1ABC', 'A B', 'A;touch x', 'A$(x)', '', '_A', 'Ä', 'LC_ALL', 'LANG'])(
    'rejects the variable name %j',
    (name) => {
      expect(() => renderPhase({ name: 'p', vars: { [name]: 'v' }, steps: [] })).toThrow(/bad phase variable name/);
    },
  );

  test('accepts upper-case names with digits and underscores', () => {
    const script = renderPhase({ name: 'p', vars: { DA_RELEASE: 'r 1', X2_Y: '' }, steps: [] });
    expect(script).toContain("DA_RELEASE='r 1'\n");
    expect(script).toContain("X2_Y=''\n");
  });

  test('ends with a phase-end marker and the abort path', () => {
    const script = renderPhase({ name: 'p', steps: [{ id: 'a', label: 'a', body: 'true' }] });
    expect(script).toMatch(/da_mark phase-end "\$da_rc"\n/);
    expect(script).toMatch(/da_abort; exit "\$da_rc"/);
  });
});

describe('frame', () => {
  test('the length prefix counts bytes, not UTF-16 code units', () => {
    const script = 'echo é✓😀\n';
    const framed = frame(script);
    const nl = framed.indexOf(0x0a);
    const n = Number(framed.subarray(0, nl).toString());
    expect(n).toBe(Buffer.byteLength(script, 'utf8'));
    expect(n).toBeGreaterThan(script.length);
    expect(framed.subarray(nl + 1).toString('utf8')).toBe(script);
    expect(framed.length).toBe(nl + 1 + n);
  });

  test('an empty script frames as 0', () => {
    expect(frame('').toString()).toBe('0\n');
  });
});

/** Runs the short session command under sh with `input` on stdin. */
function viaStdin(input: Buffer): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', STDIN_SESSION_COMMAND], { stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ out, code }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

describe('sessionCommand', () => {
  const run = (shell: string, script: string, stdin: Buffer) =>
    new Promise<string>((resolve) => {
      // A UTF-8 locale, as on most servers: frames count bytes all the same.
      const child = spawn(shell, ['-c', sessionCommand(script)], {
        stdio: 'pipe',
        env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      });
      let s = '';
      child.stdout.on('data', (d: Buffer) => (s += d.toString()));
      child.on('close', () => resolve(s));
      child.stdin.end(stdin);
    });

  test('hands any script to bash untouched, whatever the login shell', async () => {
    const script = `printf '%s|' "it's" 'a "b" \\ $HOME' \`echo ü\` $'tab\there'
echo "$BASH_VERSION" | grep -c .
`;
    for (const shell of ['sh', 'bash']) {
      // \t inside $'…' is bash's: a tab. $BASH_VERSION is set: bash ran it, not the login shell.
      expect(await run(shell, script, Buffer.alloc(0))).toBe(`it's|a "b" \\ $HOME|ü|tab\there|1\n`);
    }
  });

  test("a prelude with a deploy's first phase fits in the exec request, gzipped (Dropbear takes 9,000 bytes, csh 8 KB words)", () => {
    // The largest first phase a deploy sends: prepare, lock and inspect with a base offer and the web user's detection,
    // for a run on GitHub (the longest run record). Past the limit the script goes on stdin: a round trip later.
    const run =
      '"repository":"acme/shop","run_id":"12345678901","run_attempt":"1","actor":"octocat-the-deployer","sha":"0123456789abcdef0123456789abcdef01234567"';
    const [shared, own, helpers] = preludeParts({
      markerToken: 'a1b2c3d4e5f6',
      owner: 'r-12345678901-1-0123abcd',
      deployPath: `/var/www/${'shop-'.repeat(40)}`, // a long one
      idleSeconds: 120,
      runJson: run,
    });
    const first = renderPhase({
      name: 'inspect',
      steps: [
        prepare(),
        lock(`${run},"run_url":"https://github.com/acme/shop/actions/runs/12345678901"`),
        inspect({ detectHttpUser: true, offerBaseFrom: 5 }),
      ],
    });
    expect(sessionCommand([shared, own, helpers + first + SESSION_LOOP]).length).toBeLessThan(MAX_SESSION_COMMAND);
    // As the session sends it, its parts as gzip members (see gzip-members.ts). With room to spare (6.6 KB, with the
    // held markers and the bounded lock record): what only some runs need goes in a later request (a staged
    // release's undo: lock.ts). Past the limit the script goes on stdin: one more round trip, not a failure.
    expect(sessionCommand([shared, own, helpers + first + SESSION_LOOP]).length).toBeLessThan(
      MAX_SESSION_COMMAND - 1300,
    );
    expect(MAX_SESSION_COMMAND).toBeLessThanOrEqual(8000);
  });

  test('a script too long for the request is read from stdin by the short command, then the loop goes on', async () => {
    const dp = tempDir('da-loop-');
    const noise = randomBytes(12_000).toString('base64'); // does not compress
    const script = `${renderPrelude(preludeFor(dp))}: ${noise}\nprintf 'first|'\n${SESSION_LOOP}`;
    expect(sessionCommand(script).length).toBeGreaterThan(MAX_SESSION_COMMAND);
    const { out } = await viaStdin(
      Buffer.concat([frame(script + STDIN_SCRIPT_END), frame("printf 'second'; exit 0\n")]),
    );
    expect(
      out
        .split('\n')
        .filter((l) => !l.startsWith('\x1e'))
        .join(''),
    ).toBe('first|second');
    rmSync(dp, { recursive: true, force: true });
  });

  test('a script on stdin that arrives cut short is not run at all (it would stop short of the loop that cleans up)', async () => {
    const dp = tempDir('da-loop-');
    const script = `${renderPrelude(preludeFor(dp))}mkdir "$DA_DEPLOY_PATH/ran"\nexit 0\n${SESSION_LOOP}${STDIN_SCRIPT_END}`;
    const framed = frame(script);
    const cut = await viaStdin(framed.subarray(0, framed.length - 200)); // the runner's write was cut off
    expect(cut.code).toBe(70);
    expect(existsSync(join(dp, 'ran'))).toBe(false);
    const whole = await viaStdin(framed);
    expect(whole.code).toBe(0);
    expect(existsSync(join(dp, 'ran'))).toBe(true);
    rmSync(dp, { recursive: true, force: true });
  });

  test('the loop reads exactly one framed script at a time (bytes, not characters) and leaves the rest', async () => {
    const dp = tempDir('da-loop-');
    const out = await run(
      'sh',
      renderPrelude(preludeFor(dp)) + SESSION_LOOP,
      Buffer.concat([
        frame("printf '%s|' 'ü1'; IFS= read -r rest; printf '%s|' \"$rest\"\n"),
        Buffer.from('after\n'),
        frame("printf 'second'; exit 0\n"),
      ]),
    );
    expect(
      out
        .split('\n')
        .filter((l) => !l.startsWith('\x1e'))
        .join(''),
    ).toBe('ü1|after|second');
    rmSync(dp, { recursive: true, force: true });
  });
});
