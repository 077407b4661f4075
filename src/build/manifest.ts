import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { settleLimited } from '../fleet/limit.js';
import type { TreeEntry } from './tree.js';

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

export const HASH_HEX = 32;

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, HASH_HEX);
}

/** Hashes every file of the tree; reads run in parallel on libuv's threads while the main thread hashes. */
export async function buildManifest(root: string, entries: TreeEntry[]): Promise<ManifestEntry[]> {
  const results = await settleLimited(entries, 16, async (e): Promise<ManifestEntry> => {
    const full = join(root, e.path);
    if (e.type === 'file') return { type: 'f', mode: octal(e.mode), hash: await hashFile(full), path: e.path };
    if (e.type === 'symlink') return { type: 'l', mode: '-', hash: await readlink(full), path: e.path };
    return { type: 'd', mode: octal(e.mode), hash: '-', path: e.path };
  });
  return results.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function record(e: ManifestEntry, withMode: boolean): Buffer {
  return Buffer.from(withMode ? `${e.type}\t${e.mode}\t${e.hash}\t${e.path}\0` : `${e.type}\t${e.hash}\t${e.path}\0`);
}

function sorted(records: Buffer[]): Buffer {
  return Buffer.concat(records.sort(Buffer.compare));
}

/** The manifest as stored on the host. */
export function serializeManifest(entries: ManifestEntry[]): Buffer {
  return sorted(entries.map((e) => record(e, true)));
}

/**
 * The digest the host checks a staged release against: records without modes (writable modes and ACLs legitimately
 * change them), leaving out paths the deploy replaces anyway (shared and cleared entries).
 */
export function verificationDigest(entries: ManifestEntry[], skip: (path: string) => boolean): string {
  const records = entries.filter((e) => !skip(e.path)).map((e) => record(e, false));
  return createHash('sha256').update(sorted(records)).digest('hex');
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
