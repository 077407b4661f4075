/**
 * What a host's lock and stage records may claim (see THREATS.md, operator ↔ operator and host → runner): a lock
 * record of megabytes, a hold whose expiry lies years ahead; and `switch` / `discard` given a `hosts` input they do
 * not apply. Real sshd hosts, dist/index.js run as the runner runs it, the CLI through dist/cli/index.js.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runAction } from '../support/action.js';
import { expectOk, fleetInputs, fleetOfSshd, liveVersion, fleetConfig } from '../support/fleet-hosts.js';
import type { SshdHandle } from '../support/sshd.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const hosts = fleetOfSshd(2);
const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');

function config(base: string): string {
  return fleetConfig(hosts, base);
}

const run = (ws: Workspace, more: Record<string, string>, env: Record<string, string> = {}) =>
  runAction({ inputs: fleetInputs(hosts, more), workspace: ws.dir, env });
const nameOf = (h: SshdHandle) => `${h.user}@${h.host}:${h.port}`;
const owner = (base: string, h: string) => readFileSync(join(base, h, '.deploy/lock/owner'), 'utf8').trim();
const all = (r: { stdout: string; summary: string }) => `${r.stdout}\n${r.summary}`;

async function deployed(): Promise<{ base: string; ws: Workspace }> {
  const base = tempDir('da-lock-bounds-');
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base));
  expectOk(await run(ws, {}, { GITHUB_RUN_ID: '100' }));
  return { base, ws };
}

const BOOT_ID = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const PAD = 'x'.repeat(4 * 1024 * 1024);

describe('a lock record of 4 MB', () => {
  test('a deploy is refused with the lock-held message, unlock reports the holder, unlock --force removes it', async () => {
    const { base, ws } = await deployed();
    // a: the holder's fields first, then 4 MB; its session looks alive (a live pid, this boot). b: 4 MB first.
    const fields = `"repository":"acme/other","run_id":"77","run_attempt":"2","actor":"mallory","pid":${process.pid},"boot_id":"${BOOT_ID}"`;
    for (const [h, record] of [
      ['a', `{${fields},"pad":"${PAD}"}\n`],
      ['b', `{"pad":"${PAD}",${fields}}\n`],
    ] as const) {
      mkdirSync(join(base, h, '.deploy/lock'), { recursive: true });
      writeFileSync(join(base, h, '.deploy/lock/owner'), 'run-other\n');
      writeFileSync(join(base, h, '.deploy/lock/info.json'), record);
    }
    ws.write('VERSION', 'v2\n');
    const deploy = await run(ws, {}, { GITHUB_RUN_ID: '101' });
    expect(deploy.code).not.toBe(0);
    expect(deploy.stdout).not.toMatch(/marker line|64 KiB|over \d+ (KiB|bytes)/i);
    expect(deploy.stdout).toContain('the deploy lock is held by acme/other run 77 (attempt 2) by mallory');
    expect(deploy.stdout).toContain('is larger than 4 KiB: only its first 4 KiB were read');
    expect(deploy.stdout.length).toBeLessThan(200_000);
    // b alone (a run names the first host that failed): no whole field in its first 4 KiB.
    const onB = await run(ws, { hosts: nameOf(hosts[1]!) }, { GITHUB_RUN_ID: '105' });
    expect(onB.code).not.toBe(0);
    expect(onB.stdout).not.toMatch(/marker line|64 KiB/i);
    expect(onB.stdout).toContain('the deploy lock is held, since');
    expect(onB.stdout).toContain('they hold no whole field (unreadable lock record)');
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('v1');
    // b's record names no session it can read: removed, its holder said to be unreadable.
    const onlyB = await run(ws, { command: 'unlock', hosts: nameOf(hosts[1]!) }, { GITHUB_RUN_ID: '106' });
    expectOk(onlyB);
    expect(all(onlyB)).toContain('removed the lock of an unknown holder (unreadable lock record)');
    expect(existsSync(join(base, 'b', '.deploy/lock'))).toBe(false);
    // a's holder still runs (its pid, this boot): left in place and named.
    const unlock = await run(ws, { command: 'unlock' }, { GITHUB_RUN_ID: '102' });
    expect(unlock.code).not.toBe(0);
    expect(all(unlock)).toContain('the lock is held by acme/other run 77 (attempt 2) by mallory');
    expect(owner(base, 'a')).toBe('run-other');
    const forced = await run(ws, { command: 'unlock', force: 'true' }, { GITHUB_RUN_ID: '103' });
    expectOk(forced);
    expect(all(forced)).toContain('removed the lock of acme/other run 77 (attempt 2) by mallory');
    expect(existsSync(join(base, 'a', '.deploy/lock'))).toBe(false);
    expectOk(await run(ws, {}, { GITHUB_RUN_ID: '104' }));
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('v2');
  }, 240_000);
});

const FAR = 'further ahead than any stage_ttl allows';

/** Makes host h's hold of run-4242 claim an expiry in 2099 (its stage record and its lock record). */
function farExpiry(base: string, h: string): void {
  for (const f of ['.deploy/stage', '.deploy/lock/info.json']) {
    const p = join(base, h, f);
    writeFileSync(
      p,
      readFileSync(p, 'utf8')
        .replace(/"expires_at":"[^"]*"/, '"expires_at":"2099-01-01T00:00:00Z"')
        .replace(/"expires":\d+/, '"expires":4070908800'),
    );
  }
}

describe('a hold whose expiry lies further ahead than stage_ttl allows', () => {
  test('switch refuses it, the next deploy and unlock undo it and say why; a normal hold is still respected', async () => {
    const { base, ws } = await deployed();
    ws.write('VERSION', 'v2\n');
    expectOk(await run(ws, { command: 'stage' }));
    farExpiry(base, 'a');
    const sw = await run(ws, { command: 'switch', release: 'run-4242' }, { GITHUB_RUN_ID: '200' });
    expect(sw.code).not.toBe(0);
    expect(sw.stdout).toContain(`${nameOf(hosts[0]!)}: its hold's expiry 2099-01-01T00:00:00Z is ${FAR}`);
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('v1');
    // Keep a copy of b's hold: it is planted on a again, with a far expiry, for unlock.
    const copy = tempDir('da-hold-copy-');
    for (const f of ['.deploy/stage', '.deploy/lock', '.deploy/pending/stage-run-4242', 'releases/run-4242'])
      cpSync(join(base, 'b', f), join(copy, f), { recursive: true, verbatimSymlinks: true });
    ws.write('VERSION', 'v3\n');
    const deploy = await run(ws, {}, { GITHUB_RUN_ID: '201' });
    expect(deploy.code).not.toBe(0);
    expect(deploy.stdout).toContain(`the hold's expiry 2099-01-01T00:00:00Z is ${FAR} (30 days): treated as expired`);
    expect(deploy.stdout).toContain('It holds the staged release run-4242 until');
    expect(existsSync(join(base, 'a', 'releases/run-4242'))).toBe(false);
    expect(existsSync(join(base, 'a', '.deploy/stage'))).toBe(false);
    expect(owner(base, 'b')).toBe('stage-run-4242');
    expect(existsSync(join(base, 'b', 'releases/run-4242/VERSION'))).toBe(true);
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('v1');
    // unlock: a's forged hold undone (said why), b's normal hold left in place.
    rmSync(join(base, 'a', '.deploy/lock'), { recursive: true, force: true });
    for (const f of ['.deploy/stage', '.deploy/lock', '.deploy/pending/stage-run-4242', 'releases/run-4242'])
      cpSync(join(copy, f), join(base, 'a', f), { recursive: true, verbatimSymlinks: true });
    farExpiry(base, 'a');
    const unlock = await run(ws, { command: 'unlock' }, { GITHUB_RUN_ID: '202' });
    expect(unlock.stdout).toContain(`the hold's expiry 2099-01-01T00:00:00Z is ${FAR} (30 days): treated as expired`);
    expect(unlock.stdout).toContain('the lock holds the staged release run-4242 until');
    expect(existsSync(join(base, 'a', '.deploy/lock'))).toBe(false);
    expect(existsSync(join(base, 'a', 'releases/run-4242'))).toBe(false);
    expect(owner(base, 'b')).toBe('stage-run-4242');
  }, 240_000);
});

describe('unlock of a hold without its stage record', () => {
  test('says the record is missing (not "expired at : discarded") and undoes the hold', async () => {
    const { base, ws } = await deployed();
    ws.write('VERSION', 'v2\n');
    expectOk(await run(ws, { command: 'stage' }));
    rmSync(join(base, 'a', '.deploy/stage'));
    const unlock = await run(ws, { command: 'unlock', hosts: nameOf(hosts[0]!) }, { GITHUB_RUN_ID: '400' });
    expectOk(unlock);
    expect(unlock.stdout).toContain(
      'the hold of run-4242 has no stage record (.deploy/stage is missing or names another release): undone',
    );
    expect(unlock.stdout).not.toContain('expired at :');
    expect(existsSync(join(base, 'a', 'releases/run-4242'))).toBe(false);
    expect(existsSync(join(base, 'a', '.deploy/lock'))).toBe(false);
    expect(owner(base, 'b')).toBe('stage-run-4242');
  }, 240_000);
});

describe('switch and discard act on every host: a hosts input is said to be ignored', () => {
  test('the action warns (an annotation) and the CLI on stderr; both go on with every host', async () => {
    const { base, ws } = await deployed();
    ws.write('VERSION', 'v2\n');
    expectOk(await run(ws, { command: 'stage' }));
    const a = nameOf(hosts[0]!);
    const sw = await run(ws, { command: 'switch', release: 'run-4242', hosts: a }, { GITHUB_RUN_ID: '300' });
    expectOk(sw);
    expect(sw.stdout).toMatch(
      /::warning::input hosts is set, but switch acts on every host of the environment \(production\): the input was ignored/,
    );
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('v2');
    const dir = tempDir('da-cli-keys-');
    writeFileSync(join(dir, 'known_hosts'), `${hosts.map((h) => h.knownHostsLine).join('\n')}\n`);
    const cli = spawnSync(
      process.execPath,
      [
        CLI,
        'discard',
        'production',
        '--release',
        'run-4242',
        '--hosts',
        a,
        '--config',
        ws.config,
        '--identity',
        hosts[0]!.privateKeyPath,
        '--known-hosts',
        join(dir, 'known_hosts'),
      ],
      {
        cwd: ws.dir,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect({ code: cli.status, err: cli.status ? cli.stderr : '' }).toEqual({ code: 0, err: '' });
    expect(cli.stderr).toContain(
      '--hosts is set, but discard acts on every host of the environment (production): the option was ignored',
    );
    expect(`${cli.stdout}`).toMatch(/nothing staged/);
  }, 240_000);
});
