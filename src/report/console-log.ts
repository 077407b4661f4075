import type { Log } from '../log.js';
import { LiveLine } from './live-line.js';
import { PLAIN, statusLine, type Style } from './style.js';
import { inertLine } from './workflow-commands.js';

export interface ConsoleLogOptions {
  /** Progress lines (default: process.stdout). */
  out?: NodeJS.WritableStream;
  /** Warnings, errors and debug lines (default: process.stderr). */
  err?: NodeJS.WritableStream;
  /** Print debug lines. */
  debug?: boolean;
  /** Print only errors: no progress, no host output, no warnings (the outcome still lists the warnings). */
  quiet?: boolean;
  /** `out` is a terminal: progress is a live line that rewrites itself (default: a plain line per call). */
  live?: boolean;
  /** Colour per stream (default: none). */
  style?: { out: Style; err: Style };
  /**
   * Running inside a CI job whose runner reads workflow commands in our output (GITHUB_ACTIONS=true): every line on
   * `err` is made inert (see inertLine). stdout is the caller's to protect (a stop-commands block, see cli.ts).
   */
  ci?: boolean;
}

/**
 * A terminal log for the CLI: plain lines, a heading per group, `warning:`/`error:` prefixes on stderr. It never
 * prints workflow commands (`::warning::` …), so nothing is read as one when the CLI runs inside a CI job. Only our
 * own text is coloured (status marks, headings, prefixes); text a host sent is written as it came.
 */
export interface ConsoleLog extends Log {
  /** Removes the live line, if any: the outcome is written next, straight to the streams. */
  endLive(): void;
}

export function consoleLog(options: ConsoleLogOptions = {}): ConsoleLog {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const { out: outStyle, err: errStyle } = options.style ?? { out: PLAIN, err: PLAIN };
  const quiet = options.quiet === true;
  const live = options.live ? new LiveLine(out) : undefined;
  const line = (stream: NodeJS.WritableStream, text: string) =>
    live ? live.write(`${text}\n`, stream) : void stream.write(`${text}\n`);
  const errLines = (prefix: string, text: string) =>
    line(
      err,
      text
        .split('\n')
        .map((l, i) => (options.ci ? inertLine(i ? `  ${l}` : `${prefix}${l}`) : i ? `  ${l}` : `${prefix}${l}`))
        .join('\n'),
    );
  return {
    terminal: true,
    info: (m) => {
      if (!quiet) line(out, statusLine(m, outStyle));
    },
    output: (m) => {
      if (!quiet) line(out, m);
    },
    warning: (m) => {
      if (!quiet) errLines(`${errStyle.warn('warning:')} `, m);
    },
    error: (m) => errLines(`${errStyle.fail('error:')} `, m),
    debug: (m) => {
      if (options.debug) errLines(`${errStyle.dim('debug:')} `, m);
    },
    endLive: () => live?.end(),
    // Only a terminal has a live line; elsewhere (and with --quiet) progress comes as plain lines, now and then.
    ...(live && !quiet ? { live: (key: string, text: string | undefined) => live.set(key, text) } : {}),
    async group(title, fn) {
      if (!quiet) line(out, `\n${outStyle.heading(`==> ${title}`)}`);
      return fn();
    },
    // A phase's section is a heading too (the Actions log's groups have no terminal counterpart).
    startGroup: (title) => {
      if (!quiet) line(out, `\n${outStyle.heading(`==> ${title}`)}`);
    },
    endGroup: () => undefined,
  };
}
