import { singleValues } from '../data.js';
import type { Step } from '../phase.js';
import { q } from '../quote.js';
import { STAGE_RERUN_SH, STAGE_SH } from '../sh/index.js';

/** What a host reports when it kept this run's hold: the hold's new expiry. */
export const STAGE_KEPT = 'stage-kept';

/**
 * A stage's lock step, for a re-run ("Re-run all jobs": the same run id, a later attempt): where the host already
 * holds `name` staged by this run (the same repository and run id in the lock's record and in the stage record, both
 * written by the hold under the fence), whole and not expired, it keeps that hold and pushes its expiry back
 * (`stage-kept`); anywhere else it is the lock step it wraps. Without a run id there is no run to be the same as.
 */
export function stageRerunLock(
  lock: Step,
  o: { name: string; repository: string; runId: string; ttlSeconds: number },
): Step {
  if (!o.runId) return lock;
  const vars = `rname=${q(o.name)}\nrepo=${q(o.repository)}\nrunid=${q(o.runId)}\nttl=${q(Math.floor(o.ttlSeconds))}`;
  return { ...lock, body: `${vars}\n${STAGE_RERUN_SH}${lock.body}`, lib: [...(lock.lib ?? []), STAGE_SH] };
}

/** The new expiry where the host kept this run's hold, else undefined. */
export function keptUntil(result: { data: Map<string, string[]> } | undefined): string | undefined {
  const at = singleValues(result ?? { data: new Map() }, [], [STAGE_KEPT])(STAGE_KEPT);
  return /^[0-9TZ:.+-]{1,40}$/.test(at) ? at : undefined;
}
