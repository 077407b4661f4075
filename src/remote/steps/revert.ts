import type { Step } from '../phase.js';

/** Puts `current` back where it was before this run's (still provisional) switch; a no-op where it did not switch. */
export function revert(): Step {
  return { id: 'revert', label: 'switch back', body: 'da_revert', brief: true };
}
