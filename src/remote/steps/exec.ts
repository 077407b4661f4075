import type { Step } from '../phase.js';
import { q } from '../quote.js';
import { exportsOf } from './hooks.js';

/** The step id of `exec` (the summary and the failure name it). */
export const EXEC_STEP = 'exec';

/**
 * exec: one command line run by bash in the live release (`current/`), as ssh would run it (its exit status is the
 * last command's; no `-e`), with the hooks' environment, stdin closed and `hook_timeout`. The step fails with the
 * command's exit status, so the host's failure carries it; `fenced` when the run holds the deploy lock.
 */
export function execStep(command: string, env: Record<string, string>, timeoutMs: number, fenced: boolean): Step {
  const secs = Math.max(1, Math.round(timeoutMs / 1000));
  return {
    id: EXEC_STEP,
    label: execLabel(command),
    fenced,
    // `timeout` forwards the session's SIGTERM to the command, so cancelling still stops it at once.
    body: `${exportsOf(env)}
cd -- current/
trap - PIPE
timeout -k 10 ${secs} bash -c ${q(command)} < /dev/null || {
  rc=$?
  if [ "$rc" -eq 124 ]; then echo "error: stopped after hook_timeout (${secs} s)" >&2; fi
  exit "$rc"
}`,
  };
}

/** The command as the log and the summary name it: its first line, cut at 80 characters. */
export function execLabel(command: string): string {
  const lines = command.trim().split('\n');
  const first = lines[0]!.trim();
  return first.length > 80 || lines.length > 1 ? `${first.slice(0, 80)}…` : first;
}
