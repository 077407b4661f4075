import type { Step } from '../phase.js';

/**
 * The unlock command: reports who holds the lock, undoes what that run left unfinished when its session is gone
 * (as its own post step would have), and removes the lock.
 */
export function unlockAny(): Step {
  return {
    id: 'unlock',
    label: 'unlock',
    body: `if [ ! -d .deploy/lock ]; then echo "no deploy lock here"; exit 0; fi
da_lock_report
holder=$(cat .deploy/lock/owner 2>/dev/null || true)
if ! da_lock_alive && [ -n "$holder" ] && [ -f ".deploy/pending/$holder" ]; then
  echo "undoing what the lock holder's run left unfinished"
  ( DA_OWNER=$holder; DA_PENDING=.deploy/pending/$holder; da_abort )
fi
rm -rf .deploy/lock
echo "deploy lock removed"`,
  };
}
