/** A command's output, as chunks arrive, cut into whole lines for a Log (a line never waits past its newline). */
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is passed on in pieces of this size rather than held without end. */
const MAX_LINE = 64 * 1024;

export interface LineSink {
  write(chunk: Buffer): void;
  /** Passes on what is left after the last newline. */
  end(): void;
}

export function lineSink(emit: (line: string) => void): LineSink {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const take = (text: string) => {
    pending += text;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      emit(pending.slice(0, nl).replace(/\r$/, ''));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
    while (pending.length > MAX_LINE) {
      emit(pending.slice(0, MAX_LINE));
      pending = pending.slice(MAX_LINE);
    }
  };
  return {
    write: (chunk) => take(decoder.write(chunk)),
    end() {
      take(decoder.end());
      if (pending) emit(pending);
      pending = '';
    },
  };
}
