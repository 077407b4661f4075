import type { Step } from '../phase.js';
import { q } from '../quote.js';
import { exportsOf } from './hooks.js';

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
