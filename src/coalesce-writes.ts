import type { Writable } from 'node:stream';

export interface CoalesceOptions {
  /**
   * At exit, write what is still held (process.exit() or an uncaught exception in the same tick), and hold nothing
   * from then on.
   */
  flushOnExit?: boolean;
  /** Streams whose writes must come after this stream's earlier ones (stderr after stdout on a terminal). */
  orderedBefore?: Writable[];
}

/**
 * Writes made within one tick leave together: the stream is corked at the tick's first write and uncorked on the
 * next tick, so a burst of small writes becomes one system call (`writev`) instead of one each. Used for the SSH
 * socket (ssh2 writes every packet in pieces) and for the log on stdout (a pipe to the runner: a fleet's progress
 * lines would otherwise cost one write and one wake-up of the reader each).
 */
export function coalesceWrites<S extends Writable>(stream: S, opts: CoalesceOptions = {}): S {
  const write = stream.write;
  let corked = false;
  const flush = () => {
    if (!corked) return;
    corked = false;
    stream.uncork();
  };
  stream.write = function (this: S, ...args: unknown[]) {
    if (!corked && !stream.destroyed) {
      corked = true;
      stream.cork();
      process.nextTick(flush);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as S['write'];
  for (const other of opts.orderedBefore ?? []) {
    const otherWrite = other.write;
    other.write = function (this: Writable, ...args: unknown[]) {
      flush();
      return (otherWrite as (...a: unknown[]) => boolean).apply(this, args);
    } as Writable['write'];
  }
  if (opts.flushOnExit) {
    process.once('exit', () => {
      flush();
      // Later exit listeners write straight through: the next tick that would release them never comes.
      stream.write = write;
    });
  }
  return stream;
}
