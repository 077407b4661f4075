import type { Writable } from 'node:stream';

/**
 * Writes made within one tick leave together: the stream is corked at the tick's first write and uncorked on the
 * next tick, so a burst of small writes becomes one system call (`writev`) instead of one each. Used for the SSH
 * socket (ssh2 writes every packet in pieces) and for the log on stdout (a pipe to the runner, written
 * synchronously: a fleet's progress lines would otherwise cost one write and one wake-up of the reader each).
 * With `flushOnExit`, what is still corked when the process exits (process.exit() in the same tick) is written then.
 */
export function coalesceWrites<S extends Writable>(stream: S, opts: { flushOnExit?: boolean } = {}): S {
  const write = stream.write;
  let corked = false;
  const flush = () => {
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
  if (opts.flushOnExit) process.once('exit', () => corked && flush());
  return stream;
}
