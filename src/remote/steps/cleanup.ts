import type { Step } from '../phase.js';
import { words } from '../quote.js';
import { CLEANUP_SH } from '../sh/index.js';

/**
 * deploy:cleanup: removes the releases the runner chose (see retention), re-checking on the host that none of
 * them is live. They leave `releases/` at once (renamed into `.deploy/trash/`); deleting their files, which
 * can take seconds for a big app, goes on in the background after the session, so the deploy does not wait for
 * it. Trash an earlier cleanup could not delete (files of another user, say) is a warning, and is tried again.
 */
export function cleanup(remove: string[]): Step {
  return {
    id: 'cleanup',
    brief: true,
    label: 'cleanup',
    // The releases to remove are the body's arguments (set --); a step function is called without any.
    body: `${remove.length ? `set -- ${words(remove)}\n` : ''}${CLEANUP_SH}`,
  };
}
