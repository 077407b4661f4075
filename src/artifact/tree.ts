import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExcludeTest } from './exclude.js';
import { slicer } from './slices.js';

export interface TreeEntry {
  /** Relative to the root, `/`-separated. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  mode: number;
}

/**
 * Walks a directory depth-first in name order, skipping excluded entries (and whatever lies below them). Direct
 * system calls in time slices (see slices.ts): the event loop still gets a turn every few milliseconds.
 */
export async function walk(root: string, exclude: ExcludeTest): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const pause = slicer();
  async function visit(rel: string): Promise<void> {
    const names = readdirSync(rel ? join(root, rel) : root).sort();
    for (const name of names) {
      await pause();
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, path));
      const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : undefined;
      if (!type || exclude(path, type === 'dir')) continue;
      out.push({ path, type, size: type === 'file' ? st.size : 0, mode: st.mode & 0o7777 });
      if (type === 'dir') await visit(path);
    }
  }
  await visit('');
  return out;
}
