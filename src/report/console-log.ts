import type { Log } from '../log.js';
import { inertLine } from './workflow-commands.js';

export interface ConsoleLogOptions {
  /** Progress lines (default: process.stdout). */
  out?: NodeJS.WritableStream;
  /** Warnings, errors and debug lines (default: process.stderr). */
  err?: NodeJS.WritableStream;
  /** Print debug lines. */
  debug?: boolean;
  /**
   * Running inside a CI job whose runner reads workflow commands in our output (GITHUB_ACTIONS=true): every line on
   * `err` is made inert (see inertLine). stdout is the caller's to protect (a stop-commands block, see cli.ts).
   */
  ci?: boolean;
}

/**
 * A terminal log for the CLI: plain lines, a heading per group, `warning:`/`error:` prefixes on stderr. It never
 * prints workflow commands (`::warning::` …), so nothing is read as one when the CLI runs inside a CI job.
 */
export function consoleLog(options: ConsoleLogOptions = {}): Log {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const line = (stream: NodeJS.WritableStream, text: string) => void stream.write(`${text}\n`);
  const errLines = (prefix: string, text: string) =>
    line(
      err,
      text
        .split('\n')
        .map((l, i) => (options.ci ? inertLine(i ? `  ${l}` : `${prefix}${l}`) : i ? `  ${l}` : `${prefix}${l}`))
        .join('\n'),
    );
  return {
    info: (m) => line(out, m),
    output: (m) => line(out, m),
    warning: (m) => errLines('warning: ', m),
    error: (m) => errLines('error: ', m),
    debug: (m) => {
      if (options.debug) errLines('debug: ', m);
    },
    async group(title, fn) {
      line(out, `\n==> ${title}`);
      return fn();
    },
    // A phase's section is a heading too (the Actions log's groups have no terminal counterpart).
    startGroup: (title) => line(out, `\n==> ${title}`),
    endGroup: () => undefined,
  };
}
