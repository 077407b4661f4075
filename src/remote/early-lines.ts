// When a line under way (no newline yet) goes to the log: a prompt or a progress bar must show while the host waits.
/** A line under way goes to the log once its stream is quiet this long (a prompt: "Enter password:")… */
export const PARTIAL_LINE_QUIET_MS = 250;
/** …or once it has been under way this long while more of it keeps coming (a progress bar redrawn with `\r`). */
export const PARTIAL_LINE_MAX_MS = 2000;

/**
 * Lets a stream's line under way out early (see LineSplitter.early): once the stream has been quiet for
 * PARTIAL_LINE_QUIET_MS, or the line under way for PARTIAL_LINE_MAX_MS. One timer, armed only while text is held,
 * never keeping the process alive.
 */
export class EarlyLines {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  /** When the held text began to be held, and the stream's holdCount then. */
  private since: number | undefined;
  private hold = -1;

  constructor(private readonly lines: { readonly holding: boolean; readonly holdCount: number; early(): void }) {}

  /** Text arrived on the stream (after it was pushed). */
  data(): void {
    this.last = Date.now();
    if (!this.lines.holding) {
      this.since = undefined;
      return;
    }
    if (this.lines.holdCount !== this.hold) {
      this.hold = this.lines.holdCount;
      this.since = this.last;
    }
    if (!this.timer) this.arm(PARTIAL_LINE_QUIET_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.check(), ms);
    this.timer.unref();
  }

  private check(): void {
    this.timer = undefined;
    if (!this.lines.holding || this.since === undefined) return;
    const now = Date.now();
    const due = Math.min(this.last + PARTIAL_LINE_QUIET_MS, this.since + PARTIAL_LINE_MAX_MS);
    if (now < due) {
      this.arm(due - now);
      return;
    }
    this.since = undefined;
    this.lines.early();
  }
}
