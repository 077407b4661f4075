import { unusable, type HistoryEntry } from './history.js';
import { oldestFirst } from './order.js';

/**
 * Which release directories cleanup removes: all but the newest `keep` usable ones (in creation order, the new
 * release last; directories the history does not know count as oldest), every failed one, and never the live one.
 */
export function releasesToRemove(o: {
  dirs: readonly string[];
  history: HistoryEntry[];
  keep: number;
  live: string | undefined;
}): string[] {
  const ordered = oldestFirst(o.dirs, o.history);
  const { failed } = unusable(o.history);
  const usable = ordered.filter((d) => !failed.has(d) || d === o.live);
  const kept = new Set(usable.slice(-o.keep));
  if (o.live) kept.add(o.live);
  return ordered.filter((d) => !kept.has(d));
}
