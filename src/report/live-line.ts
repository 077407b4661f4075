/**
 * A status line at the bottom of a terminal that rewrites itself (an upload's bytes, percent and rate per host):
 * one entry per key, joined on one line cut to the terminal's width. Whole lines written meanwhile go above it:
 * the line is cleared, the text written, the line drawn again.
 */
const CLEAR = '\r\x1b[2K';

export class LiveLine {
  private readonly entries = new Map<string, string>();
  private shown = false;

  constructor(private readonly stream: NodeJS.WritableStream & { columns?: number }) {}

  /** Sets (or, with undefined, removes) the entry for `key`, and redraws. */
  set(key: string, text: string | undefined): void {
    if (text === undefined) this.entries.delete(key);
    else this.entries.set(key, text.replace(/[\r\n]+/g, ' '));
    this.clear();
    this.draw();
  }

  /** Writes `text` (whole lines) above the live line; `to` is another stream on the same terminal (stderr). */
  write(text: string, to: NodeJS.WritableStream = this.stream): void {
    this.clear();
    to.write(text);
    this.draw();
  }

  /** Removes every entry and the line itself (before the run's last words). */
  end(): void {
    this.entries.clear();
    this.clear();
  }

  private clear(): void {
    if (this.shown) this.stream.write(CLEAR);
    this.shown = false;
  }

  private draw(): void {
    if (!this.entries.size) return;
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    const chars = [...[...this.entries.values()].join(' · ')];
    this.stream.write(chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : chars.join(''));
    this.shown = true;
  }
}
