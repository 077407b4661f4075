/**
 * Shell functions that only some steps use, sent with the phases whose steps name them (Step.lib) instead of in
 * the session prelude: the first exec request, which carries the prelude and the first phase, must stay under
 * MAX_SESSION_COMMAND. A later phase that sends one again only redefines it.
 */

/** Receiving the payload (`da_chunks`: length-prefixed chunks, as src/artifact/follow.ts frames them) and unpacking it. */
export const TRANSFER_LIB = `da_chunks() {
  local n total=0
  # A runner that stops sending mid-upload must not hold the lock forever: no chunk within DA_IDLE ends it.
  while IFS= read -r -t "$DA_IDLE" n && [ "$n" -gt 0 ] 2>/dev/null; do
    timeout "$DA_IDLE" head -c "$n" || { echo "error: the upload stalled (nothing for $DA_IDLE s)" >&2; return 1; }
    total=$((total + n))
  done
  [ "$n" = 0 ] || { echo "error: the upload stopped before its end" >&2; return 1; }
  [ -z "\${1:-}" ] || echo "received $total bytes of $1" >&2
}
da_unpack() {
  if ! da_chunks archive | tar -xzf - -C "$1" --no-same-owner; then
    local avail
    avail=$(df -Pk -- "$1" 2>/dev/null | awk 'NR == 2 { print $4 }')
    if [ -n "$avail" ] && [ "$avail" -lt 1024 ]; then
      echo "error: No space left on device: $DA_DEPLOY_PATH has $avail KiB free" >&2
    else
      echo "error: unpacking the release failed (\${avail:-?} KiB free in $DA_DEPLOY_PATH)" >&2
    fi
    return 1
  fi
}
`;

/** Stat signatures of a release's files and the file index built from them (upload writes it, verify reads it). */
export const FILE_INDEX_LIB = `# The file index of a release (.deploy/manifests/NAME.idx): every regular file's stat signature (inode, size,
# mtime, ctime; changed by any write, and ctime cannot be set back) with its content hash, so a later verify hashes
# only files whose signature changed. The clock that stamps ctimes is coarse: files changed less than 10 ms before
# the listing began are left out (hashed next time), as a later write in the same tick would keep their signature.
DA_FILE_SIG='%i %s %T@ %C@\\t%P\\0'
da_list_files() { find . -mindepth 1 "$@" -type f -printf "$DA_FILE_SIG"; }
da_mark_time() { : > "$1" && find "$1" -printf '%C@'; }
da_index_write() {
  # $1: listing (da_list_files) of releases/$3, $2: da_mark_time from just before it
  gzip -dc ".deploy/manifests/$3.gz" > "$1.manifest" &&
  awk -v mark="$2" -v manifest="$1.manifest" 'BEGIN { RS = ORS = "\\0" }
    FILENAME == manifest { if (substr($0, 1, 1) == "f") hash[substr($0, 41)] = substr($0, 8, 32); next }
    { t = index($0, "\\t"); sig = substr($0, 1, t - 1); p = substr($0, t + 1); split(sig, s, " ")
      if ((p in hash) && s[4] + 0 < mark - 0.01) print sig "\\t" hash[p] "\\t" p }' "$1.manifest" "$1" > ".deploy/manifests/$3.idx.tmp" &&
  mv -f -- ".deploy/manifests/$3.idx.tmp" ".deploy/manifests/$3.idx"
  rm -f -- "$1.manifest"
}
`;
