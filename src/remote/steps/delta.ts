import { PRUNE_FUNCTION } from '../contain.js';
import type { Step } from '../phase.js';
import { FILE_INDEX_LIB, TRANSFER_LIB } from '../libs.js';
import { q } from '../quote.js';
import type { PhaseResult } from '../session.js';
import { DELTA_SH, VERIFY_AWK, VERIFY_SH } from '../sh/index.js';
import { pruneArgs } from './prune.js';

export interface DeltaOptions {
  /** Paths the deploy replaces anyway (shared and cleared entries): not copied over, not checked. */
  skip: string[];
  /** NUL-separated paths to delete from the base first, base64. */
  removeB64: string;
  revision: string;
  files: { sent: number; unchanged: number };
  /**
   * `copy`: the new release starts as a real copy of `DA_BASE` (the live release). `recycle`: `DA_BASE` is a release
   * this deploy's cleanup would remove anyway; it is renamed into place, so nothing is copied.
   */
  base: 'copy' | 'recycle';
}

/**
 * deploy:update_code, delta: the new release starts from a base release (a real copy of the live one, reflinks
 * where the filesystem has them, never hard links; or the release cleanup would remove, renamed). What was added
 * to the base since its deploy is removed (it is not in the base's manifest), then what the build dropped or
 * retyped, then the changed entries are unpacked. The run's scratch directory stays for `verify`, which always
 * follows, and goes at unlock (or in the abort path).
 */
export function delta(o: DeltaOptions): Step {
  const vars = [
    `mode=${o.base}`,
    `prune=(${pruneArgs(o.skip)})`,
    `skip=${q(o.skip.length ? underRegex(o.skip) : '')}`,
    `remove=${q(o.removeB64)}`,
    `revision=${q(o.revision)}`,
    `sent=${o.files.sent} unchanged=${o.files.unchanged}`,
  ];
  return {
    id: 'upload',
    label: 'upload (delta)',
    brief: true,
    lib: [TRANSFER_LIB],
    body: `${vars.join('\n')}\n${PRUNE_FUNCTION}\n${DELTA_SH}`,
  };
}

/**
 * Offers `DA_BASE` for recycling (`da_offer_base`), unless it is the live release. With `live`, the live release's
 * manifest comes too (for a copy of the live release when the base cannot be used).
 */
export function baseManifest(opts: { live: boolean }): Step {
  return {
    id: 'base',
    brief: true,
    label: 'base manifest',
    body: `${opts.live ? 'da_live_manifest "$(readlink current 2>/dev/null || true)"\n' : ''}[ -n "$DA_BASE" ] && ! [ current -ef "releases/$DA_BASE" ] || exit 0
da_offer_base "$DA_BASE" || true`,
  };
}

/** An extended regex matching the given paths and what is below them. */
function underRegex(paths: readonly string[]): string {
  const escaped = paths.map((p) => p.replace(/[.[\]\\()*+?{}|^$]/g, '\\$&'));
  return `^(${escaped.join('|')})(/|$)`;
}

/**
 * Checks the staged release against the build's manifest before anything can go live: every entry's type, every
 * file's content hash, every link's target (modes are the writable step's business), nothing more and nothing
 * less. Files the base release's index vouches for (same inode, size, mtime and ctime as when their hash was known)
 * are not read again; every other file is hashed. A difference (a file of the live release changed on the server,
 * say) stops the phase so the runner can send everything instead. A verified release gets its own index, for the
 * deploy that builds on it; files changed less than 10 ms before the walk began are left out of it (see
 * da_index_write).
 */
export function verify(opts: { skip: string[] }): Step {
  return {
    id: 'verify',
    brief: true,
    label: 'verify',
    lib: [FILE_INDEX_LIB],
    body: `DA_V_SKIP=${q(opts.skip.length ? underRegex(opts.skip) : '')}
prune=(${pruneArgs(opts.skip)})
compare=${q(VERIFY_AWK)}
${VERIFY_SH}`,
  };
}

/** Empties the staged release for a full upload after a delta did not verify. */
export function resetRelease(): Step {
  return {
    id: 'reset',
    brief: true,
    label: 'reset',
    body: `find "releases/$DA_RELEASE" -mindepth 1 -delete
rm -f -- ".deploy/manifests/$DA_RELEASE.gz" ".deploy/manifests/$DA_RELEASE.idx"`,
  };
}

/** What delta reports when it refused its base (`foreign`: entries of another user), and verify on a mismatch. */
export const DELTA_BASE = 'base';
export const VERIFY = 'verify';

/** Did the delta refuse to recycle its base because the base holds entries of another user? */
export function foreignBase(result: Pick<PhaseResult, 'data'>): boolean {
  return result.data.get(DELTA_BASE)?.[0] === 'foreign';
}
