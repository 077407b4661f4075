import { PRUNE_FUNCTION } from '../contain.js';
import { STOP, type Step } from '../phase.js';
import { FILE_INDEX_LIB, TRANSFER_LIB } from '../libs.js';
import { q } from '../quote.js';
import { pruneArgs } from './prune.js';
import { receivePayload, skipPayload } from './upload.js';

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
  const prune = pruneArgs(o.skip);
  const start =
    o.base === 'copy'
      ? 'cp -a --reflink=auto -- "$base/." "$new/"'
      : `! [ current -ef "$base" ] || { echo "error: releases/$DA_BASE is live" >&2; exit 1; }
# The walk of the base (da_walk_base, when inspect offered it or after that phase) must have found only the deploy
# user's entries. Else everything is sent instead, and later deploys walk a release before they offer it.
listed="$DA_TMP/base.$DA_BASE"
if [ ! -f "$listed" ] || [ -s "$listed.foreign" ]; then
  echo "releases/$DA_BASE cannot be reused: it holds entries of another user or could not be walked ($(head -c 300 -- "$listed.foreign" 2>/dev/null | tr '\\n' ' ')): sending everything instead"
  [ -e .deploy/check-base-first ] || : > .deploy/check-base-first
  ${skipPayload()}
  da_data base foreign
  exit ${STOP}
fi
# Recorded first: a run that fails after the rename removes the base's manifests too (da_abort).
printf 'recycled %s\\n' "$DA_BASE" >> "$DA_PENDING"
mv -T -- "$base" "$new" # onto the empty directory the release step made: rename(2) replaces it
echo "reusing releases/$DA_BASE, which cleanup would remove"`;
  return {
    id: 'upload',
    label: 'upload (delta)',
    lib: [TRANSFER_LIB],
    body: `new="releases/$DA_RELEASE"; base="releases/$DA_BASE"
{ [ -d "$base" ] && [ -f ".deploy/manifests/$DA_BASE.gz" ]; } || { echo "error: the base release or its manifest is gone" >&2; exit 1; }
${start}
tmp=$DA_TMP; da_dir "$tmp"
# What the base has that its manifest does not (written by hooks or by hand after its deploy) goes first. A recycled
# base was listed by its walk (da_walk_base); paths the deploy replaces anyway are left alone.
actual="$tmp/base.$DA_BASE"
[ -f "$actual" ] || { actual="$tmp/actual"; (cd -- "$new" && find . -mindepth 1 ${prune} -printf '%P\\0') > "$actual"; }
gzip -dc ".deploy/manifests/$DA_BASE.gz" > "$tmp/known"
DA_SKIP=${q(o.skip.length ? underRegex(o.skip) : '')} awk -v known="$tmp/known" 'BEGIN { RS = ORS = "\\0"; skip = ENVIRON["DA_SKIP"] }
  FILENAME == known { p = $0; for (i = 0; i < 3; i++) p = substr(p, index(p, "\\t") + 1); listed[p] = 1; next }
  !($0 in listed) && (skip == "" || $0 !~ skip)' "$tmp/known" "$actual" > "$tmp/prune"
${o.removeB64 ? `printf '%s' ${q(o.removeB64)} | base64 -d >> "$tmp/prune"\n` : ''}# Never through a symlink (one planted in the live release, say): the link itself goes instead.
${PRUNE_FUNCTION}
da_prune "$new" < "$tmp/prune"
${receivePayload('"$new"')}
printf '%s\\n' ${q(o.revision)} > "$new/REVISION"
echo "sent ${o.files.sent} changed entries, ${o.files.unchanged} files unchanged"`,
  };
}

/**
 * Offers `DA_BASE` for recycling (`da_offer_base`), unless it is the live release. With `live`, the live release's
 * manifest comes too (for a copy of the live release when the base cannot be used).
 */
export function baseManifest(opts: { live: boolean }): Step {
  return {
    id: 'base',
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
 * Compares the staged release (a listing on stdin: `type<TAB>signature-or-target<TAB>path`, the mark file first)
 * with the build's manifest. Files the base's index vouches for are not read; the others are hashed in one pass.
 * Prints the first differences, writes the new index (files outside the racy window) and `read` to DA_V_COUNTS;
 * exits 3 on a difference.
 */
const COMPARE = `BEGIN { RS = ORS = "\\0"; M = ENVIRON["DA_V_MANIFEST"]; I = ENVIRON["DA_V_INDEX"]; skip = ENVIRON["DA_V_SKIP"] }
function differ(what, p) { if (++bad <= 10) printf "  %s: %s\\n", what, p }
function check(p, h) { if (h == substr(want[p], 3)) hashed[p] = h; else differ("content differs", p) }
FILENAME == M {
  t = substr($0, 1, 1); r = substr($0, 3); r = substr(r, index(r, "\\t") + 1); i = index(r, "\\t"); p = substr(r, i + 1)
  if (skip == "" || p !~ skip) want[p] = t "\\t" substr(r, 1, i - 1)
  next
}
FILENAME == I { i = index($0, "\\t"); r = substr($0, i + 1); j = index(r, "\\t"); known[substr(r, j + 1)] = substr($0, 1, i) substr(r, 1, j - 1); next }
{
  t = substr($0, 1, 1); r = substr($0, 3); i = index(r, "\\t"); v = substr(r, 1, i - 1); p = substr(r, i + 1)
  if (p == "") { if (t == "f") { split(v, s, " "); mark = s[4] - 0.01 } next }
  if (!(p in want)) { differ("not in the build", p); next }
  seen[p] = 1
  if (substr(want[p], 1, 1) != t) { differ("type differs", p); next }
  if (t == "l" && substr(want[p], 3) != v) differ("link target differs", p)
  if (t != "f") next
  sig[p] = v
  if ((p in known) && index(known[p], v "\\t") == 1) check(p, substr(known[p], length(v) + 2))
  else {
    print "./" p > ENVIRON["DA_V_TODO"]; todo[p] = 1; read++
    # A few files are named on sha256sum's own command line (no xargs); a name with a quote in it never is.
    if (index(p, "'") || length(args) > 30000) direct = "no"; else args = args " './" p "'"
  }
}
END {
  if (read) {
    close(ENVIRON["DA_V_TODO"])
    cmd = direct == "no" ? "xargs -0r sha256sum -z < \\"$DA_V_TODO\\"" : "exec sha256sum -z --" args
    while ((cmd | getline line) > 0) { p = substr(line, 69); delete todo[p]; check(p, substr(line, 1, 32)) }
    close(cmd)
    for (p in todo) differ("unreadable", p)
  }
  for (p in want) if (!(p in seen)) differ("missing", p)
  if (!bad) for (p in hashed) { split(sig[p], s, " "); if (s[4] + 0 < mark) print sig[p] "\\t" hashed[p] "\\t" p > ENVIRON["DA_V_NEW_INDEX"] }
  printf "%d\\n", read > ENVIRON["DA_V_COUNTS"]
  exit bad ? 3 : 0
}`;

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
    label: 'verify',
    lib: [FILE_INDEX_LIB],
    body: `tmp="$PWD/$DA_TMP"; da_dir "$tmp"
export DA_V_MANIFEST="$tmp/manifest" DA_V_TODO="$tmp/todo" DA_V_COUNTS="$tmp/counts" DA_V_SKIP=${q(opts.skip.length ? underRegex(opts.skip) : '')}
export DA_V_INDEX="$PWD/.deploy/manifests/$DA_BASE.idx" DA_V_NEW_INDEX="$PWD/.deploy/manifests/$DA_RELEASE.idx.tmp"
[ -f "$DA_V_INDEX" ] || DA_V_INDEX=/dev/null
gzip -dc ".deploy/manifests/$DA_RELEASE.gz" > "$DA_V_MANIFEST"
: > "$DA_V_NEW_INDEX"; : > "$tmp/mark"
# One walk: the mark file first (its ctime starts the index's racy window), then every entry of the release. It
# streams into the comparison, which reads the manifest and the index meanwhile (a failed walk is a difference too).
rc=0
(cd -- "releases/$DA_RELEASE" && find "$tmp/mark" . ${pruneArgs(opts.skip)} \\( -type f -printf "f\\t$DA_FILE_SIG" \\) -o \\( -type d -printf 'd\\t-\\t%P\\0' \\) -o \\( -type l -printf 'l\\t%l\\t%P\\0' \\) |
  awk ${q(COMPARE)} "$DA_V_MANIFEST" "$DA_V_INDEX" -) > "$tmp/differences" || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "the staged release does not match the build (a file of the live release was changed on this host?): sending everything instead"
  echo "first differences:"
  cat -- "$tmp/differences"
  rm -rf -- "$tmp" "$DA_V_NEW_INDEX"
  da_data verify mismatch
  exit ${STOP}
fi
mv -f -- "$DA_V_NEW_INDEX" ".deploy/manifests/$DA_RELEASE.idx"
read -r hashed < "$DA_V_COUNTS"
echo "verified against the build's manifest ($hashed files read, the others unchanged since releases/$DA_BASE was verified)"`,
  };
}

/** Empties the staged release for a full upload after a delta did not verify. */
export function resetRelease(): Step {
  return {
    id: 'reset',
    label: 'reset',
    body: `find "releases/$DA_RELEASE" -mindepth 1 -delete
rm -f -- ".deploy/manifests/$DA_RELEASE.gz" ".deploy/manifests/$DA_RELEASE.idx"`,
  };
}

