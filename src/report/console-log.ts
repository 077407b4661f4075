import type { Log } from './log.js';

export interface ConsoleLogOptions {
  /** Progress lines (default: process.stdout). */
  out?: NodeJS.WritableStream;
  /** Warnings, errors and debug lines (default: process.stderr). */
  err?: NodeJS.WritableStream;
  /** Print debug lines. */
  debug?: boolean;
}

/**
 * A terminal log for the CLI: plain lines, a heading per group, `warning:`/`error:` prefixes on stderr. It never
 * prints workflow commands (`::warning::` …), so nothing is read as one when the CLI runs inside a CI job.
 */
export function consoleLog(options: ConsoleLogOptions = {}): Log {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const line = (stream: NodeJS.WritableStream, text: string) => void stream.write(`${text}\n`);
  return {
    info: (m) => line(out, m),
    warning: (m) => line(err, `warning: ${m}`),
    error: (m) => line(err, `error: ${m}`),
    debug: (m) => {
      if (options.debug) line(err, `debug: ${m}`);
    },
    async group(title, fn) {
      line(out, `\n==> ${title}`);
      return fn();
    },
  };
}
