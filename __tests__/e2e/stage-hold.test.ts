/**
 * Stage holds under cuts and re-runs, through dist/index.js as the runner runs it (post step included), against real
 * sshd hosts: a stage shard cancelled while another has staged; a cut anywhere in the hold step (a cancel, or the
 * session killed on the host); a re-run of a stage that succeeded ("Re-run all jobs"), and what it must still refuse.
 *
 * The hold step's cut points are reached through a stand-in `mv` on the hosts' PATH (sshd's SetEnv): once armed with
 * a destination, it does that move, says so, and sleeps; the test then cancels the runner or kills the session's
 * process group on the host. Unarmed, it is mv.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { expectOk, fleetInputs, hostEntry } from '../support/fleet-hosts.js';
import { runAction, runPost, startAction, type ActionResult } from '../support/action.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const control = tempDir('da-cut-');
const bin = join(control, 'bin');
const hosts: SshdHandle[] = [];

beforeAll(async () => {
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'mv'),
    `#!/bin/bash
c=${JSON.stringify(control)}
dest=\${!#}
if [ -f "$c/cut" ] && [ "$dest" = "$(cat "$c/cut")" ]; then
  rm -f "$c/cut"
  /usr/bin/mv "$@" || exit
  ps -o pgid= -p $$ | tr -d ' ' > "$c/pgid.new" && /usr/bin/mv "$c/pgid.new" "$c/pgid"
  sleep 3
  exit 0
fi
exec /usr/bin/mv "$@"
`,
  );
  chmodSync(join(bin, 'mv'), 0o755);
  const path = `SetEnv PATH=${bin}:/usr/local/bin:/usr/bin:/bin`;
  hosts.push(...(await Promise.all([startSshd({ extraConfig: [path] }), startSshd({ extraConfig: [path] })])));
  hosts[1]!.authorize(hosts[0]!.publicKeyLine());
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

/** Hosts a (and b), each with its own deploy_path; host a's deploy hook sleeps while `base/SLOW` exists. */
function config(base: string, o: { one?: boolean } = {}): string {
  const entry = (h: SshdHandle, n: string) => `      - ${hostEntry(h, join(base, n))}\n`;
  return `name: shop
environments:
  production:
    hosts:
${entry(hosts[0]!, 'a')}${o.one ? '' : entry(hosts[1]!, 'b')}    files:
      - path: .env
        content: |
          KEY=\${KEY}
    deploy:
      - echo "$DEPLOY_RELEASE" >> HOOK_RUNS
      - if [ -e ${JSON.stringify(join(base, 'SLOW'))} ] && [ "$DEPLOY_PATH" = ${JSON.stringify(join(base, 'a'))} ]; then echo slow-hook-begins; sleep 30; fi
`;
}

const inputs = (more: Record<string, string> = {}) => fleetInputs(hosts, more);

interface Case {
  base: string;
  ws: Workspace;
  run(more: Record<string, string>, env?: Record<string, string>): Promise<ActionResult>;
}

/** A fleet with v1 live (KEY=one in shared/.env), then v2 and KEY=two in the workspace for the stage. */
async function fleet(o: { one?: boolean } = {}): Promise<Case> {
  const base = tempDir('da-hold-');
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, o));
  const run = (more: Record<string, string>, env: Record<string, string> = {}) =>
    runAction({ inputs: inputs(more), workspace: ws.dir, env: { KEY: 'two', ...env } });
  expectOk(await run({}, { KEY: 'one' }));
  ws.write('VERSION', 'v2\n');
  return { base, ws, run };
}

const at = (base: string, h: string, ...p: string[]) => join(base, h, ...p);
const text = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined);
const ls = (path: string) => (existsSync(path) ? readdirSync(path).sort() : []);

/** What a host shows of the stage of `name`: whole (`staged`), none of it (`undone`), or what is left of it. */
function holdState(base: string, h: string, name: string): string {
  const owner = text(at(base, h, '.deploy/lock/owner'));
  const record = text(at(base, h, '.deploy/stage'));
  const dir = existsSync(at(base, h, 'releases', name));
  const pending = ls(at(base, h, '.deploy/pending'));
  const scratch = ls(at(base, h, '.deploy')).filter((f) => f.startsWith('tmp.'));
  if (
    owner === `stage-${name}` &&
    record?.includes(`"release":"${name}"`) &&
    dir &&
    pending.join() === `stage-${name}` &&
    scratch.every((f) => f === `tmp.stage-${name}`)
  )
    return 'staged';
  if (owner === undefined && record === undefined && !dir && pending.length === 0 && scratch.length === 0)
    return text(at(base, h, 'shared/.env')) === 'KEY=one' ? 'undone' : 'undone, but shared/.env not put back';
  return `left: owner ${owner}, record ${record ? 'yes' : 'no'}, dir ${dir}, pending [${pending}], scratch [${scratch}], .env ${text(at(base, h, 'shared/.env'))}`;
}

/** Arms the stand-in mv: the next move to `dest` happens, then the session sleeps; resolves with its pgid. */
async function cutAfter(dest: string): Promise<() => Promise<number>> {
  rmSync(join(control, 'pgid'), { force: true });
  writeFileSync(join(control, 'cut'), `${dest}\n`);
  return async () => {
    for (let i = 0; i < 600; i++) {
      const pgid = text(join(control, 'pgid'));
      if (pgid) return Number(pgid);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the cut after the move to ${dest} was not reached`);
  };
}

describe('cancelling a stage job', () => {
  test('shard 1/2 cancelled mid-hook while shard 2/2 has staged: 1 undone, 2 kept until discard; then a fresh stage and switch', async () => {
    const { base, ws, run } = await fleet();
    expectOk(await run({ command: 'stage', shard: '2/2' }));
    writeFileSync(join(base, 'SLOW'), '');
    const one = startAction({
      inputs: inputs({ command: 'stage', shard: '1/2' }),
      workspace: ws.dir,
      env: { KEY: 'two' },
    });
    await one.waitFor('slow-hook-begins', 60_000);
    one.child.kill('SIGTERM');
    const cancelled = await one.done;
    expect(cancelled.code).not.toBe(0);
    expectOk(await runPost(cancelled, { inputs: inputs({ command: 'stage', shard: '1/2' }), workspace: ws.dir }));
    rmSync(join(base, 'SLOW'));
    expect(holdState(base, 'a', 'run-4242')).toBe('undone');
    expect(holdState(base, 'b', 'run-4242')).toBe('staged');
    expect(text(at(base, 'b', 'shared/.env'))).toBe('KEY=two');
    // The switch sees a not staged: nothing switches; discard removes b's.
    const refused = await run({ command: 'switch', release: 'run-4242' }, { GITHUB_RUN_ID: '4243' });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('nothing was switched anywhere');
    expectOk(await run({ command: 'discard', release: 'run-4242' }, { GITHUB_RUN_ID: '4244' }));
    for (const h of ['a', 'b']) expect(holdState(base, h, 'run-4242')).toBe('undone');
    const fresh = await run({ command: 'stage' }, { GITHUB_RUN_ID: '4300' });
    expectOk(fresh);
    expectOk(await run({ command: 'switch', release: 'run-4300' }, { GITHUB_RUN_ID: '4301' }));
    for (const h of ['a', 'b']) expect(text(at(base, h, 'current/VERSION'))).toBe('v2');
  });

  // Where a cancel or a kill meets the hold step: after each of its moves.
  const CUTS = ['.deploy/lock/info.json', '.deploy/lock/owner', '.deploy/pending/stage-run-4242', '.deploy/stage'];

  test.each(CUTS)(
    'a cancel while the hold step runs (after the move to %s), then post: staged whole or undone whole',
    async (dest) => {
      const { base, ws, run } = await fleet({ one: true });
      const reached = await cutAfter(dest);
      const job = startAction({ inputs: inputs({ command: 'stage' }), workspace: ws.dir, env: { KEY: 'two' } });
      await reached();
      job.child.kill('SIGTERM');
      const cancelled = await job.done;
      await runPost(cancelled, { inputs: inputs({ command: 'stage' }), workspace: ws.dir });
      const state = holdState(base, 'a', 'run-4242');
      expect(['staged', 'undone']).toContain(state);
      if (state === 'staged') expect(cancelled.stdout).toContain('keeps run-4242 staged and held until discard');
      expectOk(await run({ command: 'discard', release: 'run-4242' }, { GITHUB_RUN_ID: '4244' }));
      expect(holdState(base, 'a', 'run-4242')).toBe('undone');
    },
  );

  test('the runner killed (SIGKILL) while the hold step runs, then post: the host ends staged whole', async () => {
    const { base, ws, run } = await fleet({ one: true });
    const reached = await cutAfter('.deploy/pending/stage-run-4242');
    const job = startAction({ inputs: inputs({ command: 'stage' }), workspace: ws.dir, env: { KEY: 'two' } });
    await reached();
    job.child.kill('SIGKILL');
    const killed = await job.done;
    // The host finishes the step (it reads the runner's end only between steps), then its session ends.
    await new Promise((r) => setTimeout(r, 4000));
    expectOk(await runPost(killed, { inputs: inputs({ command: 'stage' }), workspace: ws.dir }));
    expect(holdState(base, 'a', 'run-4242')).toBe('staged');
    expectOk(await run({ command: 'discard', release: 'run-4242' }, { GITHUB_RUN_ID: '4244' }));
    expect(holdState(base, 'a', 'run-4242')).toBe('undone');
  });

  test.each([
    '.deploy/lock/info.json',
    '.deploy/lock/owner',
    '.deploy/pending/stage-run-4242',
    '.deploy/tmp.stage-run-4242',
    '.deploy/stage',
  ])(
    'the session killed on the host after the hold moved %s, then post: discard (or the next deploy) finds what is left and undoes it',
    async (dest) => {
      const { base, ws, run } = await fleet({ one: true });
      const reached = await cutAfter(dest);
      const job = startAction({ inputs: inputs({ command: 'stage' }), workspace: ws.dir, env: { KEY: 'two' } });
      process.kill(-(await reached()), 'SIGKILL');
      const cut = await job.done;
      expect(cut.code).not.toBe(0);
      await runPost(cut, { inputs: inputs({ command: 'stage' }), workspace: ws.dir });
      // Never a release with no hold: either the hold (whole, or without its record yet) or nothing.
      const owner = text(at(base, 'a', '.deploy/lock/owner'));
      if (existsSync(at(base, 'a', 'releases/run-4242'))) expect(owner).toBe('stage-run-4242');
      expectOk(await run({ command: 'discard', release: 'run-4242' }, { GITHUB_RUN_ID: '4244' }));
      expect(holdState(base, 'a', 'run-4242')).toBe('undone');
      // The next deploy goes through.
      expectOk(await run({}, { GITHUB_RUN_ID: '4245' }));
      expect(text(at(base, 'a', 'current/VERSION'))).toBe('v2');
    },
  );

  test('a hold cut short after the hand-over (no record yet) is undone by the next deploy, which says so', async () => {
    const { base, ws, run } = await fleet({ one: true });
    const reached = await cutAfter('.deploy/pending/stage-run-4242');
    const job = startAction({ inputs: inputs({ command: 'stage' }), workspace: ws.dir, env: { KEY: 'two' } });
    process.kill(-(await reached()), 'SIGKILL');
    await runPost(await job.done, { inputs: inputs({ command: 'stage' }), workspace: ws.dir });
    expect(text(at(base, 'a', '.deploy/lock/owner'))).toBe('stage-run-4242');
    expect(text(at(base, 'a', 'shared/.env'))).toBe('KEY=two');
    ws.write('VERSION', 'v3\n');
    const next = await run({}, { GITHUB_RUN_ID: '4246', KEY: 'one' });
    expectOk(next);
    expect(next.stdout).toContain('the stage of run-4242 was cut short before its hold was whole: undone');
    // (That the lock step puts back the files: content an expired hold changed is another change's: discard does.)
    expect(existsSync(at(base, 'a', 'releases/run-4242'))).toBe(false);
    expect(ls(at(base, 'a', '.deploy/pending'))).toEqual([]);
    expect(text(at(base, 'a', 'current/VERSION'))).toBe('v3');
  });
});

describe('a re-run of a stage', () => {
  const record = (base: string, h: string) =>
    JSON.parse(readFileSync(at(base, h, '.deploy/stage'), 'utf8')) as Record<string, unknown>;

  test('"Re-run all jobs" of a stage that succeeded: kept ("already staged"), not staged again, expiry pushed back; then switch', async () => {
    const { base, run } = await fleet();
    expectOk(await run({ command: 'stage' }));
    const before = Number(record(base, 'a')['expires']);
    writeFileSync(at(base, 'a', 'releases/run-4242/MARK'), '');
    await new Promise((r) => setTimeout(r, 1100));
    const again = await run({ command: 'stage' }, { GITHUB_RUN_ATTEMPT: '2' });
    expectOk(again);
    expect(again.outputs['release']).toBe('run-4242');
    expect(again.stdout).toContain('already staged: run-4242, by this run (attempt 1); kept, held until');
    expect(again.summary).toContain('already staged releases/run-4242 by this run: kept, held until');
    for (const h of ['a', 'b']) {
      expect(holdState(base, h, 'run-4242')).toBe('staged');
      expect(text(at(base, h, 'releases/run-4242/HOOK_RUNS'))).toBe('run-4242');
      expect(Number(record(base, h)['expires'])).toBeGreaterThan(before);
      expect(text(at(base, h, '.deploy/lock/info.json'))).toContain(`"expires_at":"${record(base, h)['expires_at']}"`);
    }
    expect(existsSync(at(base, 'a', 'releases/run-4242/MARK'))).toBe(true);
    // Another run's stage is still refused, naming the hold's run and expiry.
    const other = await run({ command: 'stage' }, { GITHUB_RUN_ID: '5555' });
    expect(other.code).not.toBe(0);
    expect(other.stdout).toContain(`holds the staged release run-4242 until ${record(base, 'a')['expires_at']}`);
    expect(other.stdout).toContain('acme/shop run 4242');
    expectOk(await run({ command: 'switch', release: 'run-4242' }, { GITHUB_RUN_ID: '4243' }));
    for (const h of ['a', 'b']) expect(text(at(base, h, 'current/VERSION'))).toBe('v2');
  });

  test('a re-run where one host kept its hold and the other lost it: the first is kept, the second staged again', async () => {
    const { base, run } = await fleet();
    expectOk(await run({ command: 'stage' }));
    // b's hold is gone (its stage undone by hand): no release, no lock, no record.
    for (const p of [
      'releases/run-4242',
      '.deploy/lock',
      '.deploy/stage',
      '.deploy/pending',
      '.deploy/tmp.stage-run-4242',
    ])
      rmSync(at(base, 'b', p), { recursive: true, force: true });
    const again = await run({ command: 'stage' }, { GITHUB_RUN_ATTEMPT: '2' });
    expectOk(again);
    expect(again.outputs['release']).toBe('run-4242');
    expect(again.summary).toContain('already staged releases/run-4242 by this run: kept');
    for (const h of ['a', 'b']) {
      expect(holdState(base, h, 'run-4242')).toBe('staged');
      expect(text(at(base, h, 'releases/run-4242/HOOK_RUNS'))).toBe('run-4242');
    }
    expectOk(await run({ command: 'switch', release: 'run-4242' }, { GITHUB_RUN_ID: '4243' }));
    for (const h of ['a', 'b']) expect(text(at(base, h, 'current/VERSION'))).toBe('v2');
  });

  test('the same run re-staging under another release-name is refused, naming the staged one', async () => {
    const { base, run } = await fleet();
    expectOk(await run({ command: 'stage', 'release-name': 'one-1' }));
    const again = await run({ command: 'stage', 'release-name': 'two-2' }, { GITHUB_RUN_ATTEMPT: '2' });
    expect(again.code).not.toBe(0);
    expect(again.stdout).toContain('holds the staged release one-1 until');
    expect(again.stdout).toContain('This run already staged one-1 there');
    for (const h of ['a', 'b']) {
      expect(holdState(base, h, 'one-1')).toBe('staged');
      expect(existsSync(at(base, h, 'releases/two-2'))).toBe(false);
    }
  });

  test("a forged stage record that claims this run does not let it take another run's hold", async () => {
    const { base, run } = await fleet();
    // Run 999 staged a release under the name run 4242 would use; its stage record is then edited to claim 4242.
    expectOk(await run({ command: 'stage', 'release-name': 'run-4242' }, { GITHUB_RUN_ID: '999' }));
    for (const h of ['a', 'b']) {
      const forged = readFileSync(at(base, h, '.deploy/stage'), 'utf8').replace('"run_id":"999"', '"run_id":"4242"');
      writeFileSync(at(base, h, '.deploy/stage'), forged);
    }
    const r = await run({ command: 'stage' }, { GITHUB_RUN_ATTEMPT: '2' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('holds the staged release run-4242 until');
    expect(r.stdout).toContain('acme/shop run 999');
    expect(r.stdout).not.toContain('already staged');
    for (const h of ['a', 'b']) expect(text(at(base, h, '.deploy/lock/info.json'))).toContain('"run_id":"999"');
  });
});
