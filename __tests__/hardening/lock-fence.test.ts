/**
 * The lock is a fence (issue 15, part 2): a run whose lock was removed (`unlock`, forced or believing the holder
 * dead) or replaced changes nothing more, never switches `current`, and fails saying who removed it; the switch
 * cannot race an unlock + another run's lock; `unlock` refuses a live holder unless forced. Real sshd, the bundled
 * action, two runs and an unlock interleaved on one host.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fenced, renderPhase, type Step } from '../../src/remote/phase.js';
import { HostSession } from '../../src/remote/session.js';
import { lock, LOCK_LOST, unlock } from '../../src/remote/steps/lock.js';
import { prepare } from '../../src/remote/steps/prepare.js';
import { release } from '../../src/remote/steps/release.js';
import { shared } from '../../src/remote/steps/shared.js';
import { symlink } from '../../src/remote/steps/symlink.js';
import { LocalTransport } from '../../src/transport/local.js';
import type { ActionResult } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { doneWithin, makeCase, sleep, type Case } from './harness.js';
import { history, record, snapshot } from './invariants.js';
import { tempDir } from '../support/temp-dirs.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

const errors = (r: ActionResult) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));
/** For the results table: the run's error message (without the annotation's title), or its exit code. */
const outcome = (r: ActionResult) =>
  errors(r)[0]
    ?.replace(/^::error[^:]*::/, '')
    .slice(0, 200) ?? `exit ${r.code}`;
/** The unlocking operator: another run than the deploys (which all run as acme/shop run 4242 by octocat). */
/**
 * A deploy hook that holds its run (and its lock) until the test lets it go: no race between the hook's length and
 * how long the other runs take on a loaded machine (a fixed `sleep` ended before the unlock did, or waited idle).
 */
function hold(): { hook: string; started: string; release(): void } {
  const flag = join(tempDir('da-flag-'), 'go');
  const hook = `for i in $(seq 1200); do if [ -e ${JSON.stringify(flag)} ]; then break; fi; sleep 0.1; done`;
  return { hook, started: '▶ for i in $(seq 1200)', release: () => writeFileSync(flag, '') };
}

const OPERATOR = { GITHUB_RUN_ID: '5151', GITHUB_ACTOR: 'mona' };
const unlockBy = (c: Case, inputs: Record<string, string> = {}) =>
  c.start({ command: 'unlock', ...inputs }, OPERATOR).done;

/** Where `current` points, and that it resolves to a complete release (REVISION and VERSION present). */
function live(dp: string): { target: string; complete: boolean } {
  const target = readlinkSync(join(dp, 'current'));
  const dir = join(dp, target);
  const complete = existsSync(join(dir, 'REVISION')) && existsSync(join(dir, 'VERSION')) && statSync(dir).isDirectory();
  return { target, complete };
}

/** Watches `current` every 20 ms until stopped: every target it saw, and whether one of them did not resolve. */
function watchCurrent(dp: string): { stop(): { seen: string[]; dangling: string[] } } {
  const seen = new Set<string>();
  const dangling = new Set<string>();
  const timer = setInterval(() => {
    try {
      const t = readlinkSync(join(dp, 'current'));
      seen.add(t);
      if (!existsSync(join(dp, t, 'REVISION'))) dangling.add(t);
    } catch {
      dangling.add('(no current)');
    }
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return { seen: [...seen], dangling: [...dangling] };
    },
  };
}

/** Deploys VERSION `v` with no hook (the second run, B); returns its result. */
async function deployB(c: Case, v: string): Promise<ActionResult> {
  c.config({ deploy: [] });
  c.ws.write('VERSION', `${v}\n`);
  return c.run();
}

const LOST =
  /this run's lock was removed at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by acme\/shop run 5151 \(attempt 1\) by mona \(unlock, https:\/\/github\.com\/acme\/shop\/actions\/runs\/5151\); nothing was switched/;

describe('the lock is a fence', () => {
  test('a forced unlock during the deploy hook, then another deploy: the first run stops, never switches, and says who unlocked', async () => {
    const held = hold();
    const c = await makeCase(sshd, { deploy: [held.hook] });
    const a = c.start();
    await a.waitFor(held.started);
    const watch = watchCurrent(c.dp);
    const u = await unlockBy(c, { force: 'true' });
    expect({ code: u.code, errors: errors(u) }).toEqual({ code: 0, errors: [] });
    expect(u.summary).toContain('STILL RUNNING');
    const b = await deployB(c, 'vB');
    held.release();
    expect({ code: b.code, errors: errors(b) }).toEqual({ code: 0, errors: [] });
    const bRelease = `releases/${b.outputs['release']}`;
    const ra = await doneWithin(a, 60_000);
    const { seen, dangling } = watch.stop();
    const aRelease = `releases/${ra.outputs['attempted-release'] ?? '?'}`;
    record({ invariants: '------', note: `A: ${outcome(ra)}` });
    expect(ra.code).not.toBe(0);
    expect(errors(ra).join('\n')).toMatch(LOST);
    expect(errors(ra).join('\n')).toContain(`${c.hostName}: symlink`);
    expect(seen).not.toContain(aRelease);
    expect(dangling).toEqual([]);
    expect(live(c.dp)).toEqual({ target: bRelease, complete: true });
    expect(readFileSync(join(c.dp, bRelease, 'VERSION'), 'utf8')).toBe('vB\n');
    // A undid what is provably its own (its release, not live) and nothing else; it left no lock and no record.
    expect(existsSync(join(c.dp, aRelease))).toBe(false);
    expect(snapshot(c.dp).lockOwner).toBe('');
    expect(snapshot(c.dp).pending).toEqual([]);
    expect(
      history(c.dp)
        .filter((h) => h.release === ra.outputs['attempted-release'])
        .map((h) => h.event),
    ).toEqual(['failed']);
    expect(history(c.dp).some((h) => h.event === 'unlock')).toBe(true);
    // The next plain deploy works.
    const next = await deployB(c, 'vC');
    expect(next.code).toBe(0);
  }, 120_000);

  test('unlock believing the holder dead (its pid rewritten): the first run never switches to its removed release, cleans nothing', async () => {
    const held = hold();
    const c = await makeCase(sshd, { deploy: [held.hook] });
    // Two more releases, so the run's cleanup would have something old to remove.
    for (const v of ['v2', 'v3']) expect((await deployB(c, v)).code).toBe(0);
    c.config({ deploy: [held.hook] });
    c.ws.write('VERSION', 'vA\n');
    const a = c.start();
    await a.waitFor(held.started);
    const watch = watchCurrent(c.dp);
    const info = join(c.dp, '.deploy/lock/info.json');
    writeFileSync(info, readFileSync(info, 'utf8').replace(/"pid":\d+/, '"pid":999999'));
    const u = await unlockBy(c);
    expect({ code: u.code, errors: errors(u) }).toEqual({ code: 0, errors: [] });
    expect(u.summary).toContain('no longer running');
    const b = await deployB(c, 'vB');
    held.release();
    expect(b.code).toBe(0);
    const bRelease = `releases/${b.outputs['release']}`;
    const afterB = snapshot(c.dp).releases;
    const ra = await doneWithin(a, 60_000);
    const { seen, dangling } = watch.stop();
    record({ invariants: '------', note: `A: ${outcome(ra)}` });
    expect(ra.code).not.toBe(0);
    expect(errors(ra).join('\n')).toMatch(LOST);
    expect(seen).not.toContain(`releases/${ra.outputs['attempted-release'] ?? '?'}`);
    expect(dangling).toEqual([]);
    expect(live(c.dp)).toEqual({ target: bRelease, complete: true });
    // A removed none of B's or the older releases.
    expect(snapshot(c.dp).releases).toEqual(afterB);
    expect(history(c.dp).some((h) => h.event === 'deploy' && h.release === ra.outputs['attempted-release'])).toBe(
      false,
    );
    expect(snapshot(c.dp).lockOwner).toBe('');
  }, 150_000);

  test('unlock without force while the holder runs: refused, naming the run; the run goes on and succeeds', async () => {
    const held = hold();
    const c = await makeCase(sshd, { deploy: [held.hook] });
    const a = c.start();
    await a.waitFor(held.started);
    const owner = snapshot(c.dp).lockOwner;
    const u = await unlockBy(c);
    record({ invariants: '------', note: `unlock: ${outcome(u)}` });
    expect(u.code).not.toBe(0);
    const e = errors(u).join('\n');
    expect(e).toContain(`${c.hostName}: unlock`);
    expect(e).toContain('acme/shop run 4242 (attempt 1) by octocat');
    expect(e).toContain('https://github.com/acme/shop/actions/runs/4242');
    expect(e).toMatch(/still running/);
    expect(e).toMatch(/force: true.*--force/);
    expect(snapshot(c.dp).lockOwner).toBe(owner);
    held.release();
    const ra = await doneWithin(a, 60_000);
    expect({ code: ra.code, errors: errors(ra) }).toEqual({ code: 0, errors: [] });
    expect(live(c.dp)).toEqual({ target: `releases/${ra.outputs['release']}`, complete: true });
  }, 120_000);

  test('the check-vs-rename race: the lock replaced while the switch waits for the fence; the switch refuses', async () => {
    const c = await makeCase(sshd, { deploy: ['sleep 3'] });
    const before = snapshot(c.dp);
    const a = c.start();
    await a.waitFor('▶ sleep 3');
    // The host-side fence, held the way `unlock` holds it (util-linux flock on .deploy/fence; -o: by flock itself,
    // not by its sleep, so killing flock releases it).
    const fence = join(c.dp, '.deploy/fence');
    const holder = spawn('flock', ['-o', fence, 'sleep', '60'], { stdio: 'ignore' });
    try {
      await a.waitFor('▶ symlink');
      await sleep(700);
      // Meanwhile A's lock goes and another run's comes (by hand, no unlock record).
      rmSync(join(c.dp, '.deploy/lock'), { recursive: true, force: true });
      mkdirSync(join(c.dp, '.deploy/lock'));
      writeFileSync(join(c.dp, '.deploy/lock/owner'), 'intruder\n');
      writeFileSync(
        join(c.dp, '.deploy/lock/info.json'),
        '{"repository":"acme/shop","run_id":"6161","actor":"eve","pid":1,"boot_id":"x"}\n',
      );
    } finally {
      holder.kill('SIGKILL');
    }
    const ra = await doneWithin(a, 60_000);
    record({ invariants: '------', note: `A: ${outcome(ra)}` });
    expect(ra.code).not.toBe(0);
    expect(errors(ra).join('\n')).toMatch(
      /this run's lock was replaced by acme\/shop run 6161 by eve .*nothing was switched/,
    );
    expect(live(c.dp)).toEqual({ target: before.current, complete: true });
    // The other run's lock stays; A's release is gone.
    expect(readFileSync(join(c.dp, '.deploy/lock/owner'), 'utf8')).toBe('intruder\n');
    expect(existsSync(join(c.dp, `releases/${ra.outputs['attempted-release'] ?? '?'}`))).toBe(false);
  }, 120_000);
});

// --- the same rules, step by step, in one host session over the local transport ---------------------------------

/** A session of run `owner` on a fresh deploy path, with what its host printed (abort path included). */
function session(dp: string, owner = 'run-a'): { s: HostSession; out: string[] } {
  const out: string[] = [];
  const s = HostSession.open(
    new LocalTransport(),
    {
      markerToken: `t${Math.random().toString(16).slice(2)}`,
      owner,
      deployPath: dp,
      idleSeconds: 30,
      runJson: '"sha":"abc"',
    },
    { output: (line) => out.push(line) },
  );
  return { s, out };
}

/** Fills the new release as an upload would: a VERSION file, then REVISION last. */
const fill: Step = {
  id: 'fill',
  label: 'fill',
  body: 'printf v1 > "releases/$DA_RELEASE/VERSION"\nprintf abc > "releases/$DA_RELEASE/REVISION"',
};
const takeLock = (dp: string, owner: string) => {
  rmSync(join(dp, '.deploy/lock'), { recursive: true, force: true });
  mkdirSync(join(dp, '.deploy/lock'));
  writeFileSync(join(dp, '.deploy/lock/owner'), `${owner}\n`);
  writeFileSync(
    join(dp, '.deploy/lock/info.json'),
    '{"repository":"acme/shop","run_id":"7","actor":"eve","pid":1,"boot_id":"x"}\n',
  );
};
const newDeployPath = () => join(tempDir('da-fence-'), 'app');

describe('the fence, step by step (local session)', () => {
  test('the fence check travels only with phases that have a fenced step (the first phase stays short)', () => {
    const plain = renderPhase({ name: 'inspect', steps: [prepare(), lock('"x":1')] });
    const stage = renderPhase({ name: 'stage', steps: fenced([release()]) });
    expect(plain).not.toContain('da_lock_lost');
    expect(stage).toContain('da_lock_lost() {');
    expect(stage).toMatch(/da_step '?release'? da_f_0 fenced/);
    expect(renderPhase({ name: 'switch', steps: [symlink('')] })).toContain('da_lock_lost() {');
  });

  test('a fenced step of a run whose lock was replaced fails with LOCK_LOST; the abort keeps the seeded shared entry and the other lock', async () => {
    const dp = newDeployPath();
    const { s, out } = session(dp);
    expect(
      (
        await s.run({
          name: 'stage',
          vars: { DA_RELEASE: 'r1' },
          steps: [prepare(), lock('"x":1'), ...fenced([release(), fill, shared({ dirs: ['storage'], files: [] })!])],
        })
      ).ok,
    ).toBe(true);
    expect(existsSync(join(dp, 'shared/storage'))).toBe(true);
    takeLock(dp, 'run-b');
    const r = await s.run({
      name: 'hooks',
      vars: { DA_RELEASE: 'r1' },
      steps: fenced([{ id: 'hook-1', label: 'touch', body: 'touch "releases/$DA_RELEASE/ran"' }]),
    });
    await s.end().catch(() => undefined);
    expect(r.rc).toBe(LOCK_LOST);
    expect(r.failed?.tail.join('\n')).toContain(
      "error: this run's lock was replaced by acme/shop run 7 by eve (without unlock: removed by hand?); nothing was switched",
    );
    expect(existsSync(join(dp, 'releases/r1'))).toBe(false);
    expect(existsSync(join(dp, 'shared/storage'))).toBe(true);
    expect(out.join('\n')).toContain(
      'left shared/storage, seeded by this run: it lost its lock and another run may use it by now',
    );
    expect(readFileSync(join(dp, '.deploy/lock/owner'), 'utf8')).toBe('run-b\n');
  });

  test('the switch refuses a release that is not a complete directory (no REVISION; a symlink); current stays', async () => {
    const dp = newDeployPath();
    const { s } = session(dp);
    const r = await s.run({
      name: 'ship',
      vars: { DA_RELEASE: 'r1' },
      steps: [prepare(), lock('"x":1'), ...fenced([release()]), symlink('')],
    });
    await s.end().catch(() => undefined);
    expect(r.failed?.id).toBe('symlink');
    expect(r.failed?.tail.join('\n')).toContain('releases/r1 is not a complete release');
    expect(existsSync(join(dp, 'current'))).toBe(false);
    const other = session(dp, 'run-c');
    mkdirSync(join(dp, 'elsewhere'));
    writeFileSync(join(dp, 'elsewhere/REVISION'), 'x');
    symlinkSync('../elsewhere', join(dp, 'releases/r2'));
    const r2 = await other.s.run({ name: 'ship', vars: { DA_RELEASE: 'r2' }, steps: [lock('"x":1'), symlink('')] });
    await other.s.end().catch(() => undefined);
    expect(r2.failed?.tail.join('\n')).toContain('releases/r2 is not a complete release');
    expect(existsSync(join(dp, 'current'))).toBe(false);
  });

  test('a run that lost its lock after its switch: switched back only to a release that still exists, never dangling', async () => {
    const dp = newDeployPath();
    // r0 live, then run-a switches to r1 (provisionally).
    mkdirSync(join(dp, 'releases/r0'), { recursive: true });
    writeFileSync(join(dp, 'releases/r0/REVISION'), 'x');
    symlinkSync('releases/r0', join(dp, 'current'));
    const { s, out } = session(dp);
    const sw = await s.run({
      name: 'switch',
      vars: { DA_RELEASE: 'r1' },
      steps: [prepare(), lock('"x":1'), ...fenced([release(), fill]), symlink('releases/r0')],
    });
    expect(sw.ok).toBe(true);
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/r1');
    // Its lock is removed by hand and r0 is gone meanwhile: the commit fails, current stays on r1 (complete).
    rmSync(join(dp, '.deploy/lock'), { recursive: true });
    rmSync(join(dp, 'releases/r0'), { recursive: true });
    const fin = await s.run({ name: 'finish', vars: { DA_RELEASE: 'r1' }, steps: [unlock()] });
    await s.end().catch(() => undefined);
    expect(fin.rc).toBe(LOCK_LOST);
    expect(fin.failed?.tail.join('\n')).toContain(
      "this run's lock is gone (removed by hand, without unlock); its switch is undone only where current still points at its release",
    );
    expect(out.join('\n')).toContain('left current on releases/r1: releases/r0, live before this run, is gone');
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/r1');
    expect(existsSync(join(dp, 'current/REVISION'))).toBe(true);
  });

  test('a run that lost its lock after its switch, with the previous release still there: switched back', async () => {
    const dp = newDeployPath();
    mkdirSync(join(dp, 'releases/r0'), { recursive: true });
    writeFileSync(join(dp, 'releases/r0/REVISION'), 'x');
    symlinkSync('releases/r0', join(dp, 'current'));
    const { s } = session(dp);
    expect(
      (
        await s.run({
          name: 'switch',
          vars: { DA_RELEASE: 'r1' },
          steps: [prepare(), lock('"x":1'), ...fenced([release(), fill]), symlink('releases/r0')],
        })
      ).ok,
    ).toBe(true);
    takeLock(dp, 'run-b');
    const fin = await s.run({ name: 'finish', vars: { DA_RELEASE: 'r1' }, steps: [unlock()] });
    await s.end().catch(() => undefined);
    expect(fin.rc).toBe(LOCK_LOST);
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/r0');
    expect(existsSync(join(dp, 'releases/r1'))).toBe(false);
    expect(readFileSync(join(dp, '.deploy/lock/owner'), 'utf8')).toBe('run-b\n');
  });
});
