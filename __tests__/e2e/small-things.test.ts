/**
 * What users trip on (issue 19): an `exclude_from` ignore file, `release-name-exists` for a re-run with the same
 * release name, and `rollback` hooks (rollback and redeploy run `activate` and the health check as a deploy does).
 * Through dist/index.js as the runner runs it, on two real sshd hosts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fleetInputs, fleetOfSshd, fleetConfig } from '../support/fleet-hosts.js';
import { DIST, runAction, type ActionResult } from '../support/action.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const hosts = fleetOfSshd(2);

/** Two hosts, deploy paths `<base>/a` and `<base>/b`, and `extra` environment keys (indented 4). */
function config(base: string, extra = ''): string {
  return fleetConfig(hosts, base, extra);
}

const run = (ws: Workspace, extra: Record<string, string> = {}) =>
  runAction({
    inputs: fleetInputs(hosts, extra),
    workspace: ws.dir,
  });

const ok = (r: ActionResult) => ({ code: r.code, out: r.code ? r.stdout.slice(-2500) : '' });
const OK = { code: 0, out: '' };

/** Every file under `dir`, relative, sorted. */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

describe('exclude_from: an ignore file beside exclude', () => {
  test('.deployignore lines keep files off the hosts: comments, !negation, a leading / anchors, a trailing / means a directory', async () => {
    const base = tempDir('da-small-');
    const ws = makeWorkspace(
      {
        'index.php': '<?php',
        'README.md': 'readme',
        'NOTES.md': 'notes',
        'docs/guide.txt': 'guide',
        'build/cache.bin': 'cache',
        'src/build/kept.txt': 'kept',
        'storage/logs/app.log': 'log',
        'storage/logs/keep.log': 'keep',
        'secret.txt': 'secret',
        '.deployignore': [
          '# what stays on the runner',
          '',
          'docs/',
          '*.md',
          '!README.md',
          '  *.log  ',
          '!keep.log',
          '/build',
          '\\#not-a-comment',
        ].join('\n'),
      },
      config(base, '    exclude: [secret.txt]\n    exclude_from: .deployignore\n'),
    );
    const r = await run(ws);
    expect(ok(r)).toEqual(OK);
    for (const h of ['a', 'b']) {
      expect(files(join(base, h, 'current'))).toEqual([
        '.deployignore',
        'README.md',
        'REVISION',
        'index.php',
        'src/build/kept.txt',
        'storage/logs/keep.log',
      ]);
    }
    // A dry run counts what would ship the same way.
    const plan = await run(ws, { 'dry-run': 'true' });
    expect(ok(plan)).toEqual(OK);
    expect(plan.stdout).toContain('Ships: 5 files');
  });

  test('a missing exclude_from file is a config error naming it; nothing is built or connected to', async () => {
    const base = tempDir('da-small-');
    const ws = makeWorkspace(
      { 'index.php': '<?php' },
      config(base, '    exclude_from: .deployignore\n    build: [touch BUILT]\n'),
    );
    const before = hosts.map((h) => h.connections());
    const r = await run(ws);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(
      `environments.production.exclude_from: \`.deployignore\` does not exist in the source directory ${ws.app}: create it, or correct or remove \`exclude_from\``,
    );
    expect(hosts.map((h) => h.connections())).toEqual(before);
    expect(r.stdout).not.toContain('touch BUILT');
    expect(existsSync(join(base, 'a'))).toBe(false);
  });
});

describe('release-name-exists', () => {
  test('a re-run with the same release-name fails naming the host (fail); with suffix it is NAME-2, the first name free on every host', async () => {
    const base = tempDir('da-small-');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base));
    const first = await run(ws, { 'release-name': 'v1.2.0' });
    expect(ok(first)).toEqual(OK);
    expect(first.outputs['release']).toBe('v1.2.0');

    const again = await run(ws, { 'release-name': 'v1.2.0' });
    expect(again.code).not.toBe(0);
    expect(again.stdout).toMatch(
      /a release named "v1\.2\.0" already exists there; release names are never reused\. Use `release-name-exists: suffix` to deploy it as "v1\.2\.0-2"/,
    );
    expect(again.stdout).toContain(`${hosts[0]!.user}@${hosts[0]!.host}:${hosts[0]!.port}`);

    ws.write('VERSION', 'v2\n');
    const suffixed = await run(ws, { 'release-name': 'v1.2.0', 'release-name-exists': 'suffix' });
    expect(ok(suffixed)).toEqual(OK);
    expect(suffixed.outputs['release']).toBe('v1.2.0-2');
    expect(suffixed.outputs['previous-release']).toBe('v1.2.0');
    for (const h of ['a', 'b']) expect(readlinkSync(join(base, h, 'current'))).toBe('releases/v1.2.0-2');

    // A name taken on one host only is taken for all: one name for every host.
    mkdirSync(join(base, 'b/releases/v1.2.0-3'));
    const third = await run(ws, { 'release-name': 'v1.2.0', 'release-name-exists': 'suffix' });
    expect(ok(third)).toEqual(OK);
    expect(third.outputs['release']).toBe('v1.2.0-4');
    expect(third.stdout).toContain('a release named v1.2.0 exists on');
    for (const h of ['a', 'b']) expect(readlinkSync(join(base, h, 'current'))).toBe('releases/v1.2.0-4');
    expect(readdirSync(join(base, 'a/releases')).sort()).toEqual(['v1.2.0', 'v1.2.0-2', 'v1.2.0-4']);

    const bad = await run(ws, { 'release-name': 'v1.2.0', 'release-name-exists': 'rename' });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain('input release-name-exists: "rename" is not one of fail, suffix');
  });
});

describe('rollback hooks; rollback and redeploy activate and check health as a deploy does', () => {
  const log = (base: string, h: string) =>
    readFileSync(join(base, h, 'events'), 'utf8')
      .trim()
      .split('\n');
  const hooks = (rollback: string) =>
    [
      '    activate:',
      '      - echo "activate $DEPLOY_RELEASE" >> ../../events',
      '    healthcheck:',
      '      command: echo "health $(basename "$(pwd -P)")" >> ../../events',
      '    rollback:',
      `      - ${JSON.stringify(rollback)}`,
      '',
    ].join('\n');

  test('after a rollback switch: activate, the rollback hooks (in current/, hook env), then the health check; a deploy or redeploy runs no rollback hook', async () => {
    const base = tempDir('da-small-');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      config(
        base,
        hooks('echo "rollback $DEPLOY_RELEASE from $DEPLOY_PREVIOUS_RELEASE in $(cat VERSION)" | tee -a ../../events'),
      ),
    );
    const a = await run(ws, { 'release-name': 'a' });
    ws.write('VERSION', 'v2\n');
    const b = await run(ws, { 'release-name': 'b' });
    const redeploy = await run(ws, { command: 'redeploy', 'release-name': 'c' });
    const rollback = await run(ws, { command: 'rollback' });
    expect([a, b, redeploy, rollback].map(ok)).toEqual([OK, OK, OK, OK]);
    expect(rollback.outputs['release']).toBe('b');
    for (const h of ['a', 'b']) {
      expect(log(base, h)).toEqual([
        'activate a',
        'health a',
        'activate b',
        'health b',
        'activate c',
        'health c',
        'activate b',
        'rollback b from c in v2',
        'health b',
      ]);
    }
    expect(rollback.summary).toContain('rollback b from c in v2');
  });

  test('a failing rollback hook fails the rollback as a failing activate does: the host switches back and no rollback is recorded', async () => {
    const base = tempDir('da-small-');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, hooks('echo purge failed >&2; exit 3')));
    expect(ok(await run(ws, { 'release-name': 'a' }))).toEqual(OK);
    ws.write('VERSION', 'v2\n');
    expect(ok(await run(ws, { 'release-name': 'b' }))).toEqual(OK);
    const r = await run(ws, { command: 'rollback' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('rollback hook "echo purge failed >&2; exit 3"');
    expect(r.stdout).toContain('purge failed');
    for (const h of ['a', 'b']) {
      expect(readlinkSync(join(base, h, 'current'))).toBe('releases/b');
      // The failed host's session ends and its abort path switches it back (as after a failed activate).
      expect(log(base, h).slice(4)).toEqual(['activate a']);
      const history = readFileSync(join(base, h, '.deploy/history.jsonl'), 'utf8');
      expect(history).not.toContain('"event":"rollback"');
    }
  });
});

describe('the same through the CLI (dist/cli/index.js)', () => {
  /** `deploy-action ARGS` in the workspace, with a HOME whose known_hosts holds both hosts' keys. */
  function cliIn(ws: Workspace) {
    const home = tempDir('da-home-');
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(join(home, '.ssh/known_hosts'), hosts.map((h) => `${h.knownHostsLine}\n`).join(''));
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice' };
    return (...args: string[]) =>
      new Promise<{ code: number; out: string }>((done) =>
        execFile(
          process.execPath,
          [join(DIST, '../cli/index.js'), ...args, '--source', 'app', '-i', hosts[0]!.privateKeyPath],
          { cwd: ws.dir, env },
          (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, out: `${stdout}\n${stderr}` }),
        ),
      );
  }

  test('exclude_from, --release-name-exists suffix and rollback hooks', async () => {
    const base = tempDir('da-small-');
    const ws = makeWorkspace(
      { VERSION: 'v1\n', 'notes.md': 'notes', '.deployignore': '*.md\n' },
      config(
        base,
        '    exclude_from: .deployignore\n    rollback: [echo "rolled back to $DEPLOY_RELEASE" >> ../../events]\n',
      ),
    );
    const cli = cliIn(ws);
    const okCli = (r: { code: number; out: string }) => ({ code: r.code, out: r.code ? r.out.slice(-2500) : '' });
    expect(okCli(await cli('deploy', 'production', '--release-name', 'v1'))).toEqual(OK);
    expect(files(join(base, 'a/current'))).toEqual(['.deployignore', 'REVISION', 'VERSION']);
    const taken = await cli('deploy', 'production', '--release-name', 'v1');
    expect(taken.code).toBe(1);
    expect(taken.out).toContain('Use --release-name-exists suffix to deploy it as "v1-2"');
    ws.write('VERSION', 'v2\n');
    const second = await cli('deploy', 'production', '--release-name', 'v1', '--release-name-exists', 'suffix');
    expect(okCli(second)).toEqual(OK);
    expect(second.out).toMatch(/Release: +v1-2/);
    for (const h of ['a', 'b']) expect(readlinkSync(join(base, h, 'current'))).toBe('releases/v1-2');
    expect(okCli(await cli('rollback', 'production'))).toEqual(OK);
    for (const h of ['a', 'b']) expect(readFileSync(join(base, h, 'events'), 'utf8')).toBe('rolled back to v1\n');
    const misplaced = await cli('releases', 'production', '--release-name-exists', 'suffix');
    expect(misplaced.code).toBe(2);
    expect(misplaced.out).toContain('--release-name-exists applies to deploy and redeploy, not releases');
    const wrong = await cli('deploy', 'production', '--release-name-exists', 'rename');
    expect(wrong.code).toBe(2);
    expect(wrong.out).toContain('--release-name-exists: "rename" is not one of fail, suffix');
  });
});
