import type { Step } from '../phase.js';
import { q } from '../quote.js';

/** Exit status of the lock step when another run holds the lock. */
export const LOCK_HELD = 75;

export { LOCK_LOST } from '../fence.js';

/**
 * deploy:lock: `mkdir` is the atomic test-and-set. The lock records who holds it and the holder's session process
 * (pid and boot id), so a later run can tell a live holder from one whose process is gone.
 */
export function lock(infoJson: string): Step {
  return {
    id: 'lock',
    label: 'lock',
    body: `if mkdir .deploy/lock 2>/dev/null; then
  printf '%s\\n' "$DA_OWNER" > .deploy/lock/owner
  printf '{%s,"pid":%s,"boot_id":"%s"}\\n' ${q(infoJson)} "$$" "$DA_BOOT_ID" > .deploy/lock/info.json
  echo "deploy lock taken"
elif da_owns_lock; then
  echo "deploy lock already held by this run"
else
  da_lock_report
  exit ${LOCK_HELD}
fi`,
  };
}

/**
 * deploy:unlock: the run is committed (its pending record and its scratch dir go), then its lock is released. The
 * ownership check and the removal run under the fence, so an unlock and another run's lock cannot come between
 * them (this run would remove the other's lock). A run that lost its lock does not commit: it fails (LOCK_LOST)
 * and its abort path undoes what is provably its own.
 */
export function unlock(): Step {
  return {
    id: 'unlock',
    label: 'unlock',
    fenced: true,
    // One rm, in that order: the pending record, the run's scratch dir (the steps before leave it), then the lock. A
    // scratch file that cannot go does not fail the commit (rm says which).
    body: `da_fence_lock
da_fence
rm -rf -- "$DA_PENDING" "$DA_TMP" .deploy/lock || { [ ! -e "$DA_PENDING" ] && [ ! -e .deploy/lock ]; }
echo "deploy lock released"`,
  };
}
