import type { Step } from '../phase.js';
import { q } from '../quote.js';

/**
 * Appends one JSON line to `.deploy/history.jsonl`, the host's record of what was live when. `at` is stamped by
 * the host when the line is written (the same clock as the lines its abort path writes). Fenced: a run that lost
 * its lock records nothing.
 */
export function logHistory(entry: object): Step {
  const json = JSON.stringify(entry);
  const open = json === '{}' ? '{' : `${json.slice(0, -1)},`;
  return {
    id: 'log',
    brief: true,
    label: 'history',
    fenced: true,
    body: `da_now
da_history ${q(`${open}"at":"`)}"$DA_AT"'"}'`,
  };
}
