/**
 * The CLI's masking: every byte it writes to stdout and stderr (its log, the build hooks' output that @actions/exec
 * copies there, the outcome) passes through one filter that replaces each secret by `***`, as the runner does for
 * the action. Secrets are the pieces of `secretPieces` (each line of a multi-line value too).
 */
import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';
import { secretPieces, type PieceOptions } from '../config/index.js';

export const MASK = '***';

export interface OutputMask {
  /** Masks these values from now on (`${NAME}` values by the masking rule, credentials whatever they are). */
  add(values: readonly string[], options?: PieceOptions): void;
  /** Writes what is held back (the start of a line that could begin a secret); called at exit. */
  flush(): void;
}

type WriteCallback = (error?: Error | null) => void;

/** Replaces every secret in text; a piece that could still become a secret is kept for the next write. */
export class Masker {
  private pieces: string[] = [];
  private pattern: RegExp | undefined;

  add(values: readonly string[], options: PieceOptions = {}): void {
    const added = secretPieces(values, options).filter((p) => !this.pieces.includes(p));
    if (!added.length) return;
    // Longest first: a secret that contains another is masked whole.
    this.pieces = [...this.pieces, ...added].sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(this.pieces.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  }

  get active(): boolean {
    return this.pattern !== undefined;
  }

  /**
   * Masks `text` and splits it: `out` can be written now, `held` (a tail that is the start of a secret) must wait
   * for the next write (or the flush at exit), so that a secret written in two pieces never leaves half unmasked.
   */
  mask(text: string): { out: string; held: string } {
    const pattern = this.pattern;
    if (!pattern) return { out: text, held: '' };
    let out = '';
    let from = 0;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      out += text.slice(from, m.index) + MASK;
      from = m.index + m[0].length;
    }
    const hold = this.heldFrom(text, from);
    return { out: out + text.slice(from, hold), held: text.slice(hold) };
  }

  /** The first index at or after `from` where the rest of text is a proper prefix of a secret (text.length: none). */
  private heldFrom(text: string, from: number): number {
    let hold = text.length;
    for (const piece of this.pieces) {
      const first = piece.charCodeAt(0);
      for (let i = Math.max(from, text.length - piece.length + 1); i < hold; i++) {
        if (text.charCodeAt(i) === first && piece.startsWith(text.slice(i))) {
          hold = i;
          break;
        }
      }
    }
    return hold;
  }
}

/** Puts a Masker in front of each stream's write (before any other wrapper, so nothing reaches the fd unmasked). */
export function maskOutput(streams: Writable[], masker = new Masker()): OutputMask {
  const flushers: (() => void)[] = [];
  for (const stream of streams) {
    const write = stream.write.bind(stream) as (chunk: string, encoding: BufferEncoding, cb?: WriteCallback) => boolean;
    const decoder = new StringDecoder('utf8');
    let held = '';
    stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
      const callback = (typeof encoding === 'function' ? encoding : cb) as WriteCallback | undefined;
      const enc = typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8';
      if (!masker.active && !held) return write(chunk as string, enc, callback);
      const piece =
        typeof chunk !== 'string'
          ? decoder.write(chunk as Buffer)
          : enc === 'utf8'
            ? chunk
            : Buffer.from(chunk, enc).toString('utf8');
      const text = held + piece;
      const masked = masker.mask(text);
      held = masked.held;
      if (masked.out) return write(masked.out, 'utf8', callback);
      if (callback) process.nextTick(callback);
      return true;
    }) as Writable['write'];
    flushers.push(() => {
      const rest = held + decoder.end();
      held = '';
      // Whatever is held is not a whole secret: the output ended before it did.
      if (rest) write(rest, 'utf8');
    });
  }
  const flush = () => {
    for (const f of flushers) f();
  };
  process.once('exit', flush);
  return { add: (values, options) => masker.add(values, options), flush };
}
