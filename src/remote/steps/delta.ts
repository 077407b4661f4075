import { STOP, type Step } from '../phase.js';
import { q } from '../quote.js';
import { pruneArgs } from './prune.js';
import { receivePayload } from './upload.js';

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
 * retyped, then the changed entries are unpacked.
 */
export function delta(o: DeltaOptions): Step {
  const prune = pruneArgs(o.skip);
  const start =
    o.base === 'copy'
      ? 'cp -a --reflink=auto -- "$base/." "$new/"'
      : `! [ current -ef "$base" ] || { echo "error: releases/$DA_BASE is live" >&2; exit 1; }
mv -T -- "$base" "$new" # onto the empty directory the release step made: rename(2) replaces it
echo "reusing releases/$DA_BASE, which cleanup would remove"`;
  return {
    id: 'upload',
    label: 'upload (delta)',
    body: `new="releases/$DA_RELEASE"; base="releases/$DA_BASE"
[ -d "$base" ] && [ -f ".deploy/manifests/$DA_BASE.gz" ] || { echo "error: the base release or its manifest is gone" >&2; exit 1; }
${start}
tmp=".deploy/tmp.$DA_OWNER"; mkdir -p -- "$tmp"
# What the base has that its manifest does not (written by hooks or by hand after its deploy) goes first.
(cd -- "$new" && find . -mindepth 1 ${prune} -printf '%P\\0') > "$tmp/actual"
gzip -dc ".deploy/manifests/$DA_BASE.gz" > "$tmp/known"
awk -v known="$tmp/known" 'BEGIN { RS = ORS = "\\0" }
  FILENAME == known { p = $0; for (i = 0; i < 3; i++) p = substr(p, index(p, "\\t") + 1); listed[p] = 1; next }
  !($0 in listed)' "$tmp/known" "$tmp/actual" | (cd -- "$new" && xargs -0r rm -rf --)
${o.removeB64 ? `printf '%s' ${q(o.removeB64)} | base64 -d | (cd -- "$new" && xargs -0r rm -rf --)\n` : ''}rm -rf -- "$tmp"
${receivePayload('"$new"')}
printf '%s\\n' ${q(o.revision)} > "$new/REVISION"
echo "sent ${o.files.sent} changed entries, ${o.files.unchanged} files unchanged"`,
  };
}

/** Offers `DA_BASE` for recycling (`da_offer_base`), unless it is the live release. */
export function baseManifest(): Step {
  return {
    id: 'base',
    label: 'base manifest',
    body: `! [ current -ef "releases/$DA_BASE" ] || exit 0
da_offer_base "$DA_BASE"`,
  };
}

/** An extended regex matching manifest records (`type<TAB>hash<TAB>path`) of the given paths and what is below. */
function skipRegex(paths: readonly string[]): string {
  const escaped = paths.map((p) => p.replace(/[.[\]\\()*+?{}|^$]/g, '\\$&'));
  return `^[fdl]\t[^\t]*\t(${escaped.join('|')})(/|$)`;
}

/**
 * Checks the staged release against the build's manifest before anything can go live: every entry's type, every
 * file's content hash, every link's target (modes are the writable step's business). Files the base release's
 * index vouches for (same inode, size, mtime and ctime as when their hash was known) are not read again; every
 * other file is hashed. A mismatch (a file of the live release changed on the server, say) stops the phase so the
 * runner can send everything instead. A verified release gets its own index, for the deploy that builds on it.
 */
export function verify(opts: { skip: string[]; digest: string }): Step {
  const prune = pruneArgs(opts.skip);
  const skip = opts.skip.length ? `grep -zvE ${q(skipRegex(opts.skip))}` : 'cat';
  return {
    id: 'verify',
    label: 'verify',
    body: `tmp="$PWD/.deploy/tmp.$DA_OWNER"; mkdir -p -- "$tmp"; : > "$tmp/todo"
index="$PWD/.deploy/manifests/$DA_BASE.idx"; [ -f "$index" ] || index=/dev/null
mark=$(da_mark_time "$tmp/mark")
(
  cd -- "releases/$DA_RELEASE"
  # One walk: files (with their signatures) to a listing for the index, directories and links as records.
  find . -mindepth 1 ${prune} \\( -type f -fprintf "$tmp/files" "$DA_FILE_SIG" \\) -o \\( -type d -printf 'd\\t-\\t%P\\0' \\) -o \\( -type l -printf 'l\\t%l\\t%P\\0' \\)
  da_index_read "$index" "$tmp/files" "$tmp/todo"
  xargs -0r sha256sum -z < "$tmp/todo" | sed -z 's/^\\([0-9a-f]\\{32\\}\\)[0-9a-f]\\{32\\}  \\.\\//f\\t\\1\\t/'
) | sort -z > "$tmp/actual"
actual=$(sha256sum < "$tmp/actual")
if [ "\${actual%% *}" != ${q(opts.digest)} ]; then
  echo "the staged release does not match the build (a file of the live release was changed on this host?): sending everything instead"
  gzip -dc ".deploy/manifests/$DA_RELEASE.gz" | sed -z 's/^\\([fdl]\\)\\t[^\\t]*\\t/\\1\\t/' | ${skip} | sort -z > "$tmp/expected" || true
  echo "first differences (- built, + on this host):"
  comm -z -3 "$tmp/expected" "$tmp/actual" | head -z -n 10 | tr '\\0' '\\n' | sed 's/^\\t/+ /; /^+ /!s/^/- /'
  rm -rf -- "$tmp"
  da_data verify mismatch
  exit ${STOP}
fi
da_index_write "$tmp/files" "$mark" "$DA_RELEASE"
read -r hashed < "$tmp/todo.count"
rm -rf -- "$tmp"
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

