/**
 * The remote session reports progress on stdout as marker lines: `\n\x1e<token> <kind> <args…>\n`. The token is
 * random per session, so hook output can never forge a marker. Everything between markers is command output.
 */
export interface Marker {
  kind: string;
  args: string[];
}

export const MARK = '\x1e';

/** Longest output line passed on in one piece; a longer one (a hook printing megabytes without a newline) is cut. */
export const MAX_LINE = 16 * 1024;

export function markerPrefix(token: string): string {
  return `\n${MARK}${token} `;
}

/** Splits a stream of remote stdout into output lines and markers, in order. */
export class MarkerParser {
  private buffer = '';
  private partial = '';
  private readonly prefix: string;

  constructor(
    token: string,
    private readonly onLine: (line: string) => void,
    private readonly onMarker: (marker: Marker) => void,
  ) {
    this.prefix = markerPrefix(token);
  }

  push(text: string): void {
    this.buffer += text;
    for (;;) {
      const at = this.buffer.indexOf(this.prefix);
      if (at < 0) {
        // Keep a tail that could be the start of a marker split across chunks.
        const keep = this.prefix.length - 1;
        const safe = Math.max(0, this.buffer.length - keep);
        this.output(this.buffer.slice(0, safe));
        this.buffer = this.buffer.slice(safe);
        return;
      }
      const end = this.buffer.indexOf('\n', at + this.prefix.length);
      if (end < 0) {
        this.output(this.buffer.slice(0, at));
        this.buffer = this.buffer.slice(at);
        return;
      }
      this.output(this.buffer.slice(0, at));
      this.flushPartial();
      const fields = this.buffer.slice(at + this.prefix.length, end).split(' ');
      this.buffer = this.buffer.slice(end + 1);
      this.onMarker({ kind: fields[0] ?? '', args: fields.slice(1) });
    }
  }

  /** The stream ended: whatever is left is output. */
  end(): void {
    this.output(this.buffer);
    this.buffer = '';
    this.flushPartial();
  }

  private output(text: string): void {
    if (!text) return;
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line.replace(/\r$/, ''));
    // Memory stays bounded whatever the output: a line that grows past MAX_LINE goes out in pieces.
    while (this.partial.length > MAX_LINE) {
      this.onLine(this.partial.slice(0, MAX_LINE));
      this.partial = this.partial.slice(MAX_LINE);
    }
  }

  private flushPartial(): void {
    if (this.partial) this.onLine(this.partial.replace(/\r$/, ''));
    this.partial = '';
  }
}
