import { isReleaseName } from './name.js';

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

/** A value the host reported that is not what it can be: never used, reported (escaped) instead. */
export interface InvalidValue {
  /** What it was meant to be: `a release name in .deploy/history.jsonl (release)`. */
  what: string;
  value: string;
}

/** Fields naming a release (besides `release`): a release name, or null/absent. */
const NAME_FIELDS = ['previous', 'from', 'to'] as const;
/** Free-text fields shown to users: a string (or number) without control characters, capped. */
const TEXT_FIELDS = [
  'sha',
  'ref',
  'actor',
  'at',
  'started_at',
  'repository',
  'run_id',
  'run_attempt',
  'runner',
  'owner',
  'note',
] as const;
export const TEXT_FIELD_CHARS = 200;

/** A string (or number) to show as it is: no control characters, at most `max` characters; undefined otherwise. */
export function plainText(value: unknown, max = TEXT_FIELD_CHARS): string | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  return typeof text === 'string' && text.length <= max && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text)
    ? text
    : undefined;
}

/** An https URL without white space, quotes or angle brackets (a link we may show); undefined otherwise. */
export function httpsUrl(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 500 && /^https:\/\/[^\s"'<>`\\]+$/.test(value)
    ? value
    : undefined;
}

/**
 * Parses the history a host sent. A line must be a JSON object whose `release` is a release name; `previous`,
 * `from` and `to` are release names (or null); `event` a plain word; text fields plain text; `run_url` an https URL.
 * A field that is not is dropped, a line whose release is not is skipped: both are told to `invalid`.
 */
export function parseHistory(text: string, invalid: (v: InvalidValue) => void = () => undefined): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A torn or foreign line is skipped: the history informs decisions, it never blocks a deploy.
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const entry = { ...(value as Record<string, unknown>) };
    if (!isReleaseName(entry['release'])) {
      if (entry['release'] !== undefined)
        invalid({ what: 'a release name in .deploy/history.jsonl (release)', value: String(entry['release']) });
      continue;
    }
    if (
      entry['event'] !== undefined &&
      !(typeof entry['event'] === 'string' && /^[a-z][a-z-]{0,31}$/.test(entry['event']))
    ) {
      invalid({ what: 'an event in .deploy/history.jsonl', value: String(entry['event']) });
      continue;
    }
    for (const k of NAME_FIELDS) {
      const v = entry[k];
      if (v === undefined || v === null || isReleaseName(v)) continue;
      invalid({ what: `a release name in .deploy/history.jsonl (${k})`, value: String(v) });
      delete entry[k];
    }
    for (const k of TEXT_FIELDS) {
      const v = entry[k];
      if (v === undefined || v === null) continue;
      const shown = plainText(v);
      if (shown === undefined) {
        invalid({
          what: `a field of .deploy/history.jsonl (${k})`,
          value: typeof v === 'string' ? v : JSON.stringify(v),
        });
        delete entry[k];
      } else entry[k] = shown;
    }
    // A run with no URL (the CLI's) writes "": that is no URL, not an invalid one.
    if (entry['run_url'] === '') delete entry['run_url'];
    if (entry['run_url'] !== undefined && entry['run_url'] !== null && !httpsUrl(entry['run_url'])) {
      invalid({
        what: 'a run URL in .deploy/history.jsonl (run_url, not an https URL)',
        value: String(entry['run_url']),
      });
      delete entry['run_url'];
    }
    out.push(entry as HistoryEntry);
  }
  return out;
}

/**
 * The lines of each release's latest life. A `failed` line ends a release (its directory was removed): a name that
 * comes back after it (a stage re-run under the run's name, after a failed switch) is a new release, and the lines
 * of the earlier attempt (its `revert`, its `failed`) no longer speak for it. A name whose last line is `failed`
 * keeps the lines of that last attempt.
 */
export function latestLives(history: HistoryEntry[]): HistoryEntry[] {
  const ends = new Map<string, number[]>();
  const last = new Map<string, number>();
  history.forEach((e, i) => {
    last.set(e.release, i);
    if (e.event === 'failed') ends.set(e.release, [...(ends.get(e.release) ?? []), i]);
  });
  return history.filter((e, i) => {
    const f = ends.get(e.release);
    if (!f) return true;
    // The lines after the last failed one; or, when that is the name's last line, those of the attempt it ended.
    const from = f.at(-1) === last.get(e.release) ? (f.at(-2) ?? -1) : f.at(-1)!;
    return i > from;
  });
}

/** Whether the history's last line about `name` is `failed`: that release is gone, and the name is free again. */
export function endedFailed(history: HistoryEntry[], name: string): boolean {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.release === name) return history[i]!.event === 'failed';
  return false;
}

/** Release names in the order they first appear in the history (creation order), each in its latest life. */
export function creationOrder(history: HistoryEntry[]): string[] {
  const seen = new Set<string>();
  for (const e of latestLives(history)) seen.add(e.release);
  return [...seen];
}

/** Releases that must never be chosen again: failed, reverted, or rolled back from (in their latest life). */
export function unusable(history: HistoryEntry[]): { failed: Set<string>; bad: Set<string> } {
  const failed = new Set<string>();
  const bad = new Set<string>();
  for (const e of latestLives(history)) {
    if (e.event === 'failed') failed.add(e.release);
    if (e.event === 'revert') bad.add(e.release);
    if (e.event === 'rollback' && e.from) bad.add(e.from);
  }
  return { failed, bad };
}

/** The name a `current` link points at, when it points into `releases/` and the name is a release name. */
export function releaseOfLink(target: string): string | undefined {
  const m = /(?:^|\/)releases\/([^/]+)\/?$/.exec(target);
  return isReleaseName(m?.[1]) ? m[1] : undefined;
}
