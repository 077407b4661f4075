/**
 * What a later step reads is true (issue 17's leftovers): after a failed deploy no output names a release as if it
 * went live, and the summary's "From a terminal" rollback command runs as printed. Through dist/index.js and
 * dist/cli/index.js, on the host `local` (the same session scripts as over SSH).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runAction, type ActionResult } from '../support/action.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');

const deployPath = () => join(tempDir('da-truth-'), 'shop');
const config = (dp: string, extra = '') =>
  `name: shop\nenvironments:\n  staging:\n    hosts: [local]\n    deploy_path: ${JSON.stringify(dp)}\n${extra}`;

const run = (ws: Workspace, inputs: Record<string, string> = {}) =>
  runAction({ inputs: { environment: 'staging', config: 'deploy.yml', source: 'app', ...inputs }, workspace: ws.dir });

const ok = (r: ActionResult) => ({ code: r.code, out: r.code ? r.stdout.slice(-2500) : '' });
const OK = { code: 0, out: '' };

describe('outputs after a failed deploy', () => {
  test('a deploy hook fails: `release` and `release-path` are empty, `attempted-release` names what was tried', async () => {
    const dp = deployPath();
    const ws = makeWorkspace({ 'index.html': 'one\n' }, config(dp));
    const first = await run(ws);
    expect(ok(first)).toEqual(OK);
    expect(first.outputs['release']).toMatch(/^\d{14}$/);
    expect(first.outputs['attempted-release']).toBe(first.outputs['release']);
    writeFileSync(ws.config, config(dp, '    deploy: ["echo boom; exit 3"]\n'));
    ws.write('index.html', 'two\n');
    const failed = await run(ws, { 'release-name': 'v2' });
    expect(failed.code).toBe(1);
    expect(failed.outputs['release']).toBe('');
    expect(failed.outputs['release-path']).toBe('');
    expect(failed.outputs['attempted-release']).toBe('v2');
    // Still true after the failure: the release live before this run is live now.
    expect(failed.outputs['previous-release']).toBe(first.outputs['release']);
    expect(readlinkSync(join(dp, 'current'))).toBe(`releases/${first.outputs['release']}`);
  }, 120_000);

  test('a failed rollback leaves `release` empty; a good one sets it', async () => {
    const dp = deployPath();
    const ws = makeWorkspace({ 'index.html': 'one\n' }, config(dp));
    for (const name of ['a', 'b']) expect(ok(await run(ws, { 'release-name': name }))).toEqual(OK);
    writeFileSync(ws.config, config(dp, '    rollback: ["exit 4"]\n'));
    const failed = await run(ws, { command: 'rollback' });
    expect(failed.code).toBe(1);
    expect(failed.outputs['release']).toBe('');
    expect(failed.outputs['attempted-release']).toBe('a');
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/b');
    writeFileSync(ws.config, config(dp));
    // The failed rollback marked `a` bad (switched back): a rollback to it now names it.
    const good = await run(ws, { command: 'rollback', release: 'a' });
    expect(ok(good)).toEqual(OK);
    expect(good.outputs['release']).toBe('a');
  }, 120_000);
});

describe('the summary\'s "From a terminal" rollback', () => {
  test('with a config that is not deploy.yml, the printed command runs as it is and rolls back', async () => {
    const dp = deployPath();
    const ws = makeWorkspace({ 'index.html': 'one\n' }, config(dp));
    mkdirSync(join(ws.dir, 'ops'));
    writeFileSync(join(ws.dir, 'ops/deploy.yml'), config(dp));
    const inputs = { config: 'ops/deploy.yml', 'release-name': 'r1' };
    expect(ok(await run(ws, inputs))).toEqual(OK);
    const second = await run(ws, { ...inputs, 'release-name': 'r2' });
    expect(ok(second)).toEqual(OK);
    const printed = /From a terminal: `([^`]+)`/.exec(second.summary)?.[1]?.trim();
    expect(printed).toBe('npx deploy-action rollback staging --config ops/deploy.yml --release r1');
    // The command as a user pastes it into a terminal in the checkout, `npx deploy-action` being this CLI.
    const args = printed!.split(' ').slice(2);
    const home = tempDir('da-home-');
    const cli = spawnSync(process.execPath, [CLI, ...args], {
      cwd: ws.dir,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice' },
    });
    expect({ code: cli.status, err: cli.stderr }).toEqual({ code: 0, err: '' });
    expect(cli.stdout).toContain('Rollback of shop to staging succeeded');
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/r1');
  }, 120_000);

  test('a config path with a space is quoted; the default config adds no --config', async () => {
    const dp = deployPath();
    const ws = makeWorkspace({ 'index.html': 'one\n' }, config(dp));
    mkdirSync(join(ws.dir, 'my ops'));
    writeFileSync(join(ws.dir, 'my ops/deploy.yml'), config(dp));
    for (const name of ['r1', 'r2']) expect(ok(await run(ws, { 'release-name': name }))).toEqual(OK);
    expect(/From a terminal: `([^`]+)`/.exec((await run(ws, { 'release-name': 'r3' })).summary)?.[1]?.trim()).toBe(
      'npx deploy-action rollback staging --release r2',
    );
    const spaced = await run(ws, { config: 'my ops/deploy.yml', 'release-name': 'r4' });
    const printed = /From a terminal: `([^`]+)`/.exec(spaced.summary)?.[1]?.trim();
    expect(printed).toBe("npx deploy-action rollback staging --config 'my ops/deploy.yml' --release r3");
    expect(spaced.summary).toContain('  config: "my ops/deploy.yml"');
    const home = tempDir('da-home-');
    const cli = spawnSync('bash', ['-c', printed!.replace(/^npx deploy-action/, `"${process.execPath}" "${CLI}"`)], {
      cwd: ws.dir,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice' },
    });
    expect({ code: cli.status, err: cli.stderr }).toEqual({ code: 0, err: '' });
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/r3');
  }, 120_000);
});

/** The summary's line for the host under "What happened on each host" (the only host here). */
const hostLine = (summary: string) => summary.split('\n').find((l) => l.startsWith('- ` local `')) ?? '(none)';

describe('the abort path: the summary says what the host confirmed', () => {
  test('a failed deploy hook: the host confirms the release removed and the lock released', async () => {
    const dp = deployPath();
    const ws = makeWorkspace({ 'index.html': 'one\n' }, config(dp));
    expect(ok(await run(ws, { 'release-name': 'r1' }))).toEqual(OK);
    writeFileSync(ws.config, config(dp, '    deploy: ["exit 3"]\n'));
    const failed = await run(ws, { 'release-name': 'r2' });
    expect(failed.code).toBe(1);
    expect(hostLine(failed.summary)).toBe(
      '- ` local `: took the deploy lock, made release ` r2 `, failed in step ` hook "exit 3" `; then removed ` r2 ` and the ` shared/ ` entries this run created and released the lock. ` current ` is as it was before this run',
    );
  }, 120_000);

  test('the release live before is gone when the switch is undone: the summary says `current` was left, not switched back', async () => {
    const dp = deployPath();
    const ws = makeWorkspace({ 'index.html': 'one\n' }, config(dp));
    expect(ok(await run(ws, { 'release-name': 'r1' }))).toEqual(OK);
    // An activate command that removes the previous release, then fails: nothing can switch back to it.
    const activate = '    activate: [\'rm -rf "$DEPLOY_PATH/releases/$DEPLOY_PREVIOUS_RELEASE"; exit 5\']\n';
    writeFileSync(ws.config, config(dp, activate));
    const failed = await run(ws, { 'release-name': 'r2' });
    expect(failed.code).toBe(1);
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/r2');
    const line = hostLine(failed.summary);
    expect(line).toContain('left ` current ` on ` r2 `: the release live before this run is gone');
    expect(line).toContain('it did not confirm that it switched ` current ` back');
    expect(line).not.toContain('is as it was before this run');
    expect(line).not.toMatch(/then switched ` current ` back/);
  }, 120_000);

  test('maintenance `off` fails in the abort path: the summary says the site is still in maintenance', async () => {
    const dp = deployPath();
    const ws = makeWorkspace({ 'index.html': 'one\n' }, config(dp));
    expect(ok(await run(ws, { 'release-name': 'r1' }))).toEqual(OK);
    const extra = '    maintenance: { on: "true", off: "exit 9" }\n    deploy: ["exit 3"]\n';
    writeFileSync(ws.config, config(dp, extra));
    const failed = await run(ws, { 'release-name': 'r2', maintenance: 'true' });
    expect(failed.code).toBe(1);
    const line = hostLine(failed.summary);
    expect(line).toContain('maintenance ` off ` FAILED: the site is still in maintenance there');
    expect(line).toContain('it did not confirm that it ran maintenance ` off `');
    expect(line).not.toMatch(/then [^;]*ran maintenance/);
  }, 120_000);
});
