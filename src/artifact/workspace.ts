import { cp, lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { ExcludeTest } from './exclude.js';

/** A scratch directory for this run (under RUNNER_TEMP on a runner), removed by `dispose`. */
export async function scratchDir(prefix: string): Promise<{ path: string; dispose(): Promise<void> }> {
  const path = await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), prefix));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}

/** Copies the source into `dest`, leaving out excluded entries; symlinks are copied as links, modes kept. */
export async function copySource(source: string, dest: string, exclude: ExcludeTest): Promise<void> {
  await cp(source, dest, {
    recursive: true,
    verbatimSymlinks: true,
    preserveTimestamps: true,
    filter: async (src) => {
      const rel = relative(source, src).split(sep).join('/');
      if (rel === '') return true;
      return !exclude(rel, (await lstat(src)).isDirectory());
    },
  });
}
