import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildManifest,
  parseManifest,
  readStoredManifest,
  serializeManifest,
  under,
  type ManifestEntry,
} from '../../src/artifact/manifest.js';
import { gzipSync } from 'node:zlib';
import { excluder } from '../../src/artifact/exclude.js';
import { walk } from '../../src/artifact/tree.js';
import { computeDelta } from '../../src/artifact/delta.js';
import { tempDir } from '../support/temp-dirs.js';

function app(): string {
  const root = tempDir('da-manifest-');
  mkdirSync(join(root, 'app/Models'), { recursive: true });
  mkdirSync(join(root, 'storage/logs'), { recursive: true });
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'app/Models/User.php'), '<?php // user\n');
  writeFileSync(join(root, 'name with\ttab and "quotes"'), 'odd\n');
  writeFileSync(join(root, 'artisan'), '#!/usr/bin/env php\n');
  chmodSync(join(root, 'artisan'), 0o755);
  writeFileSync(join(root, 'storage/logs/app.log'), 'log\n');
  symlinkSync('app/Models', join(root, 'models'));
  return root;
}

describe('manifests', () => {
  test('serialize → parse round-trips; records carry modes; hostile or torn manifests are refused', async () => {
    const root = app();
    const manifest = await buildManifest(root, await walk(root, excluder([])));
    const text = serializeManifest(manifest).toString('utf8');
    const back = parseManifest(text)!;
    expect(back).toHaveLength(manifest.length);
    expect(back.find((e) => e.path === 'artisan')).toMatchObject({ type: 'f', mode: '0755' });
    expect(back.find((e) => e.path === 'models')).toMatchObject({ type: 'l', hash: 'app/Models' });
    expect(back.find((e) => e.path === 'name with\ttab and "quotes"')?.hash).toBe(
      createHash('sha256').update('odd\n').digest('hex').slice(0, 32),
    );
    expect(parseManifest(text.slice(0, -5))).toBeUndefined();
    expect(parseManifest(`f\t0644\t${'a'.repeat(32)}\t../../etc/passwd\0`)).toBeUndefined();
    expect(parseManifest(`f\t0644\t${'a'.repeat(32)}\t/etc/passwd\0`)).toBeUndefined();
    expect(parseManifest('f\t0644\tnothex\tx\0')).toBeUndefined();
    expect(parseManifest('')).toBeUndefined();
  });
});

test('records are stored in bytewise order, also for names outside ASCII', () => {
  const entry = (path: string): ManifestEntry => ({ type: 'f', mode: '0644', hash: 'a'.repeat(32), path });
  // U+FF21 sorts before an emoji (a surrogate pair) as UTF-16 code units, after it as UTF-8 bytes.
  for (const paths of [
    ['b', 'a', 'z', 'a/b', 'a-b'],
    ['b', '\uFF21', 'é', '\u{1F600}', 'a', 'z'],
  ]) {
    const records = serializeManifest(paths.map(entry))
      .toString('utf8')
      .split('\0')
      .slice(0, -1)
      .map((r) => Buffer.from(`${r}\0`));
    expect(records).toHaveLength(paths.length);
    expect([...records].sort(Buffer.compare)).toEqual(records);
  }
});

describe('readStoredManifest', () => {
  test('the same bytes from several hosts are read once (one result, one key); other bytes get another key', async () => {
    const root = app();
    const manifest = await buildManifest(root, await walk(root, excluder([])));
    const gz = gzipSync(serializeManifest(manifest));
    const a = readStoredManifest(gz)!;
    const b = readStoredManifest(Buffer.from(gz)); // another host's copy of the same bytes
    expect(b).toBe(a);
    expect(a.entries).toEqual(parseManifest(serializeManifest(manifest).toString('utf8')));
    const other = readStoredManifest(gzipSync(serializeManifest(manifest.slice(1))))!;
    expect(other.key).not.toBe(a.key);
  });

  test('bytes that are not a gzipped manifest read as nothing', () => {
    expect(readStoredManifest(Buffer.from('not gzip at all'))).toBeUndefined();
    expect(readStoredManifest(gzipSync('f\t0644\tnothex\t../escape\0'))).toBeUndefined();
  });
});

describe('computeDelta', () => {
  const f = (path: string, hash: string, mode = '0644'): ManifestEntry => ({
    type: 'f',
    mode,
    hash: hash.padEnd(32, '0'),
    path,
  });
  const d = (path: string): ManifestEntry => ({ type: 'd', mode: '0755', hash: '-', path });

  test('sends added, changed and mode-changed files with their directories; removes what is gone or retyped', () => {
    const live = [
      d('a'),
      f('a/keep', '1'),
      f('a/change', '2'),
      f('a/chmod', '3'),
      f('gone', '4'),
      f('became-dir', '5'),
      d('shared'),
      f('shared/x', '6'),
    ];
    const next = [
      d('a'),
      f('a/keep', '1'),
      f('a/change', '9'),
      f('a/chmod', '3', '0755'),
      f('a/new', '7'),
      d('became-dir'),
      f('became-dir/inner', '8'),
      d('shared'),
      f('shared/x', 'f'),
    ];
    const delta = computeDelta(live, next, under(['shared']));
    expect(delta.send.map((e) => e.path)).toEqual([
      'a',
      'a/change',
      'a/chmod',
      'a/new',
      'became-dir',
      'became-dir/inner',
    ]);
    expect(delta.remove.sort()).toEqual(['became-dir', 'gone']);
    expect(delta.unchanged).toBe(1);
  });

  test('nothing changed: nothing to send or remove', () => {
    const same = [d('a'), f('a/x', '1')];
    expect(computeDelta(same, same, () => false)).toEqual({ send: [], remove: [], unchanged: 1 });
  });
});
