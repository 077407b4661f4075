import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshdHandle } from '../support/sshd.js';
import { fleetOfSshd } from '../support/fleet-hosts.js';
import { runAction } from '../support/action.js';
import { makeWorkspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const hosts = fleetOfSshd(2);

/** Two hosts, each with its own deploy_path (`.../a` and `.../b`), so hooks can tell them apart. */
function fleetConfig(base: string, hook: string): string {
  const [a, b] = hosts as [SshdHandle, SshdHandle];
  return `name: shop
environments:
  production:
    hosts:
      - { host: ${a.host}, user: ${a.user}, port: ${a.port}, deploy_path: ${JSON.stringify(join(base, 'a'))} }
      - { host: ${b.host}, user: ${b.user}, port: ${b.port}, deploy_path: ${JSON.stringify(join(base, 'b'))} }
    shared_dirs: [storage]
    deploy:
      - ${JSON.stringify(hook)}
`;
}

function inputs(): Record<string, string> {
  return {
    config: 'deploy.yml',
    source: 'app',
    'ssh-private-key': hosts[0]!.privateKey,
    'known-hosts': hosts.map((h) => h.knownHostsLine).join('\n'),
  };
}

const live = (base: string, h: string) => readFileSync(join(base, h, 'current/VERSION'), 'utf8').trim();

describe('several hosts', () => {
  test('every host gets the same release, and each host is one connection and one exec', async () => {
    const base = tempDir('da-fleet-');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, fleetConfig(base, 'true'));
    const before = hosts.map((h) => [h.execRequests(), h.connections()]);
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect({ code: r.code, out: r.code ? r.stdout : '' }).toEqual({ code: 0, out: '' });
    hosts.forEach((h, i) => {
      expect(h.execRequests() - before[i]![0]!).toBe(1);
      expect(h.connections() - before[i]![1]!).toBe(1);
    });
    for (const h of ['a', 'b']) expect(readlinkSync(join(base, h, 'current'))).toBe(`releases/${r.outputs['release']}`);
    expect(JSON.parse(r.outputs['hosts']!)).toHaveLength(2);
    expect(r.summary.match(/\| upload \| ✅ ok/g)).toHaveLength(2);
    // Two hosts: each stages (and runs its hooks), then both switch together, then both commit.
    expect(r.summary).toMatch(/\| Host \| Result \| connect and inspect \| stage \| switch \| finish \|$/m);
  });

  test('a hook failing on one host switches no host', async () => {
    const base = tempDir('da-fleet-');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, fleetConfig(base, 'true'));
    expect((await runAction({ inputs: inputs(), workspace: ws.dir })).code).toBe(0);
    ws.write('VERSION', 'v2\n');
    ws.write(
      '../deploy.yml',
      fleetConfig(base, 'case "$DEPLOY_PATH" in */b) echo "cache warmup failed" >&2; exit 9;; esac'),
    );
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`::error title=deploy failed on [^:]*::${hosts[1]!.user}@127.0.0.1:${hosts[1]!.port}: hook "case`),
    );
    expect([live(base, 'a'), live(base, 'b')]).toEqual(['v1', 'v1']);
    for (const h of ['a', 'b']) {
      expect(readdirSync(join(base, h, 'releases'))).toHaveLength(1);
      expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
    }
  });

  test('a switch failing on one host puts the hosts that switched back', async () => {
    const base = tempDir('da-fleet-');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, fleetConfig(base, 'true'));
    const first = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(first.code).toBe(0);
    ws.write('VERSION', 'v2\n');
    // On host b, something replaces `current` by a directory after staging: its switch cannot succeed.
    ws.write(
      '../deploy.yml',
      fleetConfig(
        base,
        'case "$DEPLOY_PATH" in */b) rm "$DEPLOY_PATH/current" && mkdir -p "$DEPLOY_PATH/current/in-the-way";; esac',
      ),
    );
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('symlink');
    expect(readlinkSync(join(base, 'a', 'current'))).toBe(`releases/${first.outputs['release']}`);
    expect(live(base, 'a')).toBe('v1');
    const history = readFileSync(join(base, 'a', '.deploy/history.jsonl'), 'utf8');
    expect(history).toContain('"event":"revert"');
    expect(readdirSync(join(base, 'a', 'releases'))).toEqual([first.outputs['release']]);
    expect(existsSync(join(base, 'a', '.deploy/lock'))).toBe(false);
    expect(existsSync(join(base, 'b', '.deploy/lock'))).toBe(false);
  });

  test('one host asked for another base, one for its live manifest: both ship a delta and go live together', async () => {
    const base = tempDir('da-fleet-');
    const ws = makeWorkspace(
      { VERSION: 'v1\n', 'config/app.php': '<?php return [];\n' },
      fleetConfig(base, 'true').replace('    shared_dirs:', '    keep_releases: 2\n    shared_dirs:'),
    );
    for (const [i, name] of ['r1', 'r2', 'r3'].entries()) {
      ws.write('VERSION', `v${i + 1}\n`);
      expect((await runAction({ inputs: { ...inputs(), 'release-name': name }, workspace: ws.dir })).code).toBe(0);
    }
    // Host a: a directory its history does not know is what retention removes first, not the r2 inspect offers.
    mkdirSync(join(base, 'a/releases/zzz-manual'));
    // Host b: the r2 it offers has an unreadable manifest, so it copies its live release and needs that manifest.
    writeFileSync(join(base, 'b/.deploy/manifests/r2.gz'), 'not gzip at all');
    ws.write('VERSION', 'v4\n');
    const r = await runAction({ inputs: { ...inputs(), 'release-name': 'r4' }, workspace: ws.dir });
    expect({ code: r.code, out: r.code ? r.stdout : '' }).toEqual({ code: 0, out: '' });
    expect(r.summary).toMatch(/\| Host \| Result \| connect and inspect \| base \| stage \| switch \| finish \|$/m);
    expect(r.summary.match(/\| base manifest \| ✅ ok/g)).toHaveLength(2);
    expect(r.stdout.match(/upload \(delta\)/g)?.length).toBeGreaterThanOrEqual(2);
    expect([live(base, 'a'), live(base, 'b')]).toEqual(['v4', 'v4']);
  });
});
