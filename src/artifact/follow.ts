import { open, readFile } from 'node:fs/promises';

/**
 * Reads a file that is still being written, from the start, until `done` settles and everything is read: an
 * upload can start while the archive is being made. Chunks are at least `minBytes` while the writer is busy, so
 * the host handles a few large chunks rather than many small ones; the last one may be shorter. The read buffer
 * starts small and doubles up to `chunkBytes` while reads fill it: a small delta costs a fleet of readers no
 * megabytes each. Rejects when the writer fails.
 */
export async function* followFile(
  path: string,
  done: Promise<unknown>,
  chunkBytes = 4 << 20,
  minBytes = Math.min(chunkBytes, 1 << 20),
): AsyncGenerator<Buffer> {
  let finished = false;
  let failure: unknown;
  done.then(
    () => {
      finished = true;
    },
    (error: unknown) => {
      failure = error;
      finished = true;
    },
  );
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    let offset = 0;
    let size = Math.min(chunkBytes, 64 << 10);
    let buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    for (;;) {
      if (failure) throw failure;
      // Read the writer's state before reading the file: a read after it finished sees everything it wrote.
      const wasFinished = finished;
      handle ??= await open(path, 'r').catch(() => undefined);
      const read = handle ? (await handle.read(buffer, filled, size - filled, offset)).bytesRead : 0;
      offset += read;
      filled += read;
      const atEnd = wasFinished && read === 0;
      if (filled > 0 && (filled === size || filled >= minBytes || atEnd)) {
        yield buffer.subarray(0, filled);
        if (filled === size) size = Math.min(chunkBytes, size * 2);
        buffer = Buffer.allocUnsafe(size);
        filled = 0;
        continue;
      }
      if (atEnd) {
        if (failure) throw failure;
        if (handle) return;
        throw new Error(`${path} was never written`);
      }
      if (read === 0) await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await handle?.close();
  }
}

/**
 * The readers of one archive that many hosts receive: a reader started while the archive is being written follows
 * the file (followFile); once it is whole and at most `shareBytes`, it is read once and every later reader gets those
 * same bytes, in chunks of at most `chunkBytes`: a fleet costs the runner one read, not one per host, and each host
 * one chunk to take in rather than a run of growing ones.
 */
export function archiveReader(
  path: string,
  done: Promise<{ bytes: number }>,
  shareBytes = 16 << 20,
  chunkBytes = 4 << 20,
): () => AsyncGenerator<Buffer> {
  let size: number | undefined;
  let whole: Promise<Buffer> | undefined;
  done.then(
    (a) => {
      size = a.bytes;
    },
    () => undefined,
  );
  return async function* () {
    if (size === undefined || size > shareBytes) {
      yield* followFile(path, done, chunkBytes);
      return;
    }
    whole ??= readFile(path);
    const bytes = await whole;
    for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
  };
}

/** Length-prefixed chunks (`<bytes>\n<data>`), ended by `0\n`: what `da_chunks` on the host reads back. */
export async function* framed(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    yield Buffer.from(`${chunk.length}\n`);
    yield chunk;
  }
  yield Buffer.from('0\n');
}

/**
 * The same bytes in fewer pieces: pieces under `smallBytes` are held and joined until a large piece or the end comes,
 * so a small build's payload (each chunk's length line, the chunk, the end line, then the manifest's) goes to a host
 * as one write, one SSH packet, instead of six. A large piece goes as it is, after what was held (never copied).
 */
export async function* joinSmall(
  pieces: AsyncIterable<Buffer> | Iterable<Buffer>,
  smallBytes = 64 << 10,
): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  for await (const piece of pieces) {
    if (piece.length >= smallBytes || heldBytes + piece.length > smallBytes) {
      if (heldBytes) yield held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
      held = [];
      heldBytes = 0;
    }
    if (piece.length >= smallBytes) yield piece;
    else if (piece.length) {
      held.push(piece);
      heldBytes += piece.length;
    }
  }
  if (heldBytes) yield held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
}
