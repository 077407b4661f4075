import { gzipSync } from 'node:zlib';

/**
 * A session script as gzip members, one per part, concatenated: `gzip -dc` (GNU's and busybox's alike) writes the
 * members' texts one after another. Most of a session script is the same for every host of a run (the prelude's
 * helpers, a first phase common to hosts with the same settings, the command loop), and deflating it costs the
 * runner about half a millisecond per host, most of it zlib's set-up: a long part is deflated once per distinct
 * text and its member kept; a short one (the session's marker token and deploy path) is stored as is, without zlib.
 */
const STORE_BELOW = 128;
/**
 * Distinct long parts kept (a run has a few: its shared values, the helpers with a first phase or two); past that,
 * the one used least recently goes (hosts with long deploy paths of their own must not push out the helpers).
 */
const KEPT = 32;
const kept = new Map<string, Buffer>();

export function gzipMembers(parts: readonly string[]): Buffer {
  return Buffer.concat(parts.map(member));
}

function member(text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  if (data.length < STORE_BELOW) return stored(data);
  let gz = kept.get(text);
  if (gz) kept.delete(text);
  else {
    gz = gzipSync(data);
    if (kept.size >= KEPT) kept.delete(kept.keys().next().value!);
  }
  kept.set(text, gz);
  return gz;
}

/** A gzip member (RFC 1952) holding `data` in one stored deflate block (RFC 1951, BTYPE 00): under 64 KiB. */
function stored(data: Buffer): Buffer {
  const out = Buffer.alloc(10 + 5 + data.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]); // magic, deflate, no flags, no mtime, no extra flags, OS unknown
  out[10] = 1; // the final block, stored
  out.writeUInt16LE(data.length, 11);
  out.writeUInt16LE(~data.length & 0xffff, 13);
  data.copy(out, 15);
  out.writeUInt32LE(crc32(data), 15 + data.length);
  out.writeUInt32LE(data.length, 19 + data.length);
  return out;
}

let table: Uint32Array | undefined;

function crc32(data: Buffer): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
