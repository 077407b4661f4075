import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { TreeEntry } from './tree.js';

export interface Artifact {
  /** The gzipped tar, made once and streamed to every host. */
  path: string;
  bytes: number;
  files: number;
  /** Uncompressed size of the regular files. */
  size: number;
}

/** Packs exactly the listed entries of `root` (no recursion, so exclusions hold) into a gzipped tar. */
export async function pack(root: string, entries: TreeEntry[], outDir: string): Promise<Artifact> {
  const list = join(outDir, 'files.list');
  const path = join(outDir, 'release.tar.gz');
  await writeFile(list, entries.map((e) => `./${e.path}\0`).join(''));
  const tar = spawn('tar', ['-cf', '-', '--null', '--no-recursion', '-C', root, '-T', list], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => tar.on('close', resolve));
  await pipeline(tar.stdout, createGzip({ level: 1 }), createWriteStream(path));
  const code = await exited;
  if (code !== 0) throw new Error(`tar failed (exit ${code}): ${stderr.trim()}`);
  const files = entries.filter((e) => e.type === 'file');
  return { path, bytes: (await stat(path)).size, files: files.length, size: files.reduce((n, e) => n + e.size, 0) };
}
