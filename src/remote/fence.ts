import { FENCE_SH } from './sh/index.js';

/**
 * Exit status of a fenced step (see da_fence) when this run no longer holds its lock: it was removed (`unlock`) or
 * replaced. The run stops, changes nothing more and undoes only what is provably its own.
 */
export const LOCK_LOST = 76;

/**
 * The fence check, defined in every phase that has a fenced step (see Step.fenced): `da_fence` proves that this
 * run still holds its lock (bash builtins only), or ends the step with LOCK_LOST and a message that says who took
 * it away and when: the record `unlock` left (.deploy/unlocked/<owner>: time, who, URL), or the lock's new holder.
 * Steps that act on the lock's ownership (the switch, the commit) check again under the fence (da_fence_lock, a
 * flock on .deploy/fence that `unlock` holds while it removes a lock), so no unlock and no other run's lock can
 * come between the check and the act. Kept out of the prelude: the first phase travels in the exec request.
 * In sh/fence.sh, which exits with LOCK_LOST (76) literally.
 */
export const FENCE_CHECK = FENCE_SH;
