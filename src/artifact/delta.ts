import type { ManifestEntry } from './manifest.js';

export interface Delta {
  /** Entries to send (new or changed), with every ancestor directory, in path order. */
  send: ManifestEntry[];
  /** Paths to delete from the copy first: gone from the build, or changed type (a file that became a directory). */
  remove: string[];
  /** Files the copy already has as built. */
  unchanged: number;
}

/**
 * What turns a copy of the live release into the new build: compare the two manifests entry by entry (type, mode,
 * content). Paths the deploy replaces anyway (`skip`: shared and cleared entries) are neither sent nor removed.
 */
export function computeDelta(live: ManifestEntry[], next: ManifestEntry[], skip: (path: string) => boolean): Delta {
  const before = new Map(live.map((e) => [e.path, e]));
  const after = new Map(next.map((e) => [e.path, e]));
  const send = new Map<string, ManifestEntry>();
  const remove: string[] = [];
  let unchanged = 0;
  for (const e of next) {
    if (skip(e.path)) continue;
    const old = before.get(e.path);
    if (old && old.type === e.type && old.mode === e.mode && old.hash === e.hash) {
      if (e.type === 'f') unchanged++;
      continue;
    }
    if (old && old.type !== e.type) remove.push(e.path);
    send.set(e.path, e);
    for (let p = parentOf(e.path); p; p = parentOf(p)) {
      const dir = after.get(p);
      if (dir && !send.has(p)) send.set(p, dir);
    }
  }
  for (const e of live) if (!after.has(e.path) && !skip(e.path)) remove.push(e.path);
  return {
    send: [...send.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    remove,
    unchanged,
  };
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
