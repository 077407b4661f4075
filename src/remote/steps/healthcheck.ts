import type { InvalidValue } from '../../releases/history.js';
import { singleValues } from '../data.js';
import type { Step } from '../phase.js';
import type { PhaseResult } from '../session.js';
import { q } from '../quote.js';
import { exportsOf } from './hooks.js';

/** The key of the verdict the health check step reports (`ok attempt N`, `fail after N attempts`). */
export const HEALTH = 'health';

export interface CommandCheck {
  command: string;
  /** The hooks' environment (config env and DEPLOY_*). */
  env: Record<string, string>;
  timeoutMs: number;
  retries: number;
  intervalMs: number;
}

/**
 * A health check run on the host, in the live release: the command must succeed within the timeout, at most
 * `retries + 1` attempts, `interval` apart. Each attempt's output is shown. The verdict is reported as data
 * (`health ok|fail`), not as the step's status, so the session stays up to switch back if the runner decides so.
 */
export function commandHealthcheck(c: CommandCheck): Step {
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  return {
    id: 'healthcheck',
    label: 'healthcheck',
    body: `${exportsOf(c.env)}
cd -- current/
trap - PIPE
for attempt in $(seq ${c.retries + 1}); do
  if timeout -k 2 ${secs(c.timeoutMs)} bash -e -c ${q(c.command)} < /dev/null; then
    echo "healthy (attempt $attempt)"; da_data health "ok attempt $attempt"; exit 0
  fi
  echo "attempt $attempt of ${c.retries + 1} failed"
  [ "$attempt" -gt ${c.retries} ] || sleep ${secs(c.intervalMs)}
done
da_data health "fail after ${c.retries + 1} attempts"`,
  };
}

export interface HealthVerdict {
  verdict: string;
  ok: boolean;
  /** The attempt that passed (`ok attempt N`); unknown for a failure (`fail after N attempts` says N). */
  attempts?: number;
  invalid: InvalidValue[];
}

/**
 * The verdict of a command health check as its step reports it (`ok attempt N`, `fail after N attempts`); anything
 * else (or nothing, or two verdicts) is a failure, and a value that is not a verdict is listed in `invalid`.
 */
export function healthVerdict(result: Pick<PhaseResult, 'data'> | undefined): HealthVerdict {
  const invalid: InvalidValue[] = [];
  const raw = result ? singleValues(result, invalid, [HEALTH])(HEALTH) : '';
  if (/^(ok attempt \d{1,6}|fail after \d{1,6} attempts)$/.test(raw)) {
    const attempts = /attempt (\d+)/.exec(raw)?.[1];
    return {
      verdict: raw,
      ok: raw.startsWith('ok'),
      attempts: attempts === undefined ? undefined : Number(attempts),
      invalid,
    };
  }
  if (raw) invalid.push({ what: 'a health check verdict that is not one', value: raw });
  return { verdict: 'fail (no valid verdict)', ok: false, invalid };
}
