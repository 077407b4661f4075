import { creationOrder, type HistoryEntry } from './history.js';

/**
 * Release directories from oldest to newest: directories the history does not know first (adopted from an older
 * layout, in natural name order, so Deployer's 1..12 sort right), then in the order the history first names them.
 */
export function oldestFirst(dirs: readonly string[], history: HistoryEntry[]): string[] {
  const rank = new Map(creationOrder(history).map((name, i) => [name, i]));
  const unknown = dirs.filter((d) => !rank.has(d)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return [...unknown, ...dirs.filter((d) => rank.has(d)).sort((a, b) => rank.get(a)! - rank.get(b)!)];
}
