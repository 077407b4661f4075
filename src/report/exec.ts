/** What `exec` did on each host: the summary's table and the `exec` output. */
import { seconds } from '../log.js';
import { type Block, type Inline, table } from './document.js';

/** One host's run of the command. */
export interface ExecResult {
  host: string;
  /** The host's name came from a secret (`${NAME}`): the output shows `***`. */
  masked?: boolean;
  /** The command's exit status; null when it could not run (the connection was lost, the session failed). */
  exitCode: number | null;
  ms: number;
  /** The last line the command printed (host text: plain, each renderer escapes it). */
  lastLine: string;
  /** Why it could not run, when exitCode is null. */
  error?: string;
  /** The last lines it printed (for the failure's report; not in the output). */
  tail?: string[];
}

const LAST_LINE_CHARS = 200;

/** A line cut for a table cell or an output. */
export function cutLine(line: string): string {
  const text = line.trim();
  return text.length > LAST_LINE_CHARS ? `${text.slice(0, LAST_LINE_CHARS)}…` : text;
}

/** The summary's (and the CLI's) table: host, exit status, duration, last line. */
export function execTable(results: readonly ExecResult[]): Block {
  const rows = results.map((r): Inline[] => [
    r.host,
    r.exitCode === null ? '✗ not run' : r.exitCode === 0 ? '✓ 0' : `✗ ${r.exitCode}`,
    seconds(r.ms),
    r.exitCode === null ? (r.error ?? '') : r.lastLine ? { code: r.lastLine } : '',
  ]);
  return table(['Host', 'Exit', 'Duration', 'Last line'], rows);
}

/** The `exec` output: one object per host, hosts from a secret as `***`. */
export function execOutput(results: readonly ExecResult[]): string {
  return JSON.stringify(
    results.map((r) => ({
      host: r.masked ? '***' : r.host,
      exit_code: r.exitCode,
      duration_ms: r.ms,
      last_line: r.lastLine,
      ...(r.error !== undefined ? { error: r.error } : {}),
    })),
  );
}
