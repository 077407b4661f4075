import { readStoredManifest, type StoredManifest } from '../../artifact/manifest.js';
import { parseHistory, releaseOfLink, type HistoryEntry, type InvalidValue } from '../../releases/history.js';
import { isReleaseName } from '../../releases/name.js';
import { singleBlob, singleValues } from '../data.js';
import type { Step } from '../phase.js';
import type { PhaseResult } from '../session.js';
import { INSPECT_SH } from '../sh/index.js';
import { LOCK_INFO, LOCK_KEYS } from './lock.js';

/** How many history lines a host sends back; enough for retention and rollback decisions. */
export const HISTORY_TAIL = 1000;

/**
 * Reads what the runner needs to plan: the live release, the release directories (with their time and
 * REVISION), the recent history, the remote user, the lock's holder if any, and (when asked) the web server
 * user, as Deployer detects it. It changes nothing of the releases (an offer leaves this run's scratch file for the
 * walk after the phase, under the run's lock), and works where nothing was deployed yet (`absent`).
 */
export function inspect(opts: { detectHttpUser: boolean; offerBaseFrom?: number }): Step {
  return {
    id: 'inspect',
    brief: true,
    label: 'inspect',
    mayLackDeployPath: true,
    // offer_from: with `offerBaseFrom` (keep_releases), once that many releases exist, the oldest one (by name,
    // which is by time for generated names) is the one this deploy's cleanup would remove: its manifest comes along,
    // so a delta can start from it without another round trip (the runner checks that retention agrees; see
    // baseManifest). The live release's manifest (hundreds of KB for a big app) is then only reported as there.
    body: `offer_from=${opts.offerBaseFrom === undefined ? '' : Number(opts.offerBaseFrom)}\ndetect=${opts.detectHttpUser ? 'yes' : ''}\n${INSPECT_SH}`,
  };
}

/**
 * The keys inspect reports (a blob: `releases`, `history`, `partial`, `live-manifest`, `base-manifest`), each once.
 * `live-manifest` and `base-manifest` are sent by the prelude's da_live_manifest and da_offer_base, which inspect
 * (and the `base` phase) call.
 */
const USER_KEY = 'user';
const ABSENT = 'absent';
const LIVE = 'live';
const RELEASES = 'releases';
const HISTORY = 'history';
const HTTP_USER = 'http-user';
const PARTIAL = 'partial';
export const LIVE_MANIFEST = 'live-manifest';
const BASE_NAME = 'base-name';
export const BASE_MANIFEST = 'base-manifest';
export const INSPECT_KEYS = [
  USER_KEY,
  ABSENT,
  LIVE,
  RELEASES,
  HISTORY,
  HTTP_USER,
  PARTIAL,
  LIVE_MANIFEST,
  BASE_NAME,
  BASE_MANIFEST,
] as const;

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
   * sent, because a base was offered instead; recyclable in delta-choice.ts asks for it when needed), or undefined (no
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

/**
 * What inspect reported, every value checked against what it can be: release names (directories, history, pending
 * records, the offered base, the live one) match the release-name rule, `current` is a plain path, REVISION a
 * commit-like word, users user names, and each key came once. Anything else is left out and listed in `invalid`.
 */
export function readInspect(result: Pick<PhaseResult, 'data' | 'bytes'>): HostFacts {
  const invalid: InvalidValue[] = [];
  const one = singleValues(result, invalid, [...INSPECT_KEYS, ...LOCK_KEYS]);
  const name = (value: string, what: string): string | undefined => {
    if (isReleaseName(value)) return value;
    invalid.push({ what: `${what} that is not a valid release name`, value });
    return undefined;
  };
  let liveTarget = one(LIVE);
  if (liveTarget && !LINK_TARGET.test(liveTarget)) {
    invalid.push({ what: 'a target of current that is not a plain path', value: liveTarget });
    liveTarget = '';
  }
  const live = liveTarget ? releaseOfLink(liveTarget) : undefined;
  if (liveTarget && !live && /(?:^|\/)releases\/[^/]+\/?$/.test(liveTarget))
    name(liveTarget.replace(/^.*releases\//, '').replace(/\/$/, ''), 'a live release');
  // The releases blob: `mtime<TAB>releases/NAME/` entries (one stat), then `rev<TAB>releases/NAME/<TAB>REVISION`.
  const mtimes = new Map<string, number>();
  const revisions = new Map<string, string>();
  const nameOf = (path: string) => path.replace(/^releases\//, '').replace(/\/$/, '');
  for (const entry of one(RELEASES).split('\0').filter(Boolean)) {
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
  for (const p of one(PARTIAL).split('\n').filter(Boolean))
    if (name(p, 'a release of a pending record')) partial.add(p);
  const baseName = one(BASE_NAME) ? name(one(BASE_NAME), 'the release offered as a delta base') : undefined;
  // Blobs as bytes, under the same rule: a blob sent twice is neither.
  const blob = (key: string) => singleBlob(result, key);
  return {
    user: user(USER_KEY),
    absent: one(ABSENT) === 'yes',
    live,
    liveTarget,
    releases,
    dirs: releases.map((r) => r.name),
    history: parseHistory(one(HISTORY), (v) => invalid.push(v)),
    httpUser: user(HTTP_USER) || undefined,
    partial,
    liveManifest: one(LIVE_MANIFEST) === 'kept' ? 'kept' : manifestOf(blob(LIVE_MANIFEST)),
    baseOffer: baseName ? { name: baseName, manifestGz: blob(BASE_MANIFEST) } : undefined,
    lock: result.data.has(LOCK_INFO) ? result.data : undefined,
    invalid,
  };
}

/** The live release's manifest as a host sent it (unreadable: `corrupt`, ship everything). */
export function manifestOf(gz: Buffer | undefined): StoredManifest | 'corrupt' | undefined {
  return gz ? (readStoredManifest(gz) ?? 'corrupt') : undefined;
}
