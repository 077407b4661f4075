import { readStoredManifest, type StoredManifest } from '../build/manifest.js';
import { parseHistory, releaseOfLink, type HistoryEntry } from '../releases/history.js';
import type { PhaseResult } from '../remote/session.js';

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
}

export function hostFacts(result: PhaseResult): HostFacts {
  const one = (key: string) => result.data.get(key)?.[0] ?? '';
  const liveTarget = one('live');
  // The releases blob: `mtime<TAB>releases/NAME/` entries (one stat), then `rev<TAB>releases/NAME/<TAB>REVISION`.
  const mtimes = new Map<string, number>();
  const revisions = new Map<string, string>();
  const nameOf = (path: string) => path.replace(/^releases\//, '').replace(/\/$/, '');
  for (const entry of one('releases').split('\0').filter(Boolean)) {
    const fields = entry.split('\t');
    if (fields[0] === 'rev') revisions.set(nameOf(fields[1] ?? ''), fields[2] ?? '');
    else mtimes.set(nameOf(fields[1] ?? ''), Number(fields[0]) || 0);
  }
  const releases = [...mtimes].map(([name, mtime]) => ({ name, mtime, revision: revisions.get(name) ?? '' }));
  return {
    user: one('user'),
    absent: one('absent') === 'yes',
    live: liveTarget ? releaseOfLink(liveTarget) : undefined,
    liveTarget,
    releases,
    dirs: releases.map((r) => r.name),
    history: parseHistory(one('history')),
    httpUser: one('http-user') || undefined,
    partial: new Set(one('partial').split('\n').filter(Boolean)),
    liveManifest: one('live-manifest') === 'kept' ? 'kept' : manifestOf(result.bytes.get('live-manifest')?.[0]),
    baseOffer: one('base-name') ? { name: one('base-name'), manifestGz: result.bytes.get('base-manifest')?.[0] } : undefined,
    lock: result.data.has('lock-info') ? result.data : undefined,
  };
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
}

export function lockHolder(data: Map<string, string[]> | undefined): LockHolder {
  const raw = data?.get('lock-info')?.[0] ?? '';
  let info: Record<string, unknown> = {};
  let readable = false;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object') {
      info = parsed as Record<string, unknown>;
      readable = true;
    }
  } catch {
    /* unreadable: said by the callers */
  }
  const since = String(info['started_at'] ?? '') || data?.get('lock-since')?.[0] || undefined;
  return { info, unreadable: raw !== '' && !readable, empty: raw === '', alive: data?.get('lock-alive')?.[0] === 'yes', since };
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
  if (h.info['run_url']) lines.push(`Run: ${String(h.info['run_url'])}`);
  lines.push(
    h.alive
      ? 'Its session is still running on the host: wait for that deploy to finish.'
      : 'Its session is no longer running on the host: that run ended without releasing the lock.',
    `To clear it after checking, run this action with \`command: unlock\` (CLI: \`deploy-action unlock ${environment}\`).`,
  );
  return lines.join(' ');
}
