import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { excluder } from '../../src/artifact/exclude.js';
import { CHUNK, HASH_HEX, hashFile } from '../../src/artifact/hash.js';
import { buildManifest } from '../../src/artifact/manifest.js';
import { slicer } from '../../src/artifact/slices.js';
import { walk } from '../../src/artifact/tree.js';
import { tempDir } from '../support/temp-dirs.js';

/** Around the chunk size: one read, exactly one chunk (then an empty read), one byte over, several chunks. */
const SIZES = [0, 1, 5000, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5];

describe('file hashes', () => {
  let root: string;
  beforeAll(() => {
    root = tempDir('da-hash-');
    for (const size of SIZES) writeFileSync(join(root, `f${size}`), randomBytes(size));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const sha256sum = (path: string) => execFileSync('sha256sum', [path], { encoding: 'utf8' }).slice(0, HASH_HEX);

  test.each(SIZES)(
    'a file of %i bytes hashes as sha256sum does (first 128 bits), through a reused buffer',
    async (size) => {
      const buf = Buffer.alloc(CHUNK, 0xff);
      expect(await hashFile(join(root, `f${size}`), buf, () => undefined)).toBe(sha256sum(join(root, `f${size}`)));
      // The same buffer, now holding the last file's bytes, gives the same answer again.
      expect(await hashFile(join(root, `f${size}`), buf, () => undefined)).toBe(sha256sum(join(root, `f${size}`)));
    },
  );

  test('the manifest carries the same hashes for small and multi-chunk files alike', async () => {
    const manifest = await buildManifest(root, await walk(root, excluder([])));
    expect(manifest.map((e) => e.path)).toEqual(SIZES.map((s) => `f${s}`).sort());
    for (const e of manifest) expect(e.hash).toBe(sha256sum(join(root, e.path)));
  });

  test('neither walk nor the manifest touches what is not a file, directory or symlink (a FIFO would block a read)', async () => {
    const dir = tempDir('da-fifo-');
    try {
      writeFileSync(join(dir, 'a'), 'a');
      chmodSync(join(dir, 'a'), 0o644);
      execFileSync('mkfifo', [join(dir, 'pipe')]);
      const entries = await walk(dir, excluder([]));
      expect(entries.map((e) => e.path)).toEqual(['a']);
      expect(await buildManifest(dir, entries)).toEqual([
        { type: 'f', mode: '0644', hash: sha256sum(join(dir, 'a')), path: 'a' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a large file gives the event loop a turn between chunks', async () => {
    let pauses = 0;
    await hashFile(join(root, `f${3 * CHUNK + 5}`), Buffer.alloc(CHUNK), () => {
      pauses++;
      return undefined;
    });
    expect(pauses).toBe(3);
  });

  test('slicer: no pause before its time, a turn of the event loop after it', async () => {
    expect(slicer(60_000)()).toBeUndefined();
    let ran = false;
    setImmediate(() => (ran = true));
    await slicer(0)();
    expect(ran).toBe(true);
  });

  test('a missing file is an error, not a hash', async () => {
    await expect(hashFile(join(root, 'missing'), Buffer.alloc(CHUNK), () => undefined)).rejects.toThrow(/ENOENT/);
  });
});
