import { mkdirSync, readFileSync, readlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PassThrough, Readable, type Writable } from 'node:stream';
import type { Transport } from '../../src/transport/types.js';
import { LocalTransport } from '../../src/transport/local.js';
import { HostSession } from '../../src/remote/session.js';
import { prepare } from '../../src/remote/steps/prepare.js';
import { lock, unlock } from '../../src/remote/steps/lock.js';
import { inspect } from '../../src/remote/steps/inspect.js';
import { release } from '../../src/remote/steps/release.js';
import { upload } from '../../src/remote/steps/upload.js';
import { shared } from '../../src/remote/steps/shared.js';
import { symlink } from '../../src/remote/steps/symlink.js';
import { hookSteps, IN_RELEASE } from '../../src/remote/steps/hooks.js';
import type { Step } from '../../src/remote/phase.js';
import { q } from '../../src/remote/quote.js';
import { readInspect } from '../../src/remote/steps/inspect.js';
import { tempDir } from '../support/temp-dirs.js';

function tarOf(files: Record<string, string>): Buffer {
  const src = tempDir('da-src-');
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(src, name, '..'), { recursive: true });
    writeFileSync(join(src, name), body);
  }
  return execFileSync('tar', ['-czf', '-', '-C', src, '.']);
}

function open(deployPath: string, owner = 'run-1'): HostSession {
  return HostSession.open(new LocalTransport(), {
    markerToken: `t${Math.random().toString(16).slice(2)}`,
    owner,
    deployPath,
    idleSeconds: 30,
    runJson: '"sha":"abc"',
  });
}

/** The upload step reads the tar, then the manifest, each as length-prefixed chunks ending with `0`. */
const stage = (name: string, tar: Buffer, extra: Step[] = []) => ({
  phase: {
    name: 'stage',
    vars: { DA_RELEASE: name },
    steps: [release(), upload({ revision: 'abc', skip: [] }), ...extra],
  },
  payload: { open: () => Readable.from([Buffer.from(`${tar.length}\n`), tar, Buffer.from('0\n0\n')]) },
});

describe('host session (local transport)', () => {
  test('a whole deploy runs in one session: lock, stage with payload, hooks, switch, unlock', async () => {
    const dp = join(tempDir('da-dp-'), 'app dir $(touch pwned)');
    const s = await open(dp);
    const first = await s.run({
      name: 'inspect',
      steps: [prepare(), lock('"owner":"run-1"'), inspect({ detectHttpUser: false })],
    });
    expect(first.ok).toBe(true);
    expect(first.data.get('live')).toEqual(['']);
    const tar = tarOf({ VERSION: 'v1\n', 'storage/logs/a.log': 'x' });
    const { phase, payload } = stage('r1', tar, [shared({ dirs: ['storage'], files: ['.env'] })!]);
    const staged = await s.run(phase, payload);
    expect(staged.steps.map((x) => `${x.id}:${x.status}`)).toEqual(['release:ok', 'upload:ok', 'shared:ok']);
    const hooks = await s.run({
      name: 'hooks',
      steps: hookSteps([{ run: 'echo "hook sees $GREETING" > hook.txt' }], { GREETING: "it's me" }, IN_RELEASE, 60_000),
    });
    expect(hooks.ok).toBe(true);
    const sw = await s.run({ name: 'switch', steps: [symlink('')] });
    expect(sw.ok).toBe(true);
    const fin = await s.run({ name: 'finish', steps: [unlock()] });
    expect(fin.ok).toBe(true);
    expect((await s.end()).code).toBe(0);
    // The run's scratch files (the upload's listing for the index) went at unlock, not on the way out.
    expect(readdirSync(join(dp, '.deploy')).filter((n) => n.startsWith('tmp.'))).toEqual([]);
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/r1');
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v1\n');
    expect(readFileSync(join(dp, 'current/hook.txt'), 'utf8')).toBe("hook sees it's me\n");
    expect(readlinkSync(join(dp, 'releases/r1/storage'))).toBe('../../shared/storage');
    expect(readFileSync(join(dp, 'shared/storage/logs/a.log'), 'utf8')).toBe('x');
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
    expect(readdirSync(join(dp, '.deploy/pending'))).toEqual([]);
    expect(existsSync(join(dp, '..', 'pwned'))).toBe(false);
  });

  test('a step cut short leaves no scratch files behind: the abort path sweeps .deploy/tmp.<owner>', async () => {
    const dp = tempDir('da-dp-');
    const s = open(dp);
    const r = await s.run({
      name: 'stage',
      steps: [
        prepare(),
        lock('"owner":"run-1"'),
        {
          id: 'scratch',
          label: 'scratch',
          body: 'mkdir -p ".deploy/tmp.$DA_OWNER" && : > ".deploy/tmp.$DA_OWNER/listing" && exit 3',
        },
      ],
    });
    expect(r.ok).toBe(false);
    await s.exited;
    expect(readdirSync(join(dp, '.deploy')).filter((n) => n.startsWith('tmp.'))).toEqual([]);
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
  });

  test('a failing hook ends the session: partial release, seeded shared entries and the lock are gone', async () => {
    const dp = tempDir('da-dp-');
    const s = await open(dp);
    await s.run({ name: 'inspect', steps: [prepare(), lock('"owner":"run-1"')] });
    const tar = tarOf({ VERSION: 'v1\n' });
    const { phase, payload } = stage('r1', tar, [shared({ dirs: ['storage'], files: [] })!]);
    expect((await s.run(phase, payload)).ok).toBe(true);
    const hooks = await s.run({
      name: 'hooks',
      steps: hookSteps([{ run: 'echo about to fail; exit 3' }], {}, IN_RELEASE, 60_000),
    });
    expect(hooks.ok).toBe(false);
    expect(hooks.failed?.id).toBe('hook-1');
    expect(hooks.failed?.tail).toContain('about to fail');
    await s.exited;
    expect(readdirSync(join(dp, 'releases'))).toEqual([]);
    expect(readdirSync(join(dp, 'shared'))).toEqual([]);
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
    expect(readFileSync(join(dp, '.deploy/history.jsonl'), 'utf8')).toContain('"event":"failed","release":"r1"');
  });

  test('EOF from the runner after a switch reverts it and releases the lock', async () => {
    const dp = tempDir('da-dp-');
    mkdirSync(join(dp, 'releases/old'), { recursive: true });
    execFileSync('ln', ['-s', 'releases/old', join(dp, 'current')]);
    const s = await open(dp);
    await s.run({ name: 'inspect', steps: [prepare(), lock('"owner":"run-1"')] });
    const tar = tarOf({ VERSION: 'v2\n' });
    const { phase, payload } = stage('r2', tar);
    await s.run(phase, payload);
    await s.run({ name: 'switch', steps: [symlink('releases/old')] });
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/r2');
    s.destroy();
    await s.exited;
    for (let i = 0; i < 50 && existsSync(join(dp, '.deploy/lock')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/old');
    expect(readdirSync(join(dp, 'releases'))).toEqual(['old']);
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
  });

  test('a switch records where current really pointed, when it changed after the inspection: that is where a revert goes', async () => {
    const dp = tempDir('da-dp-');
    mkdirSync(join(dp, 'releases/old'), { recursive: true });
    mkdirSync(join(dp, 'releases/older'), { recursive: true });
    execFileSync('ln', ['-s', 'releases/old', join(dp, 'current')]);
    const s = await open(dp);
    await s.run({ name: 'inspect', steps: [prepare(), lock('"owner":"run-1"')] });
    const { phase, payload } = stage('r2', tarOf({ VERSION: 'v2\n' }));
    await s.run(phase, payload);
    // Inspected when `current` pointed to releases/older; it was switched by hand since.
    const sw = await s.run({ name: 'switch', steps: [symlink('releases/older')] });
    expect(sw.steps[0]?.tail).toContain('current -> releases/r2 (was releases/old)');
    s.destroy();
    await s.exited;
    for (let i = 0; i < 50 && existsSync(join(dp, '.deploy/lock')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/old');
  });

  test('the first phase travels with the exec request: the host runs it before reading anything from stdin', async () => {
    const dp = tempDir('da-dp-');
    const local = new LocalTransport();
    // A transport whose stdin goes nowhere: only what the command itself carries reaches the host.
    const deaf: Transport = {
      name: 'deaf',
      start: async (command) => ({ ...(await local.start(command)), stdin: new PassThrough() }),
      run: (command) => local.run(command),
      close: async () => undefined,
    };
    const s = HostSession.open(deaf, {
      markerToken: 'tdeaf',
      owner: 'run-1',
      deployPath: dp,
      idleSeconds: 30,
      runJson: '"sha":"abc"',
    });
    const r = await s.run({
      name: 'inspect',
      steps: [prepare(), lock('"owner":"run-1"'), inspect({ detectHttpUser: false })],
    });
    expect(r.ok).toBe(true);
    expect(r.steps.map((x) => x.id)).toEqual(['prepare', 'lock', 'inspect']);
    expect(existsSync(join(dp, '.deploy/lock/owner'))).toBe(true);
    s.destroy();
  });

  test('a session that never ran a phase starts just to abort when asked (the post step finishing an abandoned run)', async () => {
    const dp = tempDir('da-dp-');
    const first = open(dp, 'run-9');
    await first.run({ name: 'inspect', steps: [prepare(), lock('"owner":"run-9"')] });
    first.destroy(); // the runner vanished without a word …
    await first.exited;
    mkdirSync(join(dp, '.deploy/lock'), { recursive: true }); // … and say its host had not noticed yet
    writeFileSync(join(dp, '.deploy/lock/owner'), 'run-9\n');
    const later = open(dp, 'run-9');
    expect(await later.abort(5000)).toBe(true);
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
  });

  test('values a step reports arrive exactly: spaces as they are, anything beyond printable ASCII intact', async () => {
    const dp = tempDir('da-dp-');
    const s = open(dp);
    const values = ['  two  spaces ', '', '=x y', 'ü and 日本', 'tab\there', 'line\nbreak', '\\ back'];
    const body = values.map((v) => `da_data v ${q(v)}`).join('\n');
    const r = await s.run({
      name: 'report',
      steps: [{ id: 'report', label: 'report', body, mayLackDeployPath: true }],
    });
    expect(r.data.get('v')).toEqual(values);
    s.destroy();
  });

  test('an abort whose session cannot even start is not reported as done (the post step must not claim a clean-up)', async () => {
    const refusing: Transport = {
      name: 'refusing',
      start: async () => {
        throw new Error('Unable to exec');
      },
      run: async () => {
        throw new Error('Unable to exec');
      },
      close: async () => undefined,
    };
    const s = HostSession.open(refusing, {
      markerToken: 'tref',
      owner: 'run-1',
      deployPath: '/nonexistent',
      idleSeconds: 30,
      runJson: '"sha":"abc"',
    });
    expect(await s.abort(2000)).toBe(false);
    expect(s.lost).toBe(true);
  });

  test('an interrupt while the first phase is still starting (no hello yet) still makes the host undo and end', async () => {
    const dp = tempDir('da-dp-');
    const local = new LocalTransport();
    const slow: Transport = {
      name: 'slow',
      start: async (command) => {
        await new Promise((r) => setTimeout(r, 300)); // a slow exec reply
        return local.start(command);
      },
      run: (command) => local.run(command),
      close: async () => undefined,
    };
    const s = HostSession.open(slow, {
      markerToken: 'tslow',
      owner: 'run-1',
      deployPath: dp,
      idleSeconds: 30,
      runJson: '"sha":"abc"',
    });
    const phase = s.run({
      name: 'inspect',
      steps: [prepare(), lock('"owner":"run-1"'), { id: 'wait', label: 'wait', body: 'sleep 0.5' }],
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(await s.interrupt(5000)).toBe(true);
    await phase.catch(() => undefined);
    expect((await s.exited).code).toBe(0);
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
  });

  test('endNow delivers the end message before the connection goes: the host ends normally (status 0)', async () => {
    const dp = tempDir('da-dp-');
    const local = new LocalTransport();
    let stdin: Writable | undefined;
    // Closing this transport closes the session's input at once, as closing an SSH connection does.
    const closing: Transport = {
      name: 'closing',
      start: async (command) => {
        const proc = await local.start(command);
        stdin = proc.stdin;
        return proc;
      },
      run: (command) => local.run(command),
      close: async () => void stdin?.destroy(),
    };
    const s = HostSession.open(closing, {
      markerToken: 'tclose',
      owner: 'run-1',
      deployPath: dp,
      idleSeconds: 30,
      runJson: '"sha":"abc"',
    });
    await s.run({ name: 'inspect', steps: [prepare()] });
    s.endNow();
    await closing.close(); // as Fleet.close does
    expect((await s.exited).code).toBe(0); // 70 would be the host's "runner lost" path
  });

  test('a release directory without REVISION does not spoil what inspect reports about the others', async () => {
    const dp = tempDir('da-dp-');
    mkdirSync(join(dp, 'releases/r1'), { recursive: true });
    writeFileSync(join(dp, 'releases/r1/REVISION'), 'abc123\n');
    mkdirSync(join(dp, 'releases/r2'), { recursive: true }); // made by hand, or by another tool
    const s = open(dp);
    const r = await s.run({ name: 'inspect', steps: [inspect({ detectHttpUser: false })] });
    s.endNow();
    const facts = readInspect(r);
    expect(facts.releases.map((x) => [x.name, x.revision])).toEqual([
      ['r1', 'abc123'],
      ['r2', ''],
    ]);
  });

  test('a foreign lock fails the lock step and is left alone', async () => {
    const dp = tempDir('da-dp-');
    const a = await open(dp, 'run-a');
    expect((await a.run({ name: 'inspect', steps: [prepare(), lock('"owner":"run-a"')] })).ok).toBe(true);
    const b = await open(dp, 'run-b');
    const r = await b.run({ name: 'inspect', steps: [prepare(), lock('"owner":"run-b"')] });
    expect(r.ok).toBe(false);
    expect(r.failed?.id).toBe('lock');
    expect(r.data.get('lock-info')?.[0]).toContain('"owner":"run-a"');
    expect(r.data.get('lock-alive')).toEqual(['yes']);
    expect(readFileSync(join(dp, '.deploy/lock/owner'), 'utf8')).toBe('run-a\n');
    await a.run({ name: 'finish', steps: [unlock()] });
    await a.end();
  });
});
