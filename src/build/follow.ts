import { open } from 'node:fs/promises';

/**
 * Reads a file that is still being written, from the start, until `done` settles and everything is read: an
 * upload can start while the archive is being made. Rejects when the writer fails.
 */
export async function* followFile(path: string, done: Promise<unknown>, chunkBytes = 1 << 20): AsyncGenerator<Buffer> {
  let finished = false;
  let failure: unknown;
  done.then(
    () => (finished = true),
    (error: unknown) => ((failure = error), (finished = true)),
  );
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    let offset = 0;
    for (;;) {
      if (failure) throw failure;
      handle ??= await open(path, 'r').catch(() => undefined);
      if (handle) {
        const buffer = Buffer.allocUnsafe(chunkBytes);
        const { bytesRead } = await handle.read(buffer, 0, chunkBytes, offset);
        if (bytesRead > 0) {
          offset += bytesRead;
          yield buffer.subarray(0, bytesRead);
          continue;
        }
      }
      const wasFinished = finished;
      if (wasFinished && handle) {
        // The writer is done: one more read catches what it wrote just before finishing.
        const buffer = Buffer.allocUnsafe(chunkBytes);
        const { bytesRead } = await handle.read(buffer, 0, chunkBytes, offset);
        if (bytesRead === 0) return;
        offset += bytesRead;
        yield buffer.subarray(0, bytesRead);
        continue;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await handle?.close();
  }
}

/** Length-prefixed chunks (`<bytes>\n<data>`), ended by `0\n`: what `da_chunks` on the host reads back. */
export async function* framed(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    yield Buffer.from(`${chunk.length}\n`);
    yield chunk;
  }
  yield Buffer.from('0\n');
}
