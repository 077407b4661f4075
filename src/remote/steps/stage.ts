import { singleValues } from '../data.js';
import type { Step } from '../phase.js';
import { q } from '../quote.js';
import {
  FENCE_SH,
  FILES_RESTORE_SH,
  STAGE_CHECK_SH,
  STAGE_DISCARD_SH,
  STAGE_HOLD_SH,
  STAGE_SH,
  STAGE_TAKE_SH,
} from '../sh/index.js';

/**
 * Stage holds: a release staged on a host and held there by itself, not by a session (see sh/stage.sh). The hold is
 * the deploy lock owned by `stage-NAME`, the record `.deploy/stage` and the stage run's pending record, renamed.
 */

/** The shell helpers of holds (da_stage_field, da_stage_expired, da_stage_undo, da_stage_reclaim). */
export const STAGE_LIB = STAGE_SH;

/**
 * What undoing a hold takes (da_stage_undo): the hold helpers and the files step's restore, so that every way a hold
 * is undone (discard, unlock, the lock step past an expired hold) puts back the `files:` content the stage changed.
 */
export const STAGE_UNDO_LIB: readonly string[] = [FILES_RESTORE_SH, STAGE_SH];

/**
 * The end of a stage: the run hands its lock over to the staged release, which holds it for `ttlSeconds`; the
 * pending record goes with it, so the session's end does not undo the release. `preview`: a link to it, or ''.
 */
export function holdStage(o: { ttlSeconds: number; info: string; preview: string }): Step {
  return {
    id: 'hold',
    // Not brief: it ignores a cancel until it is done, and what it says then must reach the log before the abort's.
    label: 'hold',
    fenced: true,
    body: `ttl=${q(Math.floor(o.ttlSeconds))}\ninfo=${q(o.info)}\npreview=${q(o.preview)}\n${STAGE_HOLD_SH}`,
    lib: [STAGE_SH],
  };
}

/**
 * What stageCheck reports: ok, none (nothing staged), other (another release), unheld, expired, far (an expiry further
 * ahead than any stage_ttl allows: expired too), notdir.
 */
export const STAGE_CHECK = 'stage-check';
export const STAGE_EXPIRES_AT = 'stage-expires-at';
export type StageState = 'ok' | 'none' | 'other' | 'unheld' | 'expired' | 'far' | 'notdir' | 'unknown';

/** Reads whether `$DA_RELEASE` is staged and held on the host. Changes nothing. */
export function stageCheck(): Step {
  return { id: 'stage-check', label: 'stage check', body: STAGE_CHECK_SH, lib: [STAGE_SH], brief: true };
}

/** The host's answer to stageCheck; a value that is none of the states is `unknown`. */
export function stageState(result: { data: Map<string, string[]> } | undefined): {
  state: StageState;
  expiresAt?: string;
} {
  const one = singleValues(result ?? { data: new Map() }, [], [STAGE_CHECK, STAGE_EXPIRES_AT]);
  const s = one(STAGE_CHECK);
  const state =
    (['ok', 'none', 'other', 'unheld', 'expired', 'far', 'notdir'] as const).find((x) => x === s) ?? 'unknown';
  const at = one(STAGE_EXPIRES_AT);
  return { state, ...(/^[0-9TZ:.+-]{1,40}$/.test(at) ? { expiresAt: at } : {}) };
}

/** The switch's first change: takes the lock over from the stage of `$DA_RELEASE` (fenced by the stage's owner). */
export function takeStage(info: string): Step {
  return {
    id: 'take-over',
    label: 'take over',
    body: `info=${q(info)}\n${STAGE_TAKE_SH}`,
    lib: [STAGE_SH],
    brief: true,
  };
}

/** The discard command: removes the staged `$DA_RELEASE` and its hold (`discard removed`), or says there is none. */
export function discardStage(): Step {
  // The undo puts back the `files:` the stage changed (see steps/files.ts), as a failed deploy's does.
  // da_lock_name (sh/fence.sh): the message says whose stage it discards.
  return { id: 'discard', label: 'discard', body: STAGE_DISCARD_SH, lib: [FENCE_SH, ...STAGE_UNDO_LIB], brief: true };
}

/** Whether a host discarded a staged release (`done`) or had none (`none`). */
export function discarded(result: { data: Map<string, string[]> } | undefined): boolean {
  return singleValues(result ?? { data: new Map() }, [], ['discard'])('discard') === 'removed';
}
