import { readStoredManifest, type StoredManifest } from '../artifact/manifest.js';
import { httpsUrl, parseHistory, plainText, releaseOfLink, type HistoryEntry, type InvalidValue } from '../releases/history.js';
import { isReleaseName } from '../releases/name.js';
import type { PhaseResult } from '../remote/session.js';
import type { CommandContext } from './context.js';

export interface ReleaseDir {
  name: string;
  /** Modification time of the directory, seconds since the epoch. */
  mtime: number;
  /** The release's REVISION file (the commit it was built from), if any. */
  revision: string;
}

/** What the inspect step reported about one host. */
export interface HostFacts {
  user: string;
  /** Nothing was ever deployed here: the deploy path does not exist. */
  absent: boolean;
  /** The live release's name, when `current` points into `releases/`. */
  live?: string;
  /** The raw `current` link target ('' when there is none). */
  liveTarget: string;
  releases: ReleaseDir[];
  dirs: string[];
  history: HistoryEntry[];
  httpUser?: string;
  /** Releases other runs created and have not finished (from their pending records). */
  partial: Set<string>;
  /**
   * The live release's manifest: entries, `corrupt` (present but unreadable: ship everything), `kept` (present, not
   * sent, because a base was offered instead; recyclable in deploy.ts asks for it when needed), or undefined (no
   * live release, or one deployed before manifests existed).
   */
  liveManifest?: StoredManifest | 'corrupt' | 'kept';
  /**
   * The oldest release, offered by inspect as a delta base, with its stored manifest (gzipped) when it can be
   * recycled (it has one, and every file in it belongs to the deploy user).
   */
  baseOffer?: { name: string; manifestGz?: Buffer };
  /** Another run's lock, when one is held (reported by inspect without taking it, or by a refused lock). */
  lock?: Map<string, string[]>;
  /** Values the host reported that are not what they can be: ignored, to be reported (see reportInvalid). */
  invalid: InvalidValue[];
}

/** What a `current` target may be: a path of plain characters (`releases/NAME`, or absolute as Capistrano's). */
const LINK_TARGET = /^[A-Za-z0-9._/+@~-]{1,4096}$/;
/** A REVISION as a host may report it: a commit id or a tag-like word. */
const REVISION = /^[A-Za-z0-9._-]{1,64}$/;
/** A user name (POSIX portable, as useradd takes them; `_www` on macOS). */
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

/** Keys a step reports once: a second value is a forged marker (or a bug), never joined or chosen between. */
const SINGLE = ['user', 'absent', 'live', 'releases', 'history', 'http-user', 'partial', 'live-manifest', 'base-name', 'base-manifest', 'health', 'lock-info', 'lock-alive', 'lock-since'];

/**
 * The values of a phase's result, each checked to be reported at most once (`one` gives '' for a key reported
 * twice, and notes it as invalid).
 */
export function singleValues(result: Pick<PhaseResult, 'data'>, invalid: InvalidValue[]): (key: string) => string {
  const twice = new Set(SINGLE.filter((k) => (result.data.get(k)?.length ?? 0) > 1));
  for (const k of twice) invalid.push({ what: `the value "${k}", reported ${result.data.get(k)!.length} times (a forged report?)`, value: result.data.get(k)!.join('\n') });
  return (key) => (twice.has(key) ? '' : (result.data.get(key)?.[0] ?? ''));
}

/**
 * What inspect reported, every value checked against what it can be: release names (directories, history, pending
 * records, the offered base, the live one) match the release-name rule, `current` is a plain path, REVISION a
 * commit-like word, users user names, and each key came once. Anything else is left out and listed in `invalid`.
 */
export function hostFacts(result: PhaseResult): HostFacts {
  const invalid: InvalidValue[] = [];
  const one = singleValues(result, invalid);
  const name = (value: string, what: string): string | undefined => {
    if (isReleaseName(value)) return value;
    invalid.push({ what: `${what} that is not a valid release name`, value });
    return undefined;
  };
  let liveTarget = one('live');
  if (liveTarget && !LINK_TARGET.test(liveTarget)) {
    invalid.push({ what: 'a target of current that is not a plain path', value: liveTarget });
    liveTarget = '';
  }
  const live = liveTarget ? releaseOfLink(liveTarget) : undefined;
  if (liveTarget && !live && /(?:^|\/)releases\/[^/]+\/?$/.test(liveTarget)) name(liveTarget.replace(/^.*releases\//, '').replace(/\/$/, ''), 'a live release');
  // The releases blob: `mtime<TAB>releases/NAME/` entries (one stat), then `rev<TAB>releases/NAME/<TAB>REVISION`.
  const mtimes = new Map<string, number>();
  const revisions = new Map<string, string>();
  const nameOf = (path: string) => path.replace(/^releases\//, '').replace(/\/$/, '');
  for (const entry of one('releases').split('\0').filter(Boolean)) {
    const fields = entry.split('\t');
    if (fields[0] === 'rev') revisions.set(nameOf(fields[1] ?? ''), fields[2] ?? '');
    else mtimes.set(nameOf(fields[1] ?? ''), Number(fields[0]) || 0);
  }
  const releases: ReleaseDir[] = [];
  for (const [dir, mtime] of mtimes) {
    if (!name(dir, 'a release directory')) continue;
    let revision = revisions.get(dir) ?? '';
    if (revision && !REVISION.test(revision)) {
      invalid.push({ what: `the REVISION of release ${dir}, which is not a commit id`, value: revision });
      revision = '';
    }
    releases.push({ name: dir, mtime: Number.isFinite(mtime) && mtime > 0 ? mtime : 0, revision });
  }
  const user = (key: string) => {
    const value = one(key);
    if (!value || USER.test(value)) return value;
    invalid.push({ what: `a user name (${key}) that is not one`, value });
    return '';
  };
  const partial = new Set<string>();
  for (const p of one('partial').split('\n').filter(Boolean)) if (name(p, 'a release of a pending record')) partial.add(p);
  const baseName = one('base-name') ? name(one('base-name'), 'the release offered as a delta base') : undefined;
  // Blobs as bytes, under the same rule: a blob sent twice is neither.
  const blob = (key: string) => (result.bytes.get(key)?.length === 1 ? result.bytes.get(key)![0] : undefined);
  return {
    user: user('user'),
    absent: one('absent') === 'yes',
    live,
    liveTarget,
    releases,
    dirs: releases.map((r) => r.name),
    history: parseHistory(one('history'), (v) => invalid.push(v)),
    httpUser: user('http-user') || undefined,
    partial,
    liveManifest: one('live-manifest') === 'kept' ? 'kept' : manifestOf(blob('live-manifest')),
    baseOffer: baseName ? { name: baseName, manifestGz: blob('base-manifest') } : undefined,
    lock: result.data.has('lock-info') ? result.data : undefined,
    invalid,
  };
}

/** How an invalid value is shown in the log: as a JSON string (escapes shown), cut to 120 characters. */
export function shownInvalid(value: string): string {
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 119)}…` : json;
}

/**
 * Reports a host's invalid values: a warning in the log that shows each value escaped, and one in the summary that
 * does not show it (a summary renders Markdown). Both say it was ignored. At most 5 per host, then a count.
 */
export function reportInvalid(ctx: Pick<CommandContext, 'log' | 'report'>, host: string, invalid: InvalidValue[]): void {
  const shown = invalid.slice(0, 5);
  for (const v of shown) {
    ctx.log.warning(`${host}: the host reported ${v.what}: ${shownInvalid(v.value)}; it was ignored`);
    ctx.report.warnings.push(`${host}: the host reported ${v.what} (shown in the log); it was ignored`);
  }
  if (invalid.length > shown.length) {
    const more = `${host}: the host reported ${invalid.length - shown.length} more invalid values; they were ignored`;
    ctx.log.warning(more);
    ctx.report.warnings.push(more);
  }
}

export function manifestOf(gz: Buffer | undefined): StoredManifest | 'corrupt' | undefined {
  return gz ? (readStoredManifest(gz) ?? 'corrupt') : undefined;
}

/** A lock's record as the host reported it: who took it, when, and whether its session still runs. */
export interface LockHolder {
  info: Record<string, unknown>;
  /** The record could not be read as a JSON object. */
  unreadable: boolean;
  /** No record at all (the lock is being taken right now, or was left half-written). */
  empty: boolean;
  alive: boolean;
  since?: string;
  /** Fields of the record left out of `info`: not plain text (control characters, too long), or a run_url not https. */
  invalid: InvalidValue[];
}

/** A lock's record, each field checked: plain text (capped, no control characters); `run_url` an https URL. */
export function lockHolder(data: Map<string, string[]> | undefined): LockHolder {
  const invalid: InvalidValue[] = [];
  const one = singleValues({ data: data ?? new Map() }, invalid);
  const raw = one('lock-info');
  const info: Record<string, unknown> = {};
  let readable = false;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      readable = true;
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (v === undefined || v === null || v === '') continue;
        const ok = k === 'run_url' ? httpsUrl(v) : plainText(v);
        if (ok !== undefined && plainText(k, 40) !== undefined) info[k] = ok;
        else invalid.push({ what: `a field of the lock record (${shownInvalid(k)})`, value: typeof v === 'string' ? v : JSON.stringify(v) ?? '' });
      }
    }
  } catch {
    /* unreadable: said by the callers */
  }
  const recorded = one('lock-since');
  const since = (info['started_at'] as string | undefined) || (/^[0-9TZ:.+-]{1,40}$/.test(recorded) ? recorded : undefined);
  return { info, unreadable: raw !== '' && !readable, empty: raw === '', alive: one('lock-alive') === 'yes', since, invalid };
}

/** `acme/shop run 99 (attempt 2) by mona`, `a CLI run on laptop by alice`, or '' when the record says nothing. */
export function holderName(h: LockHolder): string {
  const i = h.info;
  const str = (k: string) => (i[k] === undefined || i[k] === null || i[k] === '' ? '' : String(i[k]));
  const run = str('run_id')
    ? `${str('repository') ? `${str('repository')} ` : ''}run ${str('run_id')}${str('run_attempt') ? ` (attempt ${str('run_attempt')})` : ''}`
    : str('runner')
      ? `a CLI run on ${str('runner')}`
      : '';
  const actor = str('actor');
  return run && actor ? `${run} by ${actor}` : run || actor;
}

/** Says who holds a foreign lock and how to clear it, from what the lock step reported. */
export function describeHeldLock(data: Map<string, string[]> | undefined, environment: string): string {
  const h = lockHolder(data);
  const who = holderName(h);
  const lines = [
    `the deploy lock is held${who ? ` by ${who}` : h.empty ? ' (its owner record is empty: it is being taken right now, or was left half-written)' : ''}` +
      `${h.since ? `, since ${h.since}` : ''}.`,
  ];
  if (h.unreadable) lines.push('Its owner record (.deploy/lock/info.json) is unreadable.');
  if (h.invalid.length) lines.push(`Fields of its owner record that are not plain text are not shown (${h.invalid.map((v) => v.what).join(', ')}).`);
  if (h.info['run_url']) lines.push(`Run: ${String(h.info['run_url'])}`);
  lines.push(
    h.alive
      ? 'Its session is still running on the host: wait for that deploy to finish.'
      : 'Its session is no longer running on the host: that run ended without releasing the lock.',
    `To clear it after checking, run this action with \`command: unlock\` (CLI: \`deploy-action unlock ${environment}\`).`,
  );
  return lines.join(' ');
}

/**
 * The verdict of a command health check as its step reports it (`ok attempt N`, `fail after N attempts`); anything
 * else (or nothing, or two verdicts) is a failure, and a value that is not a verdict is listed in `invalid`.
 */
export function healthVerdict(result: Pick<PhaseResult, 'data'> | undefined): { verdict: string; invalid: InvalidValue[] } {
  const invalid: InvalidValue[] = [];
  const raw = result ? singleValues(result, invalid)('health') : '';
  if (/^(ok attempt \d{1,6}|fail after \d{1,6} attempts)$/.test(raw)) return { verdict: raw, invalid };
  if (raw) invalid.push({ what: 'a health check verdict that is not one', value: raw });
  return { verdict: 'fail (no valid verdict)', invalid };
}
