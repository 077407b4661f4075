import type { Writable } from 'node:stream';

export interface CoalesceOptions {
  /**
   * At exit, write what is still held (process.exit() or an uncaught exception in the same tick), and hold nothing
   * from then on.
   */
  flushOnExit?: boolean;
  /** Streams whose writes must come after this stream's earlier ones (stderr after stdout on a terminal). */
  orderedBefore?: Writable[];
  /**
   * Hold writes until the event loop's turn ends (setImmediate) rather than the tick's: the lines of every host
   * whose data arrived in that turn leave together. For the log; the SSH socket keeps the tick.
   */
  turn?: boolean;
  /**
   * With `turn`: after a write, the next leaves no sooner than this many milliseconds later (a timer that does not
   * keep the process up; a process that exits writes first, with flushOnExit). A write after a quiet spell still
   * leaves at the turn's end, so a line that ends a wait is not late; only a burst is spread over fewer writes. For
   * the action's log: each write to the runner's pipe costs a system call and a wake-up of the runner's reader
   * (about 0.15 ms of this process's CPU each in the scale bench), and a fleet's hosts fill many turns with a line
   * or two.
   */
  gapMs?: number;
}

/**
 * Writes made within one tick leave together: the stream is corked at the tick's first write and uncorked on the
 * next tick, so a burst of small writes becomes one system call (`writev`) instead of one each. Used for the SSH
 * socket (ssh2 writes every packet in pieces) and for the log on stdout (a pipe to the runner: a fleet's progress
 * lines would otherwise cost one write and one wake-up of the reader each). Plain text writes (a string, no
 * callback) are joined into one string while held: one chunk for the stream to carry instead of one per line.
 */
export function coalesceWrites<S extends Writable>(stream: S, opts: CoalesceOptions = {}): S {
  const write = stream.write as (...a: unknown[]) => boolean;
  let corked = false;
  /** Text written while corked, not yet passed to the stream. */
  let held = '';
  const release = () => {
    if (!held) return;
    const text = held;
    held = '';
    write.call(stream, text);
  };
  /** When the last held burst left (performance.now()), for gapMs. */
  let left = Number.NEGATIVE_INFINITY;
  const flush = () => {
    if (!corked) return;
    corked = false;
    release();
    stream.uncork();
    left = performance.now();
  };
  const gap = opts.gapMs ?? 0;
  const later = (fn: () => void) => {
    if (!opts.turn) return process.nextTick(fn);
    const wait = left + gap - performance.now();
    if (wait > 0) setTimeout(fn, wait).unref();
    else setImmediate(fn);
  };
  stream.write = function (this: S, ...args: unknown[]) {
    if (!corked && !stream.destroyed) {
      corked = true;
      stream.cork();
      later(flush);
    }
    if (corked && args.length === 1 && typeof args[0] === 'string') {
      held += args[0];
      return true;
    }
    release();
    return write.apply(this, args);
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
      stream.write = write as S['write'];
    });
  }
  return stream;
}
