/**
 * The remote session reports progress on stdout as marker lines: `\n\x1e<token> <kind> <args…>\n`. The token is
 * random per session, so hook output can never forge a marker by accident. Everything between markers is command
 * output. A host can still send anything (a hostile login shell, a hook that reads the token from /proc): the
 * parser reads each byte once and holds a bounded amount whatever comes.
 */
export interface Marker {
  kind: string;
  args: string[];
}

export const MARK = '\x1e';

/** Longest output line passed on in one piece; a longer one (a hook printing megabytes without a newline) is cut. */
export const MAX_LINE = 16 * 1024;

/** Longest marker line: markers and their data values are short (a release name, a path, a lock's info.json). */
export const MAX_MARKER = 64 * 1024;

/**
 * Longest marker line of a blob (`da_blob`: base64 of a listing or a gzipped manifest). A manifest line is about 100
 * bytes a file and gzip leaves its 32 hex digits of hash about half their size: 100,000 files come to 2-4 MB, so
 * 32 MiB is room for half a million files and more, while one blob in flight (its text, its bytes, its decoded
 * value) stays near 100 MB of the runner's memory.
 */
export const MAX_BLOB = 32 * 1024 * 1024;

/** The data keys whose values are blobs (see MAX_BLOB); every other marker gets MAX_MARKER. */
export const BLOB_KEYS: ReadonlySet<string> = new Set([
  'releases',
  'history',
  'live-manifest',
  'base-manifest',
  'partial',
]);

/** A marker line went past its cap: the host is sending something no session step sends. */
export class MarkerTooLong extends Error {
  constructor(
    readonly kind: string,
    readonly key: string,
    readonly limit: number,
  ) {
    const what =
      kind === 'data' && key
        ? `the marker line of data "${printable(key)}"`
        : `a marker line${kind ? ` (${printable(kind)})` : ''}`;
    super(`${what} is longer than ${sizeText(limit)}`);
    this.name = 'MarkerTooLong';
  }
}

export function markerPrefix(token: string): string {
  return `\n${MARK}${token} `;
}

/**
 * Assembles lines from text that arrives in pieces. A line longer than MAX_LINE goes out in pieces of MAX_LINE, so
 * what is held stays bounded; a trailing `\r` is dropped from whole lines. A line under way can be let out early
 * (`early`: the host went quiet in the middle of a line, a prompt or a progress bar); the rest of it follows as a
 * line of its own, and its newline alone adds no empty line.
 */
export class LineSplitter {
  private partial = '';
  /** Part of the line under way already went out early. */
  private shown = false;
  /** How many times text began to be held (a new line under way, or more of one after `early`). */
  private holds = 0;

  constructor(private readonly onLine: (line: string) => void) {}

  push(text: string): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const line = this.partial + text.slice(start, nl);
      if (!this.shown || (line !== '' && line !== '\r')) this.emit(line, true);
      this.partial = '';
      this.shown = false;
      start = nl + 1;
    }
    if (start < text.length) {
      if (!this.partial) this.holds++;
      this.partial += text.slice(start);
    }
    while (this.partial.length > MAX_LINE) {
      this.onLine(this.partial.slice(0, MAX_LINE));
      this.partial = this.partial.slice(MAX_LINE);
    }
  }

  /** Whether a line is under way (text since the last newline, shown early or not). */
  get pending(): boolean {
    return this.partial !== '' || this.shown;
  }

  /** Whether text of the line under way is held (not shown yet). */
  get holding(): boolean {
    return this.partial !== '';
  }

  /** Changes whenever the text held is new (see `holds`): how a caller tells how long the text held has waited. */
  get holdCount(): number {
    return this.holds;
  }

  /** Ends the line under way, if any. */
  flush(): void {
    if (this.partial) this.emit(this.partial, true);
    this.partial = '';
    this.shown = false;
  }

  /** Lets out what is held of the line under way now; the line goes on (see the class). */
  early(): void {
    if (!this.partial) return;
    this.emit(this.partial, true);
    this.partial = '';
    this.shown = true;
  }

  private emit(line: string, whole: boolean): void {
    let rest = whole ? line.replace(/\r$/, '') : line;
    while (rest.length > MAX_LINE) {
      this.onLine(rest.slice(0, MAX_LINE));
      rest = rest.slice(MAX_LINE);
    }
    this.onLine(rest);
  }
}

/**
 * Splits a stream of remote stdout into output lines and markers, in order. Linear: every chunk is scanned once
 * (plus a held-back tail shorter than the marker prefix). Output lines go out as soon as their newline arrives, and
 * a line under way when the caller says the stream went quiet (`early`); only a tail that could start a marker (a
 * newline, then a proper prefix of `\x1e<token> `) is ever held back from that, so nothing a host prints is taken
 * for a marker. A marker line over its cap (MAX_MARKER, MAX_BLOB for BLOB_KEYS) calls `onError` once, and everything
 * after it is dropped.
 */
export class MarkerParser {
  private readonly prefix: string;
  private readonly lines: LineSplitter;
  /** A tail of the stream that may start a marker: a proper prefix of `prefix` (it starts with its newline). */
  private tail = '';
  /** The tail's newline already ended the output line before it (that line went out when the tail arrived). */
  private tailEnded = false;
  /** The marker line being read (after its prefix), in pieces, when it spans chunks. */
  private pieces: string[] | undefined;
  private length = 0;
  private head = '';
  private limit = MAX_MARKER;
  private failed = false;

  constructor(
    token: string,
    onLine: (line: string) => void,
    private readonly onMarker: (marker: Marker) => void,
    private readonly onError: (error: MarkerTooLong) => void = () => undefined,
  ) {
    this.prefix = markerPrefix(token);
    this.lines = new LineSplitter(onLine);
  }

  push(chunk: string): void {
    if (this.failed || !chunk) return;
    let text = chunk;
    let pos = 0;
    if (this.pieces) {
      pos = this.readMarker(text, 0);
      if (pos < 0) return;
    } else if (this.tail) {
      text = this.tail + chunk;
      this.tail = '';
      if (text.length < this.prefix.length && this.prefix.startsWith(text)) {
        this.tail = text; // still undecided
        return;
      }
      // Not a marker after all: the tail's newline is output (unless it already ended the line before it).
      if (!text.startsWith(this.prefix) && this.tailEnded) pos = 1;
    }
    this.scan(text, pos);
  }

  /** Whether output text is held that `early` would let out. */
  get holding(): boolean {
    return !this.failed && this.lines.holding;
  }

  /** See LineSplitter.holdCount. */
  get holdCount(): number {
    return this.lines.holdCount;
  }

  /**
   * The stream went quiet: the line under way goes out as far as it came (a prompt, a progress bar). A tail that
   * could start a marker stays held: a marker's pieces may be slow to come.
   */
  early(): void {
    if (!this.failed) this.lines.early();
  }

  /** The stream ended: a held-back tail is output; a marker line cut off by the end is dropped. */
  end(): void {
    if (this.failed) return;
    if (this.tail) this.lines.push(this.tailEnded ? this.tail.slice(1) : this.tail);
    this.tail = '';
    this.pieces = undefined;
    this.lines.flush();
  }

  private scan(text: string, from: number): void {
    let pos = from;
    while (pos <= text.length) {
      const at = text.indexOf(this.prefix, pos);
      if (at < 0) {
        const keep = this.tailStart(text, pos);
        if (keep > pos) this.lines.push(text.slice(pos, keep));
        if (keep < text.length) {
          this.tail = text.slice(keep);
          // Whether or not a marker follows, the newline ends the line under way: it goes out now.
          this.tailEnded = this.lines.pending;
          this.lines.flush();
        }
        return;
      }
      if (at > pos) this.lines.push(text.slice(pos, at));
      this.lines.flush();
      pos = this.readMarker(text, at + this.prefix.length);
      if (pos < 0) return;
    }
  }

  /** Where a tail that could start a marker begins in text[from..]: at its last newline, if what follows fits. */
  private tailStart(text: string, from: number): number {
    const nl = text.lastIndexOf('\n');
    if (nl < from || text.length - nl >= this.prefix.length) return text.length;
    return this.prefix.startsWith(text.slice(nl)) ? nl : text.length;
  }

  /**
   * Reads a marker line from text[from..] (continuing one under way): the position after its newline, or -1 when
   * the line goes on in the next chunk (or went past its cap).
   */
  private readMarker(text: string, from: number): number {
    const nl = text.indexOf('\n', from);
    const stop = nl < 0 ? text.length : nl;
    if (!this.pieces && nl >= 0 && nl - from <= MAX_MARKER) {
      this.emitMarker(text.slice(from, nl));
      return nl + 1;
    }
    const piece = text.slice(from, stop);
    this.pieces ??= [];
    this.pieces.push(piece);
    this.length += piece.length;
    if (this.head.length < 256) this.head += piece.slice(0, 256 - this.head.length);
    if (this.length > this.limit && !this.raiseLimit()) {
      const [kind = '', key = ''] = this.head.split(' ');
      this.failed = true;
      this.pieces = undefined;
      this.onError(new MarkerTooLong(kind, key, this.limit));
      return -1;
    }
    if (nl < 0) return -1;
    const line = this.pieces.join('');
    this.pieces = undefined;
    this.length = 0;
    this.head = '';
    this.limit = MAX_MARKER;
    this.emitMarker(line);
    return nl + 1;
  }

  /** A blob's marker line gets the larger cap; true when the cap was raised. */
  private raiseLimit(): boolean {
    if (this.limit !== MAX_MARKER) return false;
    const fields = this.head.split(' ');
    if (fields.length < 3 || fields[0] !== 'data' || !BLOB_KEYS.has(fields[1]!)) return false;
    this.limit = MAX_BLOB;
    return this.length <= this.limit;
  }

  private emitMarker(line: string): void {
    const fields = line.split(' ');
    this.onMarker({ kind: fields[0] ?? '', args: fields.slice(1) });
  }
}

export function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}

/** A name a host sent (a marker's kind or key), fit for a message: a short word, or `?`. */
export function printable(name: string): string {
  return /^[\w.-]{1,40}$/.test(name) ? name : '?';
}
