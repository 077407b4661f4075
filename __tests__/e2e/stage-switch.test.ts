import { existsSync, rmSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expectOk, fleetInputs, fleetOfSshd, historyOf, liveVersion, fleetConfig } from '../support/fleet-hosts.js';
import { runAction } from '../support/action.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const hosts = fleetOfSshd(2);

/** Two hosts, a and b, each with its own deploy_path. */
function config(base: string, extra = ''): string {
  return fleetConfig(
    hosts,
    base,
    `    deploy:
      - echo "$DEPLOY_RELEASE" >> HOOK_RUNS
${extra}`,
  );
}

const inputs = (more: Record<string, string> = {}) => fleetInputs(hosts, more);

const run = (ws: Workspace, more: Record<string, string>, env: Record<string, string> = {}) =>
  runAction({ inputs: inputs(more), workspace: ws.dir, env });

function fleet(extra = ''): { base: string; ws: Workspace } {
  const base = tempDir('da-stage-');
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, extra));
  return { base, ws };
}

describe('stage, then switch', () => {
  test('stage on two hosts then switch: one release everywhere, one history entry per host, the lock free after', async () => {
    const { base, ws } = fleet('    preview_link: preview\n');
    expectOk(await run(ws, {}));
    ws.write('VERSION', 'v2\n');
    const staged = await run(ws, { command: 'stage' });
    expectOk(staged);
    const name = staged.outputs['release']!;
    expect(name).toBe('run-4242');
    for (const h of ['a', 'b']) {
      expect(liveVersion(base, h)).toBe('v1');
      expect(readFileSync(join(base, h, 'releases', name, 'VERSION'), 'utf8')).toBe('v2\n');
      expect(readFileSync(join(base, h, 'releases', name, 'HOOK_RUNS'), 'utf8')).toBe(`${name}\n`);
      expect(readFileSync(join(base, h, '.deploy/lock/owner'), 'utf8').trim()).toBe(`stage-${name}`);
      // The stage's session has ended: its release was not undone; its pending record is the hold's now.
      expect(readdirSync(join(base, h, '.deploy/pending'))).toEqual([`stage-${name}`]);
      expect(readlinkSync(join(base, h, 'preview'))).toBe(`releases/${name}`);
      expect(readFileSync(join(base, h, 'preview/VERSION'), 'utf8')).toBe('v2\n');
      const record = JSON.parse(readFileSync(join(base, h, '.deploy/stage'), 'utf8')) as Record<string, unknown>;
      expect(record).toMatchObject({ release: name, repository: 'acme/shop', run_id: '4242', actor: 'octocat' });
      expect(Date.parse(String(record['expires_at'])) - Date.parse(String(record['staged_at']))).toBe(7_200_000);
    }
    const switched = await run(ws, { command: 'switch', release: name }, { GITHUB_RUN_ID: '4243' });
    expectOk(switched);
    expect(switched.outputs['release']).toBe(name);
    for (const h of ['a', 'b']) {
      expect(liveVersion(base, h)).toBe('v2');
      expect(readlinkSync(join(base, h, 'current'))).toBe(`releases/${name}`);
      expect(historyOf(base, h).filter((e) => e['release'] === name)).toMatchObject([
        { event: 'deploy', release: name },
      ]);
      expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
      expect(existsSync(join(base, h, '.deploy/stage'))).toBe(false);
      expect(readdirSync(join(base, h, '.deploy/pending'))).toEqual([]);
      expect(existsSync(join(base, h, 'preview'))).toBe(false);
    }
    // A plain deploy afterwards works (the lock is free).
    ws.write('VERSION', 'v3\n');
    expectOk(await run(ws, {}, { GITHUB_RUN_ID: '4244' }));
    expect(liveVersion(base, 'a')).toBe('v3');
  });

  test('switch is refused when one host does not have the release staged: nothing switches anywhere', async () => {
    const { base, ws } = fleet();
    expectOk(await run(ws, {}));
    ws.write('VERSION', 'v2\n');
    // b's stage record is gone (removed by hand): b has nothing staged.
    const again = await run(ws, { command: 'stage' }, { GITHUB_RUN_ID: '5000' });
    expectOk(again);
    const name2 = again.outputs['release']!;
    rmSync(join(base, 'b', '.deploy/stage'));
    const r = await run(ws, { command: 'switch', release: name2 }, { GITHUB_RUN_ID: '5001' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(`${name2} is not staged on every host, so nothing was switched anywhere`);
    expect(r.stdout).toMatch(/b\b.*nothing is staged there|nothing is staged there/);
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('v1');
    // a keeps its stage.
    expect(readFileSync(join(base, 'a', '.deploy/lock/owner'), 'utf8').trim()).toBe(`stage-${name2}`);
    expect(existsSync(join(base, 'a', 'releases', name2))).toBe(true);
  });

  test('discard removes the staged release and its hold everywhere; twice is "nothing staged"', async () => {
    const { base, ws } = fleet('    preview_link: preview\n');
    expectOk(await run(ws, {}));
    const first = readlinkSync(join(base, 'a', 'current'));
    ws.write('VERSION', 'v2\n');
    const staged = await run(ws, { command: 'stage' });
    expectOk(staged);
    const name = staged.outputs['release']!;
    const d = await run(ws, { command: 'discard', release: name }, { GITHUB_RUN_ID: '6001' });
    expectOk(d);
    expect(d.summary).toContain(`discarded the staged release ${name}`);
    for (const h of ['a', 'b']) {
      expect(existsSync(join(base, h, 'releases', name))).toBe(false);
      expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
      expect(existsSync(join(base, h, '.deploy/stage'))).toBe(false);
      expect(existsSync(join(base, h, 'preview'))).toBe(false);
      expect(readlinkSync(join(base, h, 'current'))).toBe(first);
    }
    const twice = await run(ws, { command: 'discard', release: name }, { GITHUB_RUN_ID: '6002' });
    expectOk(twice);
    expect(twice.summary).toContain('nothing staged');
  });

  test('a stage then a normal deploy by someone else: refused, naming the hold, its run and its expiry', async () => {
    const { base, ws } = fleet();
    expectOk(await run(ws, {}));
    const staged = await run(ws, { command: 'stage' });
    expectOk(staged);
    const name = staged.outputs['release']!;
    const r = await run(ws, {}, { GITHUB_RUN_ID: '7000', GITHUB_ACTOR: 'mallory' });
    expect(r.code).not.toBe(0);
    const until = JSON.parse(readFileSync(join(base, 'a', '.deploy/stage'), 'utf8'))['expires_at'];
    expect(r.stdout).toContain(`holds the staged release ${name} until ${until}`);
    expect(r.stdout).toContain('acme/shop run 4242');
    expect(r.stdout).toContain('https://github.com/acme/shop/actions/runs/4242');
    expect(existsSync(join(base, 'a', 'releases', name))).toBe(true);
  });

  test('an expired hold is undone by the next deploy, which says so', async () => {
    const { base, ws } = fleet('    stage_ttl: 1s\n');
    expectOk(await run(ws, {}));
    const staged = await run(ws, { command: 'stage' });
    expectOk(staged);
    const name = staged.outputs['release']!;
    await new Promise((r) => setTimeout(r, 2500));
    ws.write('VERSION', 'v3\n');
    const r = await run(ws, {}, { GITHUB_RUN_ID: '8000' });
    expectOk(r);
    expect(r.stdout).toMatch(new RegExp(`a staged release ${name} expired at [0-9TZ:-]+: discarded`));
    for (const h of ['a', 'b']) {
      expect(existsSync(join(base, h, 'releases', name))).toBe(false);
      expect(liveVersion(base, h)).toBe('v3');
      expect(existsSync(join(base, h, '.deploy/stage'))).toBe(false);
    }
  });

  test('two shards staged at once, then one switch: a once hook ran exactly once across the shards', async () => {
    const { base, ws } = fleet();
    const once = join(base, 'ONCE');
    ws.write(
      '../deploy.yml',
      config(base).replace(
        '    deploy:\n',
        `    deploy:\n      - run: echo "$DEPLOY_PATH" >> ${JSON.stringify(once)}\n        once: true\n`,
      ),
    );
    expectOk(await run(ws, {}));
    rmSync(once);
    ws.write('VERSION', 'v2\n');
    const [one, two] = await Promise.all([
      run(ws, { command: 'stage', shard: '1/2' }),
      run(ws, { command: 'stage', shard: '2/2' }),
    ]);
    expectOk(one!);
    expectOk(two!);
    expect(one!.outputs['release']).toBe('run-4242');
    expect(two!.outputs['release']).toBe('run-4242');
    expect(JSON.parse(one!.outputs['hosts']!)).toHaveLength(1);
    expect(readFileSync(once, 'utf8')).toBe(`${join(base, 'a')}\n`);
    expectOk(await run(ws, { command: 'switch', release: 'run-4242' }, { GITHUB_RUN_ID: '4300' }));
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('v2');
  });

  test('unlock: a hold that has not expired is left in place (switch or discard it); forced, it is discarded', async () => {
    const { base, ws } = fleet();
    expectOk(await run(ws, {}));
    const dry = await run(ws, { command: 'stage', 'dry-run': 'true' });
    expect(dry.code).not.toBe(0);
    expect(dry.stdout).toContain('stage has no dry run (nothing was changed)');
    expect(existsSync(join(base, 'a', '.deploy/stage'))).toBe(false);
    const staged = await run(ws, { command: 'stage' });
    expectOk(staged);
    const name = staged.outputs['release']!;
    const refused = await run(ws, { command: 'unlock' }, { GITHUB_RUN_ID: '9000' });
    expect(refused.stdout).toContain(`the lock holds the staged release ${name} until`);
    expect(existsSync(join(base, 'a', 'releases', name))).toBe(true);
    expectOk(await run(ws, { command: 'unlock', force: 'true' }, { GITHUB_RUN_ID: '9001' }));
    for (const h of ['a', 'b']) {
      expect(existsSync(join(base, h, 'releases', name))).toBe(false);
      expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
      expect(existsSync(join(base, h, '.deploy/stage'))).toBe(false);
    }
  });
});
