/**
 * Issue 19, outputs from hooks: a deploy or activate hook writes `name=value` lines to `$DEPLOY_OUTPUT`; they come
 * back as the step outputs `outputs` (JSON per host) and `hook-<name>` (first host, config order), checked on the
 * runner (names, caps, control characters), secrets masked; hostile values stay values. Through dist/index.js as the
 * runner runs it, and the CLI (dist/cli/index.js), against real sshd hosts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { foreignCommands } from '../hardening/runner-commands.js';
import { DIST, runAction } from '../support/action.js';
import type { SshdHandle } from '../support/sshd.js';
import { fleetOfSshd } from '../support/fleet-hosts.js';
import { makeWorkspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const CLI = resolve(DIST, '../cli/index.js');

const hosts = fleetOfSshd(2);

/** Two hosts (deploy paths `<base>/a` and `<base>/b`, so a hook can tell where it runs), with these hooks. */
function config(
  base: string,
  o: { deploy: string[]; activate?: string[]; env?: string; one?: boolean; secretHost?: boolean },
): string {
  const entry = (h: SshdHandle, dir: string) =>
    o.secretHost
      ? '      - "${DEPLOY_HOST}"'
      : `      - { host: ${h.host}, user: ${h.user}, port: ${h.port}, deploy_path: ${JSON.stringify(join(base, dir))} }`;
  return `name: shop
environments:
  production:
    hosts:
${[entry(hosts[0]!, 'a'), ...(o.one ? [] : [entry(hosts[1]!, 'b')])].join('\n')}
    deploy_path: ${JSON.stringify(join(base, 'a'))}
    env: ${o.env ?? '{}'}
    deploy: ${JSON.stringify(o.deploy)}
    activate: ${JSON.stringify(o.activate ?? [])}
`;
}

const inputs = () => ({
  environment: 'production',
  config: 'deploy.yml',
  source: 'app',
  'ssh-private-key': hosts[0]!.privateKey,
  'known-hosts': hosts.map((h) => h.knownHostsLine).join('\n'),
});

/** `a` or `b`: which host the hook runs on. */
const WHO = 'who=${DEPLOY_PATH##*/}';

describe('$DEPLOY_OUTPUT', () => {
  test('two hosts: `outputs` has each host’s values, `hook-<name>` the first host’s; multi-line values; file fresh, 0600, removed', async () => {
    const base = tempDir('da-out-');
    const deploy = [
      // A migration that says how many it ran: 12 on a, 3 on b.
      `${WHO}; n=3; [ "$who" = a ] && n=12; echo "migrated=$n" >> "$DEPLOY_OUTPUT"`,
      // A fresh, empty, private file for each hook; a multi-line value; a later write of a name replaces the earlier.
      `${WHO}; printf 'file=%s %s\\nhost=%s\\nnotes<<EOF\\nline one\\n  line two\\nEOF\\nmigrated=\\n' "$(stat -c %a "$DEPLOY_OUTPUT")" "$(stat -c %s "$DEPLOY_OUTPUT")" "$who" >> "$DEPLOY_OUTPUT"; echo "path=$DEPLOY_OUTPUT" >> "$DEPLOY_OUTPUT"`,
      'true',
    ];
    const activate = [`${WHO}; echo "activated=yes-$who" >> "$DEPLOY_OUTPUT"`];
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, { deploy, activate }));
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect({ code: r.code, out: r.code ? r.stdout : '' }).toEqual({ code: 0, out: '' });
    const all = JSON.parse(r.outputs['outputs']!) as Record<string, Record<string, string>>;
    const [a, b] = hosts.map((h) => `${h.user}@${h.host}:${h.port}`) as [string, string];
    expect(Object.keys(all)).toEqual([a, b]);
    expect(all[a]).toEqual({
      migrated: '',
      file: '600 0',
      host: 'a',
      notes: 'line one\n  line two',
      path: expect.stringContaining('/a/.deploy/tmp.'),
      activated: 'yes-a',
    });
    expect(all[b]).toMatchObject({ migrated: '', host: 'b', file: '600 0', activated: 'yes-b' });
    // Flat outputs: the first host in config order.
    expect(r.outputs['hook-host']).toBe('a');
    expect(r.outputs['hook-notes']).toBe('line one\n  line two');
    expect(r.outputs['hook-activated']).toBe('yes-a');
    // The files are gone with the run's scratch dir.
    for (const h of ['a', 'b']) {
      expect(existsSync(all[h === 'a' ? a : b]!['path']!)).toBe(false);
      expect(readdirSync(join(base, h, '.deploy')).filter((f) => f.startsWith('tmp.'))).toEqual([]);
    }
  });

  test('the migration example: a later step reads steps.deploy.outputs.hook-migrated', async () => {
    const base = tempDir('da-out-');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      config(base, { deploy: ['echo "migrated=12" >> "$DEPLOY_OUTPUT"'], one: true }),
    );
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(r.code).toBe(0);
    expect(r.outputs['hook-migrated']).toBe('12');
    // Written as @actions/core writes every output: name<<ghadelimiter_<uuid>, the value, the delimiter.
    expect(readFileSync(r.files.output, 'utf8')).toMatch(/^hook-migrated<<(ghadelimiter_[0-9a-f-]{36})\n12\n\1$/m);
  });

  test('a rollback reports what its activate hooks wrote', async () => {
    const base = tempDir('da-out-');
    const activate = ['echo "live=$DEPLOY_RELEASE" >> "$DEPLOY_OUTPUT"'];
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, { deploy: [], activate, one: true }));
    const first = await runAction({ inputs: { ...inputs(), 'release-name': 'r1' }, workspace: ws.dir });
    expect(first.outputs['hook-live']).toBe('r1');
    const second = await runAction({ inputs: { ...inputs(), 'release-name': 'r2' }, workspace: ws.dir });
    expect(second.outputs['hook-live']).toBe('r2');
    const back = await runAction({ inputs: { ...inputs(), command: 'rollback' }, workspace: ws.dir });
    expect({ code: back.code, live: back.outputs['hook-live'] }).toEqual({ code: 0, live: 'r1' });
  });

  test('hostile values stay values: no workflow command, no output of their own; bad lines and caps are warnings naming host, hook and line', async () => {
    const base = tempDir('da-out-');
    const hostile = [
      'cmd=::error::HOSTILE-value',
      'setout=::set-output name=release::HOSTILE',
      // A multi-line value whose lines look like GITHUB_OUTPUT lines and workflow commands.
      'inject<<END',
      'release=HOSTILE-release',
      '::error::HOSTILE-line',
      'x<<ghadelimiter_00000000-0000-0000-0000-000000000000',
      'END',
      'bad name=1',
      'dotted.name=2',
      'no delimiter here',
      `long=${'x'.repeat(5000)}`,
      'esc=\x1b[31mred',
    ].join('\n');
    writeFileSync(join(base, 'hostile.txt'), `${hostile}\n`);
    const deploy = [
      `cat ${JSON.stringify(join(base, 'hostile.txt'))} >> "$DEPLOY_OUTPUT"; echo "fine=ok" >> "$DEPLOY_OUTPUT"`,
      // Past what a host reads of one file (32 KiB): the lines within it are kept.
      `echo first=1 >> "$DEPLOY_OUTPUT"; head -c 40000 /dev/zero | tr '\\0' y >> "$DEPLOY_OUTPUT"`,
    ];
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, { deploy, one: true }));
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect({ code: r.code, out: r.code ? r.stdout : '' }).toEqual({ code: 0, out: '' });
    const host = `${hosts[0]!.user}@${hosts[0]!.host}:${hosts[0]!.port}`;
    const all = JSON.parse(r.outputs['outputs']!) as Record<string, Record<string, string>>;
    expect(all).toEqual({
      [host]: {
        cmd: '::error::HOSTILE-value',
        setout: '::set-output name=release::HOSTILE',
        inject: 'release=HOSTILE-release\n::error::HOSTILE-line\nx<<ghadelimiter_00000000-0000-0000-0000-000000000000',
        fine: 'ok',
        first: '1',
      },
    });
    // GITHUB_OUTPUT holds exactly the action's outputs: nothing a value held became one.
    expect(Object.keys(r.outputs).sort()).toEqual(
      [
        'release',
        'release-path',
        'attempted-release',
        'previous-release',
        'url',
        'hosts',
        'outputs',
        'exec',
        'hook-cmd',
        'hook-setout',
        'hook-inject',
        'hook-fine',
        'hook-first',
      ].sort(),
    );
    expect(r.outputs['release']).toMatch(/^\d{14}$/);
    expect(r.outputs['hook-inject']).toContain('release=HOSTILE-release');
    expect(foreignCommands(r.stdout, /HOSTILE/)).toEqual([]);
    const warnings = r.stdout.split('\n').filter((l) => l.startsWith('::warning'));
    const hook1 = `::warning::${host}: hook "cat "${join(base, 'hostile.txt')}"`;
    const expected = [
      'line 8: "bad name" is not an output name',
      'line 9: "dotted.name" is not an output name',
      'line 10: "no delimiter here" is not name=value or name<<DELIMITER',
      'line 11: the value of long is longer than 4 KiB (5000 bytes): left out, not cut',
      'line 12: the value of esc holds a control character',
    ];
    for (const e of expected)
      expect(warnings.some((w) => w.includes(hook1) && w.includes(`$DEPLOY_OUTPUT ${e}`))).toBe(true);
    expect(warnings.some((w) => w.includes('hook "echo first=1') && w.includes('holds more than 32 KiB'))).toBe(true);
    expect(r.summary).toContain('is not an output name');
  });

  test('a secret in a value is *** in the outputs, a host from a secret is ***; the CLI prints the values at its end, masked', async () => {
    const base = tempDir('da-out-');
    const APP_KEY = 's3cret-app-key-9f27';
    const DEPLOY_HOST = `${hosts[0]!.user}@${hosts[0]!.host}:${hosts[0]!.port}`;
    const deploy = [
      'printf "dsn=mysql://app:%s@db\\nkey=%s\\nplain=visible\\n" "$APP_KEY" "$APP_KEY" >> "$DEPLOY_OUTPUT"',
    ];
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      config(base, { deploy, env: '{ APP_KEY: "${APP_KEY}" }', one: true, secretHost: true }),
    );
    const r = await runAction({ inputs: inputs(), workspace: ws.dir, env: { APP_KEY, DEPLOY_HOST } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.outputs['outputs']!)).toEqual({
      '***': { dsn: 'mysql://app:***@db', key: '***', plain: 'visible' },
    });
    expect(r.outputs['hosts']).toBe('["***"]');
    expect(readFileSync(r.files.output, 'utf8')).not.toContain(`${hosts[0]!.host}:${hosts[0]!.port}`);
    expect(r.outputs['hook-dsn']).toBe('mysql://app:***@db');
    expect(r.outputs['hook-key']).toBe('***');
    expect(r.outputs['hook-plain']).toBe('visible');
    expect(readFileSync(r.files.output, 'utf8')).not.toContain(APP_KEY);

    // The CLI: the same values at the end of its output, the secret masked as in every line it writes.
    const home = tempDir('da-home-');
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(join(home, '.ssh/known_hosts'), `${hosts[0]!.knownHostsLine}\n`);
    const args = ['deploy', 'production', '--source', 'app', '-i', hosts[0]!.privateKeyPath];
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ws.dir,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice', APP_KEY, DEPLOY_HOST },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise((done) => child.on('close', done));
    expect(code).toBe(0);
    expect(stdout).not.toContain(APP_KEY);
    expect(stdout).toMatch(
      /Hook outputs:\n {2}\S+:\n {4}dsn=mysql:\/\/app:\*\*\*@db\n {4}key=\*\*\*\n {4}plain=visible\n/,
    );
  });
});
