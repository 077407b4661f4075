import type { Step } from '../phase.js';
import { q } from '../quote.js';

/** Appends one JSON line to `.deploy/history.jsonl`, the host's record of what was live when. */
export function logHistory(entry: object): Step {
  return { id: 'log', label: 'history', body: `da_history ${q(JSON.stringify(entry))}` };
}
