import { createHash } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { CHUNK, hashFile } from './hash.js';
import { slicer, type Pause } from './slices.js';
import type { TreeEntry } from './tree.js';

export { HASH_HEX } from './hash.js';

/**
 * What a release contains, entry by entry: `type<TAB>mode<TAB>hash<TAB>path<NUL>`, records sorted bytewise. The
 * hash is the first 128 bits of the file's SHA-256 in hex (the target for a symlink, `-` for a directory), as
 * sha256sum on the host gives it, so the host's verify can compare its release with the records directly.
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
  if (e.type === 'file')
    return { type: 'f', mode: octal(e.mode), hash: await hashFile(full, buf, pause), path: e.path };
  if (e.type === 'symlink') return { type: 'l', mode: '-', hash: readlinkSync(full), path: e.path };
  return { type: 'd', mode: octal(e.mode), hash: '-', path: e.path };
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** The manifest as stored on the host: its records in bytewise order. */
export function serializeManifest(entries: ManifestEntry[]): Buffer {
  const records = entries.map((e) => `${e.type}\t${e.mode}\t${e.hash}\t${e.path}\0`);
  // Strings sort by UTF-16 code unit, which is the order of their UTF-8 bytes unless a surrogate pair meets a code
  // point from U+E000 on: only then are the records compared as bytes (a slower sort).
  if (records.some((r) => /[\uD800-\uDFFF]/.test(r)))
    return Buffer.concat(records.map((r) => Buffer.from(r)).sort(Buffer.compare));
  return Buffer.from(records.sort().join(''));
}

/** A manifest a host sent back (gzipped, as it stores it), read: its entries, and a key naming its bytes. */
export interface StoredManifest {
  entries: ManifestEntry[];
  key: string;
}

const stored = new Map<string, StoredManifest | undefined>();

/**
 * Reads a gzipped manifest from a host; undefined when it is not one. The hosts of a fleet send back the same bytes
 * for the same release, so each distinct manifest is unzipped and parsed once per run, and the key lets work done
 * for one host (a delta archive) serve the others.
 */
export function readStoredManifest(gz: Buffer): StoredManifest | undefined {
  const key = createHash('sha256').update(gz).digest('hex');
  if (!stored.has(key)) {
    let entries: ManifestEntry[] | undefined;
    try {
      entries = parseManifest(gunzipSync(gz).toString('utf8'));
    } catch {
      entries = undefined;
    }
    stored.set(key, entries && { entries, key });
  }
  return stored.get(key);
}

const RECORD = /^([fdl])\t(-|[0-7]{4})\t([^\t]*)\t(.+)$/s;
const FILE_HASH = /^[0-9a-f]{32}$/;
/** An empty, `.` or `..` segment, or a leading or trailing slash. */
const UNSAFE_PATH = /(?:^|\/)\.{0,2}(?:\/|$)/;

/** Reads a stored manifest; undefined when it is not one (torn, corrupted, hostile paths). */
export function parseManifest(text: string): ManifestEntry[] | undefined {
  if (text === '') return undefined;
  const out: ManifestEntry[] = [];
  const records = text.split('\0');
  if (records.pop() !== '') return undefined;
  for (const r of records) {
    const m = RECORD.exec(r);
    if (!m) return undefined;
    const [, type, mode, hash, path] = m as unknown as [string, 'f' | 'd' | 'l', string, string, string];
    if (!safePath(path)) return undefined;
    if (type === 'f' && !FILE_HASH.test(hash)) return undefined;
    out.push({ type, mode, hash, path });
  }
  return out;
}

/** A relative path without `.`/`..` segments: anything else in a manifest from a host is not ours. */
export function safePath(path: string): boolean {
  return !UNSAFE_PATH.test(path);
}

/** Is `path` one of `roots` or inside one of them? */
export function under(roots: readonly string[]): (path: string) => boolean {
  return (path) => roots.some((r) => path === r || path.startsWith(`${r}/`));
}
