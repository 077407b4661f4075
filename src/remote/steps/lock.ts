import type { Step } from '../phase.js';
import { q } from '../quote.js';

/** Exit status of the lock step when another run holds the lock. */
export const LOCK_HELD = 75;

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
 * deploy:unlock: the run is committed (its pending record and its scratch dir go), then its lock is released.
 */
export function unlock(): Step {
  return {
    id: 'unlock',
    label: 'unlock',
    // One rm, in that order: the pending record, the run's scratch dir (the steps before leave it), then the lock. A
    // scratch file that cannot go does not fail the commit (rm says which).
    body: `if da_owns_lock; then
  rm -rf -- "$DA_PENDING" "$DA_TMP" .deploy/lock || { [ ! -e "$DA_PENDING" ] && [ ! -e .deploy/lock ]; }
  echo "deploy lock released"
else
  rm -rf -- "$DA_PENDING" "$DA_TMP" || [ ! -e "$DA_PENDING" ]
  echo "warning: the deploy lock was no longer held by this run"
fi`,
  };
}
