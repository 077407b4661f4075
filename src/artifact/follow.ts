import { open } from 'node:fs/promises';

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

/** Length-prefixed chunks (`<bytes>\n<data>`), ended by `0\n`: what `da_chunks` on the host reads back. */
export async function* framed(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    yield Buffer.from(`${chunk.length}\n`);
    yield chunk;
  }
  yield Buffer.from('0\n');
}
