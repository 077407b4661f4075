import { unusable, type HistoryEntry } from './history.js';
import { oldestFirst } from './order.js';

export interface RollbackView {
  host: string;
  dirs: string[];
  history: HistoryEntry[];
  live?: string;
  /** Releases an unfinished run of someone else is staging or left behind: never candidates. */
  partial: Set<string>;
}

/**
 * The releases a plain rollback may go back to on one host, newest first: older than the live one, complete
 * (not failed, not partial), and not marked bad (rolled back from, or reverted).
 */
export function rollbackCandidates(v: RollbackView): string[] {
  if (!v.live) return [];
  const ordered = oldestFirst(v.dirs, v.history);
  const at = ordered.indexOf(v.live);
  if (at < 0) return [];
  const { failed, bad } = unusable(v.history);
  return ordered
    .slice(0, at)
    .filter((d) => !failed.has(d) && !bad.has(d) && !v.partial.has(d))
    .reverse();
}

export type RollbackChoice = { target: string; warnings: string[] } | { error: string };

/**
 * One target for every host, agreed before anything switches: the named release (which every host must have),
 * or the newest release that is a rollback candidate on every host.
 */
export function chooseRollbackTarget(views: RollbackView[], named?: string): RollbackChoice {
  if (named) {
    const lacking = views.filter((v) => !v.dirs.includes(named)).map((v) => v.host);
    if (lacking.length)
      return { error: `release ${named} does not exist on ${lacking.join(', ')}: nothing was changed` };
    const partial = views
      .filter((v) => v.partial.has(named) || unusable(v.history).failed.has(named))
      .map((v) => v.host);
    if (partial.length)
      return { error: `release ${named} never completed on ${partial.join(', ')} and cannot be made live` };
    if (views.every((v) => v.live === named)) return { error: `release ${named} is already live on every host` };
    const warnings = views
      .filter((v) => unusable(v.history).bad.has(named))
      .map((v) => `${v.host}: release ${named} was marked bad earlier; making it live as asked`);
    return { target: named, warnings };
  }
  const lists = views.map((v) => ({ v, candidates: rollbackCandidates(v) }));
  const empty = lists.filter((l) => l.candidates.length === 0);
  if (empty.length === views.length || views.length === 0) {
    return { error: 'no release to roll back to: there is no earlier complete release that was not rolled back from' };
  }
  if (empty.length) {
    return { error: `no release to roll back to on ${empty.map((l) => l.v.host).join(', ')}: nothing was changed` };
  }
  const [first, ...rest] = lists;
  const target = first!.candidates.find((c) => rest.every((l) => l.candidates.includes(c)));
  if (!target) {
    return {
      error: `the hosts have no rollback target in common (${lists.map((l) => `${l.v.host}: ${l.candidates.join(', ')}`).join('; ')}); name one with the release input`,
    };
  }
  return { target, warnings: [] };
}
