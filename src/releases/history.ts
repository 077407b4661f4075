/**
 * `.deploy/history.jsonl`: one JSON object per line, appended by the hosts. Events:
 * `deploy`/`redeploy`/`rollback` (the release became live), `failed` (staged but never live, removed),
 * `revert` (switched back before the run committed). The release rolled back from is recorded as `from`.
 */
export interface HistoryEntry {
  event: 'deploy' | 'redeploy' | 'rollback' | 'failed' | 'revert' | string;
  release: string;
  previous?: string | null;
  from?: string;
  to?: string;
  sha?: string;
  ref?: string;
  actor?: string;
  run_url?: string;
  at?: string;
  [key: string]: unknown;
}

export type ReleaseStatus = 'live' | 'previous' | 'bad' | 'failed' | 'ok' | 'unknown';

export function parseHistory(text: string): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as HistoryEntry;
      if (value && typeof value === 'object' && typeof value.release === 'string') out.push(value);
    } catch {
      // A torn or foreign line is skipped: the history informs decisions, it never blocks a deploy.
    }
  }
  return out;
}

/** Release names in the order they first appear in the history (creation order). */
export function creationOrder(history: HistoryEntry[]): string[] {
  const seen = new Set<string>();
  for (const e of history) seen.add(e.release);
  return [...seen];
}

/** Releases that must never be chosen again: failed, reverted, or rolled back from. */
export function unusable(history: HistoryEntry[]): { failed: Set<string>; bad: Set<string> } {
  const failed = new Set<string>();
  const bad = new Set<string>();
  for (const e of history) {
    if (e.event === 'failed') failed.add(e.release);
    if (e.event === 'revert') bad.add(e.release);
    if (e.event === 'rollback' && e.from) bad.add(e.from);
  }
  return { failed, bad };
}

/** The name a `current` link points at, when it points into `releases/`. */
export function releaseOfLink(target: string): string | undefined {
  const m = /(?:^|\/)releases\/([^/]+)\/?$/.exec(target);
  return m?.[1];
}
