import { randomBytes } from 'node:crypto';

/**
 * Host text must reach a CI log as text, never as a workflow command. How GitHub's runner reads a step's output
 * (actions/runner: ActionCommandManager.TryProcessCommand, ActionCommand.TryParseV2/TryParse):
 * - it reads stdout and stderr line by line (.NET ReadLine: `\n`, `\r` and `\r\n` all end a line), through ONE
 *   command manager: a stop on one stream holds for the other, in whatever order the two pipes are read;
 * - a line is a command when, leading white space trimmed, it starts with `::NAME` (v2), or when it holds
 *   `##[NAME` anywhere (v1), NAME being a registered command (any case);
 * - after `::stop-commands::TOKEN` no command runs until a line whose command name is TOKEN (v1 or v2, any case);
 *   both lines are echoed to the log.
 * So a host line is shown inside a stop-commands block whose token is random per process and never appears in a
 * host line (it is redacted there): no host can end the block, and a host that cannot end it cannot issue a command.
 */

/** Leading white space as the runner trims it (.NET's Char.IsWhiteSpace, widened: JS \s, U+001C..U+001F, U+0085). */
const LEADING_SPACE = /^[\s\x1c-\x1f\x85]+/;

/** Splits text into the lines the runner reads. */
export function runnerLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Whether the runner could read a line of this text as a workflow command (whatever the command's name). */
export function mayBeCommand(text: string): boolean {
  if (!text.includes('::') && !text.includes('##[')) return false;
  return runnerLines(text).some((line) => line.includes('##[') || line.replace(LEADING_SPACE, '').startsWith('::'));
}

/**
 * A line the runner cannot read as a command, for output that cannot be inside a block (stderr, whose lines reach
 * the runner in no fixed order with stdout's): unchanged when it is no command, else shown as a JSON string with
 * `##[` written `##\u005b` (JSON's own escape for `[`).
 */
export function inertLine(line: string): string {
  return mayBeCommand(line) ? JSON.stringify(line).replace(/##\[/g, '##\\u005b') : line;
}

/** Every line of a text made inert (see inertLine). */
export function inertText(text: string): string {
  return mayBeCommand(text) ? runnerLines(text).map(inertLine).join('\n') : text;
}

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

/**
 * Host text on a stream the runner reads, inside `::stop-commands::TOKEN` … `::TOKEN::`. The block opens at the
 * first host line; the stream's own writes that hold a command (an annotation, a group, a mask) close it first, so
 * the program's commands keep working (plain text of its own may stay inside); it closes at exit, so the steps
 * after this one get their commands. With `wholeStream` the block opens at the first write of any kind and stays
 * open to the exit: for a program that never issues a command (the CLI).
 */
export class CommandsOff {
  readonly token = randomBytes(16).toString('hex');
  private open = false;
  private hostWriting = false;
  private readonly redact = new RegExp(this.token, 'gi');

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly wholeStream = false,
  ) {
    const write = stream.write as Write;
    const block = this;
    // The wrapper keeps the program's own commands out of the block (or, wholeStream, everything in it).
    stream.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      block.beforeOwnWrite(chunk, (text) => write.call(this, text));
      return write.call(this, block.wholeStream ? block.scrub(chunk) : chunk, ...rest);
    } as NodeJS.WritableStream['write'];
    process.once('exit', () => this.close());
  }

  /** Writes lines a host sent (each split where the runner would split it). */
  lines(lines: string[]): void {
    const text = lines
      .flatMap(runnerLines)
      .map((l) => `${l.replace(this.redact, '[…]')}\n`)
      .join('');
    this.hostWriting = true;
    try {
      this.stream.write(this.open ? text : `::stop-commands::${this.token}\n${text}`);
      this.open = true;
    } finally {
      this.hostWriting = false;
    }
  }

  /** Ends the block (at exit; then later writes are the program's own again). */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.hostWriting = true;
    try {
      this.stream.write(`::${this.token}::\n`);
    } finally {
      this.hostWriting = false;
    }
  }

  private beforeOwnWrite(chunk: unknown, write: (text: string) => void): void {
    if (this.hostWriting) return;
    if (this.wholeStream) {
      if (!this.open) {
        this.open = true;
        write(`::stop-commands::${this.token}\n`);
      }
      return;
    }
    if (this.open && mayBeCommand(textOf(chunk))) {
      this.open = false;
      write(`::${this.token}::\n`);
    }
  }

  /** The token never appears in what the block carries. */
  private scrub(chunk: unknown): unknown {
    if (this.hostWriting) return chunk;
    const text = textOf(chunk);
    return text.toLowerCase().includes(this.token) ? text.replace(this.redact, '[…]') : chunk;
  }
}

function textOf(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array)
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
  return String(chunk);
}
