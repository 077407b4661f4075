import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { Pause } from './slices.js';

/** Hex digits of SHA-256 kept: the first 128 bits. */
export const HASH_HEX = 32;

/** The buffer a hash reads through: a typical file is one read; larger ones stream through it chunk by chunk. */
export const CHUNK = 1 << 18;

/**
 * The first 128 bits of the SHA-256 of a file's content, in hex (as `sha256sum | cut -c1-32`). Reads through `buf`
 * (reused across files) until a short read, which for a regular file is its end; `pause` (slices.ts) runs between
 * chunks, so a large file does not hold the event loop either.
 */
export async function hashFile(path: string, buf: Buffer, pause: Pause): Promise<string> {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      hash.update(buf.subarray(0, n));
      if (n < buf.length) return hash.digest('hex').slice(0, HASH_HEX);
      await pause();
    }
  } finally {
    closeSync(fd);
  }
}
