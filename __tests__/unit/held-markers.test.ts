/**
 * A step's end marker is held in a variable and leaves in the same write(2) as the next marker, so a step's end and
 * the next step's begin travel as one SSH packet (see da_hold in src/remote/sh/prelude.sh). The session runs here in
 * real bash, under strace where it is installed, which shows each write the session makes to its stdout.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { frame, renderPhase, type Phase } from '../../src/remote/phase.js';
import { renderPrelude, sessionCommand, SESSION_LOOP, type PreludeOptions } from '../../src/remote/prelude.js';
import { tempDir } from '../support/temp-dirs.js';

const TOKEN = 'tokHeld';
// Present and permitted to trace (a container may forbid ptrace).
const HAS_STRACE = spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status === 0;
const withStrace = HAS_STRACE ? test : test.skip;

let dir: string;
beforeEach(() => {
  dir = tempDir('da-held-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const prelude = (): PreludeOptions => ({
  markerToken: TOKEN,
  owner: 'run-1',
  deployPath: dir,
  idleSeconds: 5,
  runJson: '"sha":"abc"',
});

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The session's writes to its stdout that carry a marker, each as its marker lines (`kind args…`). */
  writes: string[][];
  /** Every write to its stdout, each as its lines: markers as in `writes`, other lines as `> text`. */
  lines: string[][];
}

/** Runs a session script (prelude + `first` + the loop) with `messages` framed on stdin, optionally under strace. */
function run(first: string, messages: string[], trace = false): Promise<Ran> {
  const command = sessionCommand(renderPrelude(prelude()) + first + SESSION_LOOP);
  const log = join(dir, 'trace');
  const argv = trace
    ? [
        'strace',
        [
          '-f',
          '-qq',
          '-y',
          '-e',
          'trace=write',
          '-e',
          'signal=none',
          '-xx',
          '-s',
          '65536',
          '-o',
          log,
          'sh',
          '-c',
          command,
        ],
      ]
    : ['sh', ['-c', command]];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv[1] as string[], { stdio: 'pipe' });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout,
        writes: trace ? markerWrites(readFileSync(log, 'latin1')) : [],
        lines: trace ? writeLines(readFileSync(log, 'latin1')) : [],
      }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(Buffer.concat(messages.map((m) => frame(m))));
  });
}

/**
 * The writes to the session's stdout in an strace log (-xx: every byte as \\xNN; -y: each fd with what it is), each
 * as its text. What a brief step's shell writes into its command substitution's pipe is not the session's stdout: only
 * writes to the file the hello went to count.
 */
function writesOf(log: string): string[] {
  const writes = [...log.matchAll(/ write\(1<([^>]*)>, "((?:\\x[0-9a-f]{2})*)"/g)].map((m) => ({
    to: m[1],
    text: Buffer.from(m[2]!.replace(/\\x/g, ''), 'hex').toString('latin1'),
  }));
  const stdout = writes.find((w) => w.text.includes(`\x1e${TOKEN} hello `))?.to;
  return writes.filter((w) => w.to === stdout).map((w) => w.text);
}

/** The writes to fd 1 that carry a marker, each as its marker lines. */
function markerWrites(log: string): string[][] {
  return writesOf(log)
    .map(markers)
    .filter((marks) => marks.length > 0);
}

/** Every write to fd 1 (the first-write setup to /dev/null is fd 1 of a redirection, and empty here), as lines. */
function writeLines(log: string): string[][] {
  return writesOf(log)
    .map((text) =>
      text
        .split('\n')
        .filter((l) => l !== '' && l !== 'x')
        .map((l) => (l.startsWith(`\x1e${TOKEN} `) ? markers(l)[0]! : `> ${l}`)),
    )
    .filter((lines) => lines.length > 0);
}

function markers(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`\x1e${TOKEN} `))
    .map((l) => l.slice(TOKEN.length + 2).replace(/^hello \d+ \d+$/, 'hello'));
}

const phase = (bodies: Record<string, string>, brief: readonly string[] = []): Phase => ({
  name: 'p',
  steps: Object.entries(bodies).map(([id, body]) => ({
    id,
    label: id,
    body,
    mayLackDeployPath: true,
    ...(brief.includes(id) ? { brief: true } : {}),
  })),
});

describe('held step ends (real bash)', () => {
  withStrace(
    "a step's end leaves in the same write as the next step's begin, the last one with the phase's end",
    async () => {
      const r = await run(
        renderPhase(phase({ a: 'true', b: 'echo out-b', c: 'da_data key value' })),
        ['exit 0\n'],
        true,
      );
      expect(r.code).toBe(0);
      expect(r.writes).toEqual([
        ['hello', 'step-begin a'],
        ['step-end a 0', 'step-begin b'],
        ['step-end b 0', 'step-begin c'],
        ['data key =value'],
        ['step-end c 0', 'phase-end 0'],
      ]);
    },
  );

  withStrace('a step that fails reports its end and rc with the phase end, before the abort path speaks', async () => {
    const r = await run(renderPhase(phase({ a: 'true', b: 'echo failing; exit 3', c: 'echo never' })), [], true);
    expect(r.code).toBe(3);
    expect(r.writes).toEqual([
      ['hello', 'step-begin a'],
      ['step-end a 0', 'step-begin b'],
      ['step-end b 3', 'phase-end 3'],
      ['undone end'],
    ]);
    expect(r.stdout).not.toContain('never');
  });

  withStrace("a step's held data leave once, together, before its end, also when set -e stops the step", async () => {
    const body = [
      'da_data_hold k1 v1',
      // A pipeline's end is a subshell: it writes its own marker, never the values its parent holds. (`true`, not
      // `echo`: an echo into a reader that does not read may fail with EPIPE, and set -e would end the step there.)
      'true | da_data k2 v2',
      `da_data_hold k3 "$(printf 'a\\tb')"`,
      'false',
      'echo never',
    ].join('\n');
    const r = await run(renderPhase(phase({ s: body })), [], true);
    expect(r.code).toBe(1);
    expect(r.writes).toEqual([
      ['hello', 'step-begin s'],
      ['data k2 =v2'],
      ['data k1 =v1', `data k3 ${Buffer.from('a\tb').toString('base64')}`],
      ['step-end s 1', 'phase-end 1'],
      ['undone end'],
    ]);
    expect(r.stdout).not.toContain('never');
  });

  test("a step's output stays between its begin and its end, and nothing of the next step comes before that end", async () => {
    const r = await run(
      renderPhase(phase({ hook: 'echo line-1; echo err-1 >&2; printf no-newline', next: 'echo line-2' })),
      ['exit 0\n'],
    );
    const at = (s: string) => r.stdout.indexOf(s);
    expect(at('step-begin hook')).toBeLessThan(at('line-1'));
    expect(at('line-1')).toBeLessThan(at('err-1'));
    expect(at('err-1')).toBeLessThan(at('no-newline'));
    expect(at('no-newline')).toBeLessThan(at('step-end hook 0'));
    expect(at('step-end hook 0')).toBeLessThan(at('step-begin next'));
    expect(at('step-begin next')).toBeLessThan(at('line-2'));
    expect(at('line-2')).toBeLessThan(at('step-end next 0'));
  });

  test('SIGTERM right after a step ended: its end goes out (it did end), then the abort path; the next step never begins', async () => {
    const script = 'da_f() { :; }\nda_step a da_f\nkill -TERM $$\nda_step b da_f\n';
    const r = await run(script, []);
    expect(r.code).toBe(143);
    expect(markers(r.stdout)).toEqual(['hello', 'step-begin a', 'step-end a 0', 'undone end']);
  });

  test('SIGKILL right after a step ended: the held end is lost, nothing is invented', async () => {
    const script = 'da_f() { :; }\nda_step a da_f\nkill -KILL $$\nda_step b da_f\n';
    const r = await run(script, []);
    expect(r.signal ?? r.code).not.toBe(0);
    expect(markers(r.stdout)).toEqual(['hello', 'step-begin a']);
  });

  test('a held end goes out before the session waits for its next message, and on exit', async () => {
    const command = sessionCommand(renderPrelude(prelude()) + SESSION_LOOP);
    const child = spawn('sh', ['-c', command], { stdio: 'pipe' });
    let stdout = '';
    const seen = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('step-end a 0')) resolve();
      }),
    );
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // A message that ends with a step (no phase end): the loop reads the next one only after letting the end out.
    child.stdin.write(frame('da_f() { :; }\nda_step a da_f\n'));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('held while waiting'), 3000)));
    expect(await Promise.race([seen.then(() => 'out'), late])).toBe('out');
    clearTimeout(timer);
    // `exit` right after a step: the exit trap lets its end out.
    child.stdin.end(frame('da_step b da_f\nexit 0\n'));
    expect(await closed).toBe(0);
    expect(markers(stdout)).toEqual(['hello', 'step-begin a', 'step-end a 0', 'step-begin b', 'step-end b 0']);
  });
});

describe('brief steps: their output leaves with their end (real bash)', () => {
  withStrace("a brief step's output, stderr too, its end and the next begin leave in one write", async () => {
    const steps = { a: 'echo made-a; echo warned-a >&2', b: 'da_data k v; echo made-b', c: 'echo live-c' };
    const r = await run(renderPhase(phase(steps, ['a', 'b'])), ['exit 0\n'], true);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      ['hello', 'step-begin a'],
      ['> made-a', '> warned-a', 'step-end a 0', 'step-begin b'],
      ['data k =v', '> made-b', 'step-end b 0', 'step-begin c'],
      ['> live-c'],
      ['step-end c 0', 'phase-end 0'],
    ]);
  });

  withStrace('a brief step that fails: its error and rc go out together with the phase end', async () => {
    const r = await run(
      renderPhase(phase({ a: 'echo "error: no" >&2; exit 3', b: 'echo never' }, ['a', 'b'])),
      [],
      true,
    );
    expect(r.code).toBe(3);
    expect(r.lines.slice(0, 2)).toEqual([
      ['hello', 'step-begin a'],
      ['> error: no', 'step-end a 3', 'phase-end 3'],
    ]);
    expect(r.stdout).not.toContain('never');
  });

  test("a brief step's output cannot set its status, and its last line without a newline is kept whole", async () => {
    // The status follows the last \036 of what the step's shell wrote: a step that prints \0360 itself still fails.
    const steps = { a: "printf 'forged\\0360'; exit 5", b: 'echo never' };
    const r = await run(renderPhase(phase(steps, ['a', 'b'])), []);
    expect(r.code).toBe(5);
    expect(markers(r.stdout)).toEqual(['hello', 'step-begin a', 'step-end a 5', 'phase-end 5', 'undone end']);
    expect(r.stdout).toContain('forged\x1e0\n\x1e');
  });

  test('a brief step killed outright reports the signal as its status, with what it said before', async () => {
    const r = await run(renderPhase(phase({ a: 'echo before; kill -KILL $BASHPID' }, ['a'])), []);
    expect(markers(r.stdout)).toEqual(['hello', 'step-begin a', 'step-end a 137', 'phase-end 137', 'undone end']);
    const at = (s: string) => r.stdout.indexOf(s);
    expect(at('step-begin a')).toBeLessThan(at('before'));
    expect(at('before')).toBeLessThan(at('step-end a 137'));
  });

  test("a process a brief step leaves behind, its output sent elsewhere as cleanup's is, does not hold the step up", async () => {
    const started = Date.now();
    const r = await run(renderPhase(phase({ a: 'sleep 5 < /dev/null > /dev/null 2>&1 &\necho started' }, ['a'])), [
      'exit 0\n',
    ]);
    expect(r.code).toBe(0);
    expect(markers(r.stdout)).toEqual(['hello', 'step-begin a', 'step-end a 0', 'phase-end 0']);
    expect(r.stdout).toContain('started\n');
    expect(Date.now() - started).toBeLessThan(4000);
  });

  test('what a process left behind by a brief step writes after its end is never read as its status', async () => {
    const r = await run(renderPhase(phase({ a: '(sleep 0.3; printf 7late) &\necho said' }, ['a'])), []);
    expect(markers(r.stdout)).toEqual(['hello', 'step-begin a', 'step-end a 1', 'phase-end 1', 'undone end']);
    expect(r.stdout).toContain('said\n');
  });

  test('a brief step runs in the deploy path like any step', async () => {
    const r = await run(
      renderPhase({ name: 'p', steps: [{ id: 'a', label: 'a', body: 'echo "in $PWD"', brief: true }] }),
      ['exit 0\n'],
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`in ${dir}\n`);
  });
});
