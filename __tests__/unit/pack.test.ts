import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { excluder } from '../../src/artifact/exclude.js';
import { pack } from '../../src/artifact/pack.js';
import { walk } from '../../src/artifact/tree.js';
import { tempDir } from '../support/temp-dirs.js';

interface Listed {
  mode: string;
  path: string;
  target?: string;
}

/** `tar -tzvf`, parsed: mode string, path (without `./`, dirs without the trailing `/`), link target. */
function list(archive: string): Listed[] {
  const out = execFileSync('tar', ['-tzvf', archive], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S+)\s+\S+\s+\d+\s+\S+\s+\S+\s+(.*)$/.exec(line);
      if (!m) throw new Error(`unexpected tar listing line: ${line}`);
      const [name, target] = m[2]!.split(' -> ');
      return {
        mode: m[1]!,
        path: name!.replace(/^\.\//, '').replace(/\/$/, ''),
        ...(target !== undefined ? { target } : {}),
      };
    });
}

describe('walk + pack', () => {
  let root: string;
  let out: string;
  beforeAll(() => {
    root = tempDir('da-tree-');
    out = tempDir('da-out-');
    const file = (path: string, body: string, mode = 0o644) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), body);
      chmodSync(join(root, path), mode);
    };
    file('index.php', '<?php echo 1;\n');
    file('src/a/b/deep.txt', 'deep');
    file('src/a/top.txt', '12345');
    file('bin/run.sh', '#!/bin/sh\necho hi\n', 0o755);
    file('file with space.txt', 'sp');
    mkdirSync(join(root, 'storage/empty'), { recursive: true });
    symlinkSync('src/a/top.txt', join(root, 'link-to-file'));
    symlinkSync('src/a', join(root, 'link-to-dir'));
    symlinkSync('does-not-exist', join(root, 'dangling'));
    file('node_modules/pkg/index.js', 'module.exports = 1;\n');
    file('src/node_modules/keep.js', 'x');
    file('.git/HEAD', 'ref: refs/heads/main\n');
    file('vendor/lib/.git', 'gitdir: ../../.git/modules/lib\n');
    file('vendor/lib/lib.php', 'lib');
    file('storage/logs/app.log', 'log line');
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  const EXPECTED = [
    'bin',
    'bin/run.sh',
    'dangling',
    'file with space.txt',
    'index.php',
    'link-to-dir',
    'link-to-file',
    'src',
    'src/a',
    'src/a/b',
    'src/a/b/deep.txt',
    'src/a/top.txt',
    'src/node_modules',
    'src/node_modules/keep.js',
    'storage',
    'storage/empty',
    'storage/logs',
    'vendor',
    'vendor/lib',
    'vendor/lib/lib.php',
  ];

  test('walk lists the non-excluded entries in name order, never following symlinks', async () => {
    const entries = await walk(root, excluder(['/node_modules', '*.log']));
    expect(entries.map((e) => e.path)).toEqual(EXPECTED);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get('link-to-dir')?.type).toBe('symlink');
    expect(byPath.get('dangling')?.type).toBe('symlink');
    expect(byPath.get('storage/empty')?.type).toBe('dir');
    expect(byPath.get('src/a/top.txt')).toMatchObject({ type: 'file', size: 5 });
    expect(byPath.get('bin/run.sh')?.mode).toBe(0o755);
    expect(byPath.get('link-to-dir')?.size).toBe(0);
  });

  test('the archive holds exactly those entries: empty dir, symlinks as symlinks, executable bit; files and size are right', async () => {
    const entries = await walk(root, excluder(['/node_modules', '*.log']));
    const artifact = await pack(
      root,
      entries.map((e) => e.path),
      join(out, 'all.tar.gz'),
    );
    expect(artifact.path.startsWith(out)).toBe(true);
    expect(artifact.bytes).toBe(statSync(artifact.path).size);

    const listed = list(artifact.path);
    expect(listed.map((l) => l.path).sort()).toEqual([...EXPECTED].sort());
    const byPath = new Map(listed.map((l) => [l.path, l]));
    expect(byPath.get('storage/empty')?.mode).toMatch(/^d/);
    expect(byPath.get('link-to-file')).toMatchObject({ mode: expect.stringMatching(/^l/), target: 'src/a/top.txt' });
    expect(byPath.get('link-to-dir')).toMatchObject({ mode: expect.stringMatching(/^l/), target: 'src/a' });
    expect(byPath.get('dangling')).toMatchObject({ mode: expect.stringMatching(/^l/), target: 'does-not-exist' });
    expect(byPath.get('bin/run.sh')?.mode).toBe('-rwxr-xr-x');
    expect(byPath.get('index.php')?.mode).toBe('-rw-r--r--');
    // nothing twice (no recursion on top of the explicit list)
    expect(new Set(listed.map((l) => l.path)).size).toBe(listed.length);

    // and it unpacks to the same tree
    const x = mkdtempSync(join(out, 'x-'));
    execFileSync('tar', ['-xzf', artifact.path, '-C', x]);
    expect(readFileSync(join(x, 'src/a/b/deep.txt'), 'utf8')).toBe('deep');
    expect(readlinkSync(join(x, 'link-to-dir'))).toBe('src/a');
    expect(statSync(join(x, 'bin/run.sh')).mode & 0o111).toBe(0o111);
  });

  test('an excluded directory hides everything below it, even entries that no pattern names', async () => {
    const entries = await walk(root, excluder(['src/']));
    expect(entries.some((e) => e.path === 'src' || e.path.startsWith('src/'))).toBe(false);
    expect(entries.some((e) => e.path.startsWith('link-to-dir/'))).toBe(false);
    const artifact = await pack(
      root,
      entries.map((e) => e.path),
      join(out, 'no-src.tar.gz'),
    );
    expect(list(artifact.path).some((l) => l.path.startsWith('src'))).toBe(false);
  });

  test('an empty list packs an empty archive', async () => {
    const artifact = await pack(root, [], join(out, 'empty.tar.gz'));
    expect(list(artifact.path)).toEqual([]);
  });
});
