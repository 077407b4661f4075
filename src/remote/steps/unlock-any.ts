import type { Step } from '../phase.js';
import { q } from '../quote.js';
import { UNLOCK_ANY_SH } from '../sh/index.js';
import { STAGE_UNDO_LIB } from './stage.js';

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
    brief: true,
    label: 'unlock',
    body: `forced=${o.force}\nby=${q(oneLine(o.by))}\nurl=${q(oneLine(o.url))}\n${UNLOCK_ANY_SH}`,
    // The holder's undo puts back the files it changed (see steps/files.ts).
    lib: STAGE_UNDO_LIB,
  };
}
