import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface Artifact {
  /** The gzipped tar, made once and streamed to every host that needs it. */
  path: string;
  bytes: number;
}

/**
 * Packs exactly the listed paths of `root` (no recursion, so exclusions hold and a delta holds only what changed)
 * into a gzipped tar at `out`. gzip level 1: the network is rarely slower than level 6's extra CPU is worth.
 */
export async function pack(root: string, paths: readonly string[], out: string): Promise<Artifact> {
  const list = `${out}.list`;
  await writeFile(list, paths.map((p) => `./${p}\0`).join(''));
  const tar = spawn('tar', ['-cf', '-', '--null', '--no-recursion', '-C', root, '-T', list], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => tar.on('close', resolve));
  await pipeline(tar.stdout, createGzip({ level: 1 }), createWriteStream(out));
  const code = await exited;
  if (code !== 0) throw new Error(`tar failed (exit ${code}): ${stderr.trim()}`);
  return { path: out, bytes: (await stat(out)).size };
}
