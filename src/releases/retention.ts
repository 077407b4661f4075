import { creationOrder, unusable, type HistoryEntry } from './history.js';

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
  const known = creationOrder(o.history);
  const rank = new Map(known.map((name, i) => [name, i]));
  const unknown = o.dirs.filter((d) => !rank.has(d)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const ordered = [...unknown, ...o.dirs.filter((d) => rank.has(d)).sort((a, b) => rank.get(a)! - rank.get(b)!)];
  const { failed } = unusable(o.history);
  const usable = ordered.filter((d) => !failed.has(d) || d === o.live);
  const kept = new Set(usable.slice(-o.keep));
  if (o.live) kept.add(o.live);
  return ordered.filter((d) => !kept.has(d));
}
