/**
 * Attacks on stage / switch / discard across the trust boundaries (see THREATS.md): a `release` input that comes
 * from another job's output, a hostile host's stage record, lock and release tree, a second operator's `discard`
 * and `unlock`. Real sshd hosts, dist/index.js run as the runner runs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { runAction, startAction, type ActionResult } from '../support/action.js';
import { expectOk, fleetInputs, fleetOfSshd, hostEntry, liveVersion } from '../support/fleet-hosts.js';
import type { SshdHandle } from '../support/sshd.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { foreignCommands } from './runner-commands.js';
import { tempDir } from '../support/temp-dirs.js';

const hosts = fleetOfSshd(2);
const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');
const MARK = /HOSTILE/;

function config(base: string, extra = '', port?: number): string {
  const [a, b] = hosts as [SshdHandle, SshdHandle];
  return `name: shop
environments:
  production:
    hosts:
      - ${hostEntry(a, join(base, 'a'), port)}
      - ${hostEntry(b, join(base, 'b'), port ? port + 1 : b.port)}
${extra}`;
}

const inputs = (more: Record<string, string> = {}) => fleetInputs(hosts, more);

const run = (ws: Workspace, more: Record<string, string>, env: Record<string, string> = {}) =>
  runAction({ inputs: inputs(more), workspace: ws.dir, env });
const owner = (base: string, h: string) => readFileSync(join(base, h, '.deploy/lock/owner'), 'utf8').trim();
const noForeign = (r: ActionResult) =>
  expect({ stdout: foreignCommands(r.stdout, MARK), stderr: foreignCommands(r.stderr, MARK) }).toEqual({
    stdout: [],
    stderr: [],
  });
/** A directory tree as `path type size` lines, to compare before and after. */
const tree = (dir: string) => execFileSync('find', [dir, '-printf', '%P %y %s %T@\\n'], { encoding: 'utf8' });

function fleet(extra = '', port?: number): { base: string; ws: Workspace } {
  const base = tempDir('da-stage-attack-');
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, extra, port));
  return { base, ws };
}

/** A deploy (v1), then a stage (v2) of `run-4242` on both hosts. */
async function staged(extra = '', more: Record<string, string> = {}): Promise<{ base: string; ws: Workspace }> {
  const f = fleet(extra);
  expectOk(await run(f.ws, {}, { GITHUB_RUN_ID: '100' }));
  f.ws.write('VERSION', 'v2\n');
  expectOk(await run(f.ws, { command: 'stage', ...more }));
  return f;
}

const BAD_NAMES = [
  '../../etc',
  'a/b',
  '.deploy',
  '..',
  '$(touch HOSTILE)',
  'x;touch HOSTILE',
  'ok\n::set-output name=release::HOSTILE',
  '##[set-output name=release;]HOSTILE',
  '-rf',
  'a'.repeat(300),
  'ｒun-4242',
];

describe('stage attacks: names from job outputs', () => {
  test('a bad release name (switch, discard) or release-name (stage) is refused before any host is reached', async () => {
    // Nothing listens on port 1: a run that got as far as connecting would fail with another message.
    const { base, ws } = fleet('', 1);
    for (const name of BAD_NAMES) {
      for (const [command, input] of [
        ['switch', 'release'],
        ['discard', 'release'],
        ['stage', 'release-name'],
      ] as const) {
        const r = await run(ws, { command, [input]: name });
        const what = `${command} ${input}=${JSON.stringify(name.slice(0, 40))}`;
        expect({ what, code: r.code }).toEqual({ what, code: 1 });
        const said = /is not a valid release name: use letters, digits/.test(r.stdout) ? 'said' : r.stdout.slice(-600);
        expect({ what, said }).toEqual({ what, said: 'said' });
        expect(r.stdout).toContain(input === 'release' ? 'input release:' : 'input release-name:');
        expect(r.stdout).not.toMatch(/connect|ECONNREFUSED/i);
        noForeign(r);
      }
    }
    // The CLI, run inside a CI job with a name pasted from a job's output: the option named, nothing reached.
    for (const [command, option] of [
      ['switch', '--release'],
      ['discard', '--release'],
      ['stage', '--release-name'],
    ]) {
      const r = spawnSync(process.execPath, [CLI, command!, 'production', `${option}=ok\n::error::HOSTILE`], {
        cwd: ws.dir,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: process.env['HOME'] ?? '/root',
          GITHUB_ACTIONS: 'true',
        },
        encoding: 'utf8',
      });
      expect({ code: r.status, err: r.stderr }).toEqual({
        code: 2,
        err: expect.stringContaining(`${option}: "ok\\n::error::HOSTILE" is not a valid release name`),
      });
      expect({ stdout: foreignCommands(r.stdout, MARK), stderr: foreignCommands(r.stderr, MARK) }).toEqual({
        stdout: [],
        stderr: [],
      });
    }
    expect(existsSync(join(base, 'a'))).toBe(false);
  }, 180_000);
});

describe('stage attacks: the host tree', () => {
  test('discard of the live release name removes nothing, even with a forged hold and an absolute current link', async () => {
    const { base, ws } = fleet();
    expectOk(await run(ws, { 'release-name': 'live-1' }));
    const d = await run(ws, { command: 'discard', release: 'live-1' }, { GITHUB_RUN_ID: '200' });
    expectOk(d);
    expect(d.summary).toContain('nothing staged');
    // Staging under the live release's name is refused: a stage never holds what is live.
    const again = await run(ws, { command: 'stage', 'release-name': 'live-1' }, { GITHUB_RUN_ID: '202' });
    expect(again.code).not.toBe(0);
    expect(existsSync(join(base, 'a', '.deploy/stage'))).toBe(false);
    expect(liveVersion(base, 'a')).toBe('v1');
    // A host (or a hand) forges a hold of the live release, with current written as an absolute link.
    const a = join(base, 'a');
    mkdirSync(join(a, '.deploy/lock'), { recursive: true });
    writeFileSync(join(a, '.deploy/lock/owner'), 'stage-live-1\n');
    writeFileSync(join(a, '.deploy/lock/info.json'), '{"stage":"live-1","expires_at":"2099-01-01T00:00:00Z"}\n');
    writeFileSync(
      join(a, '.deploy/stage'),
      '{"release":"live-1","expires_at":"2099-01-01T00:00:00Z","expires":4070908800}\n',
    );
    mkdirSync(join(a, '.deploy/pending'), { recursive: true });
    writeFileSync(join(a, '.deploy/pending/stage-live-1'), 'release live-1\n');
    rmSync(join(a, 'current'));
    symlinkSync(join(a, 'releases/live-1'), join(a, 'current'));
    const forged = await run(ws, { command: 'discard', release: 'live-1' }, { GITHUB_RUN_ID: '201' });
    expect(existsSync(join(a, 'releases/live-1/VERSION'))).toBe(true);
    expect(liveVersion(base, 'a')).toBe('v1');
    expect(liveVersion(base, 'b')).toBe('v1');
    noForeign(forged);
  });

  test('unlock leaves the hold of a staged release whose name has a dot; forced, it discards it', async () => {
    const { base, ws } = await staged('', { 'release-name': 'v1.2.3' });
    expect(owner(base, 'a')).toBe('stage-v1.2.3');
    const refused = await run(ws, { command: 'unlock' }, { GITHUB_RUN_ID: '300' });
    expect(refused.stdout).toContain('the lock holds the staged release v1.2.3 until');
    for (const h of ['a', 'b']) {
      expect(owner(base, h)).toBe('stage-v1.2.3');
      expect(existsSync(join(base, h, '.deploy/stage'))).toBe(true);
    }
    expectOk(await run(ws, { command: 'unlock', force: 'true' }, { GITHUB_RUN_ID: '301' }));
    for (const h of ['a', 'b']) {
      expect(existsSync(join(base, h, 'releases/v1.2.3'))).toBe(false);
      expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
      expect(existsSync(join(base, h, '.deploy/stage'))).toBe(false);
      expect(readdirSync(join(base, h, '.deploy/pending'))).toEqual([]);
      expect(liveVersion(base, h)).toBe('v1');
    }
  });

  test('switch to a staged release whose directory became a symlink out of the deploy path, or whose record names another: refused, nothing taken over', async () => {
    const { base, ws } = await staged('    activate: [touch ACTIVATED]\n');
    const victim = tempDir('da-victim-');
    const b = join(base, 'b');
    renameSync(join(b, 'releases/run-4242'), join(victim, 'rel'));
    // a: its stage record names another release than the one its lock holds.
    const rec = join(base, 'a', '.deploy/stage');
    writeFileSync(rec, readFileSync(rec, 'utf8').replace('"release":"run-4242"', '"release":"run-1"'));
    symlinkSync(join(victim, 'rel'), join(b, 'releases/run-4242'));
    const before = tree(victim);
    const r = await run(ws, { command: 'switch', release: 'run-4242' }, { GITHUB_RUN_ID: '400' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('run-4242 is not staged on every host, so nothing was switched anywhere');
    expect(r.stdout).toMatch(/: its release directory is a symlink or not a directory \(never followed\)/);
    expect(r.stdout).toMatch(/: another release is staged there/);
    expect(tree(victim)).toBe(before);
    for (const h of ['a', 'b']) {
      expect(liveVersion(base, h)).toBe('v1');
      expect(owner(base, h)).toBe('stage-run-4242');
    }
    expect(existsSync(join(base, 'a', 'releases/run-4242/VERSION'))).toBe(true);
  });

  test('a hostile lock record of a live hold: its fields are shown as data, never as a workflow command', async () => {
    const { base, ws } = await staged();
    const evil = '##[set-output name=release;]HOSTILE';
    for (const h of ['a', 'b']) {
      const info = join(base, h, '.deploy/lock/info.json');
      writeFileSync(info, readFileSync(info, 'utf8').replace(/"expires_at":"[^"]*"/, `"expires_at":"${evil}"`));
    }
    const deploy = await run(ws, {}, { GITHUB_RUN_ID: '501' });
    expect(deploy.code).not.toBe(0);
    expect(deploy.stdout).toContain('It holds the staged release run-4242 until');
    noForeign(deploy);
    const unlock = await run(ws, { command: 'unlock' }, { GITHUB_RUN_ID: '502' });
    expect(unlock.stdout).toContain('the lock holds the staged release run-4242 until');
    noForeign(unlock);
    for (const h of ['a', 'b']) {
      expect(liveVersion(base, h)).toBe('v1');
      expect(owner(base, h)).toBe('stage-run-4242');
    }
  });

  test('a hostile stage record (not a time, a 4 MB line that claims for ever): bounded, data only; one host cannot make a switch proceed', async () => {
    const { base, ws } = await staged();
    // a: an expiry that is text, not a time; b: a 4 MB line whose expiry lies far in the future.
    writeFileSync(
      join(base, 'a', '.deploy/stage'),
      `{"release":"run-4242","expires_at":"::set-output name=release::HOSTILE","expires":"::error::HOSTILE"}\n`,
    );
    writeFileSync(
      join(base, 'b', '.deploy/stage'),
      `{"release":"run-4242","preview":"current","expires_at":"${'9'.repeat(4_000_000)}","expires":99999999999}\n`,
    );
    const sw = await run(ws, { command: 'switch', release: 'run-4242' }, { GITHUB_RUN_ID: '500' });
    expect(sw.code).not.toBe(0);
    expect(sw.stdout).toContain('run-4242 is not staged on every host, so nothing was switched anywhere');
    expect(sw.stdout).toMatch(/127\.0\.0\.1:\d+: its stage expired/);
    expect(sw.stdout.length).toBeLessThan(100_000);
    noForeign(sw);
    for (const h of ['a', 'b']) {
      expect(liveVersion(base, h)).toBe('v1');
      expect(owner(base, h)).toBe('stage-run-4242');
    }
    // A hold with no readable expiry is an expired one: the next deploy undoes it and says so, as data.
    ws.write('VERSION', 'v3\n');
    const deploy = await run(ws, {}, { GITHUB_RUN_ID: '503' });
    expectOk(deploy);
    expect(deploy.stdout).toContain('a staged release run-4242 expired at');
    expect(deploy.stdout.length).toBeLessThan(100_000);
    noForeign(deploy);
    for (const h of ['a', 'b']) {
      expect(liveVersion(base, h)).toBe('v3');
      expect(existsSync(join(base, h, 'releases/run-4242'))).toBe(false);
    }
  });

  test('an expiry too large for the shell (an overflow) is an expired hold, not one that never expires', async () => {
    const { base, ws } = await staged();
    const rec = join(base, 'b', '.deploy/stage');
    writeFileSync(rec, readFileSync(rec, 'utf8').replace(/"expires":\d+/, '"expires":99999999999999999999999'));
    const sw = await run(ws, { command: 'switch', release: 'run-4242' }, { GITHUB_RUN_ID: '900' });
    expect(sw.code).not.toBe(0);
    expect(sw.stdout).toContain('run-4242 is not staged on every host, so nothing was switched anywhere');
    expect(sw.stdout).toMatch(/127\.0\.0\.1:\d+: its stage expired/);
    expect(sw.stdout).not.toContain('integer expression expected');
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('v1');
  });

  test('a preview link planted as a symlink out of the deploy path is replaced, never followed; discard removes only its own', async () => {
    const victim = tempDir('da-victim-');
    writeFileSync(join(victim, 'KEEP'), 'x');
    const before = tree(victim);
    const f = fleet('    preview_link: preview\n');
    expectOk(await run(f.ws, {}, { GITHUB_RUN_ID: '100' }));
    for (const h of ['a', 'b']) symlinkSync(victim, join(f.base, h, 'preview'));
    f.ws.write('VERSION', 'v2\n');
    expectOk(await run(f.ws, { command: 'stage' }));
    for (const h of ['a', 'b']) expect(readlinkSync(join(f.base, h, 'preview'))).toBe('releases/run-4242');
    expect(tree(victim)).toBe(before);
    // b's link is pointed elsewhere again by hand: discard leaves a link it did not make.
    rmSync(join(f.base, 'b', 'preview'));
    symlinkSync(victim, join(f.base, 'b', 'preview'));
    expectOk(await run(f.ws, { command: 'discard', release: 'run-4242' }, { GITHUB_RUN_ID: '800' }));
    expect(existsSync(join(f.base, 'a', 'preview'))).toBe(false);
    expect(readlinkSync(join(f.base, 'b', 'preview'))).toBe(victim);
    expect(tree(victim)).toBe(before);
  });

  test('discard of a release staged by another run says whose stage it discards', async () => {
    const { base, ws } = await staged('', {});
    const d = await run(
      ws,
      { command: 'discard', release: 'run-4242' },
      { GITHUB_RUN_ID: '700', GITHUB_ACTOR: 'mona' },
    );
    expectOk(d);
    expect(d.stdout).toContain(
      'discarded the staged release run-4242 (staged by acme/shop run 4242 (attempt 1) by octocat)',
    );
    for (const h of ['a', 'b']) expect(existsSync(join(base, h, 'releases/run-4242'))).toBe(false);
  });
});

describe('stage attacks: a second operator during a switch', () => {
  /** A stage whose switch waits in its activate hook until `go` exists (each host says `arrived-<host>`). */
  async function switching(base: string, ws: Workspace) {
    const gate = join(base, 'go');
    const sw = startAction({
      inputs: inputs({ command: 'switch', release: 'run-4242' }),
      workspace: ws.dir,
      env: { GITHUB_RUN_ID: '600' },
    });
    for (const h of ['a', 'b'])
      for (let i = 0; !existsSync(join(base, `arrived-${h}`)); i++) {
        if (i > 600) throw new Error(`the switch never reached the activate hook on ${h}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    return { sw, open: () => writeFileSync(gate, '') };
  }
  const HOOK = (base: string) =>
    `    activate:\n      - '[ "$DEPLOY_RELEASE" != run-4242 ] || { touch ${join(base, 'arrived-')}$(basename "$DEPLOY_PATH"); while [ ! -e ${join(base, 'go')} ]; do sleep 0.1; done; }'\n`;

  test('discard of the release being switched removes nothing: the switch completes everywhere', async () => {
    const base0 = tempDir('da-stage-race-');
    const { base, ws } = await stagedAt(base0, HOOK(base0));
    const { sw, open } = await switching(base, ws);
    const d = await run(ws, { command: 'discard', release: 'run-4242' }, { GITHUB_RUN_ID: '601' });
    expectOk(d);
    expect(d.summary).toContain('nothing staged');
    open();
    expectOk(await sw.done);
    for (const h of ['a', 'b']) {
      expect(liveVersion(base, h)).toBe('v2');
      expect(readlinkSync(join(base, h, 'current'))).toBe('releases/run-4242');
      expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
    }
  });

  test('unlock --force during the switch (in activate): the switch stops and every host is switched back; no history line', async () => {
    const base0 = tempDir('da-stage-race-');
    const { base, ws } = await stagedAt(base0, HOOK(base0));
    const { sw, open } = await switching(base, ws);
    expectOk(await run(ws, { command: 'unlock', force: 'true' }, { GITHUB_RUN_ID: '602' }));
    open();
    const r = await sw.done;
    // The switch's next fenced step finds its lock gone: it stops, and every host it switched is switched back.
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("this run's lock was removed at");
    const states = ['a', 'b'].map((h) => ({
      live: liveVersion(base, h),
      release: existsSync(join(base, h, 'releases/run-4242/VERSION')),
      history: readFileSync(join(base, h, '.deploy/history.jsonl'), 'utf8').includes(
        '"event":"deploy","release":"run-4242"',
      ),
    }));
    expect(states).toEqual([
      { live: 'v1', release: false, history: false },
      { live: 'v1', release: false, history: false },
    ]);
    for (const h of ['a', 'b']) expect(readlinkSync(join(base, h, 'current'))).toMatch(/^releases\//);
  });
});

async function stagedAt(base: string, extra: string): Promise<{ base: string; ws: Workspace }> {
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, extra));
  expectOk(await run(ws, {}, { GITHUB_RUN_ID: '100' }));
  ws.write('VERSION', 'v2\n');
  expectOk(await run(ws, { command: 'stage' }));
  return { base, ws };
}
