import type { Step } from '../phase.js';
import { q } from '../quote.js';

export interface UnlockOptions {
  /** Remove the lock even when the holder's session still runs on the host. */
  force: boolean;
  /** Who unlocks (one line: the unlocking run's name), and its run URL (or ''). Left in the holder's record. */
  by: string;
  url: string;
}

/** One line of text for a record the host keeps: control characters become spaces. */
function oneLine(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}

/**
 * The unlock command: reports who holds the lock; refuses (`unlock refused`, status 0) when the holder's session
 * still runs on the host, unless forced; else leaves the holder a record of who removed its lock and when
 * (`.deploy/unlocked/<owner>`: time, who, URL; read by the holder's fenced steps, see da_lock_lost) and a history
 * line, undoes what the holder left unfinished when its session is gone (as its own post step would have), and
 * removes the lock. All of it under the fence (da_fence_lock), so the holder's switch or commit cannot be midway.
 * A live holder's work is not undone here: it stops at its next fenced step and undoes what is provably its own.
 */
export function unlockAny(o: UnlockOptions): Step {
  return {
    id: 'unlock',
    label: 'unlock',
    body: `if [ ! -d .deploy/lock ]; then echo "no deploy lock here"; exit 0; fi
da_fence_lock
if [ ! -d .deploy/lock ]; then echo "no deploy lock here"; exit 0; fi
da_lock_report
holder=
read -r holder 2>/dev/null < .deploy/lock/owner || true
# The owner is a file name below .deploy/: anything but a plain token is not one (no record, no undo).
case $holder in *[!A-Za-z0-9_-]*) holder= ;; esac
alive=false
! da_lock_alive || alive=true
force=${o.force ? 'yes' : 'no'}
if [ "$alive" = true ] && [ "$force" != yes ]; then
  da_data unlock refused
  echo "the lock holder's session is still running on this host: the lock was left in place"
  exit 0
fi
da_now
if [ -L .deploy/unlocked ]; then
  echo "warning: .deploy/unlocked is a symlink: no record left for the holder (remove the link)"
elif [ -n "$holder" ]; then
  da_dir .deploy/unlocked
  find .deploy/unlocked -type f -mtime +30 -delete 2>/dev/null || true
  printf '%s\\n%s\\n%s\\n' "$DA_AT" ${q(oneLine(o.by))} ${q(oneLine(o.url))} > ".deploy/unlocked/$holder"
fi
if [ "$alive" = false ] && [ -n "$holder" ] && [ -f ".deploy/pending/$holder" ]; then
  echo "undoing what the lock holder's run left unfinished"
  ( DA_OWNER=$holder; DA_PENDING=.deploy/pending/$holder; DA_TMP=.deploy/tmp.$holder; da_abort )
fi
rm -rf .deploy/lock
da_history "{\\"event\\":\\"unlock\\",\\"holder\\":\\"$holder\\",\\"holder_alive\\":$alive,\\"forced\\":${o.force},$DA_RUN_JSON,\\"at\\":\\"$DA_AT\\"}"
da_data unlock removed
echo "deploy lock removed"`,
  };
}
