import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CHUNK, hashFile } from './hash.js';
import { slicer, type Pause } from './slices.js';
import type { TreeEntry } from './tree.js';

export { HASH_HEX } from './hash.js';

/**
 * What a release contains, entry by entry: `type<TAB>mode<TAB>hash<TAB>path<NUL>`, records sorted bytewise. The
 * hash is the first 128 bits of the file's SHA-256 in hex (the target for a symlink, `-` for a directory), so
 * the host can produce the same records with find, sha256sum and sort -z, and both sides agree byte for byte.
 */
export interface ManifestEntry {
  type: 'f' | 'd' | 'l';
  /** Four octal digits (`0644`); `-` for a symlink. */
  mode: string;
  hash: string;
  path: string;
}

/** Hashes every file of the tree, in time slices (see slices.ts), through one reused buffer. */
export async function buildManifest(root: string, entries: TreeEntry[]): Promise<ManifestEntry[]> {
  const buf = Buffer.allocUnsafe(CHUNK);
  const pause = slicer();
  const out: ManifestEntry[] = [];
  for (const e of entries) {
    await pause();
    out.push(await manifestEntry(root, e, buf, pause));
  }
  return out;
}

async function manifestEntry(root: string, e: TreeEntry, buf: Buffer, pause: Pause): Promise<ManifestEntry> {
  const full = join(root, e.path);
  if (e.type === 'file') return { type: 'f', mode: octal(e.mode), hash: await hashFile(full, buf, pause), path: e.path };
  if (e.type === 'symlink') return { type: 'l', mode: '-', hash: readlinkSync(full), path: e.path };
  return { type: 'd', mode: octal(e.mode), hash: '-', path: e.path };
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** One entry as the manifest stores it. */
export function record(e: ManifestEntry): Buffer {
  return Buffer.from(`${e.type}\t${e.mode}\t${e.hash}\t${e.path}\0`);
}

function sorted(records: Buffer[]): Buffer {
  return Buffer.concat(records.sort(Buffer.compare));
}

/** The manifest as stored on the host. */
export function serializeManifest(entries: ManifestEntry[]): Buffer {
  return sorted(entries.map((e) => record(e)));
}

/** Reads a stored manifest; undefined when it is not one (torn, corrupted, hostile paths). */
export function parseManifest(text: string): ManifestEntry[] | undefined {
  if (text === '') return undefined;
  const out: ManifestEntry[] = [];
  const records = text.split('\0');
  if (records.pop() !== '') return undefined;
  for (const r of records) {
    const m = /^([fdl])\t(-|[0-7]{4})\t([^\t]*)\t(.+)$/s.exec(r);
    if (!m) return undefined;
    const [, type, mode, hash, path] = m as unknown as [string, 'f' | 'd' | 'l', string, string, string];
    if (!safePath(path)) return undefined;
    if (type === 'f' && !/^[0-9a-f]{32}$/.test(hash)) return undefined;
    out.push({ type, mode, hash, path });
  }
  return out;
}

/** A relative path without `.`/`..` segments: anything else in a manifest from a host is not ours. */
export function safePath(path: string): boolean {
  return !path.startsWith('/') && path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** Is `path` one of `roots` or inside one of them? */
export function under(roots: readonly string[]): (path: string) => boolean {
  return (path) => roots.some((r) => path === r || path.startsWith(`${r}/`));
}
