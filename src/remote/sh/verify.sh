# verify (see steps/delta.ts). Set before this text: DA_V_SKIP (a regex of the paths left out, or empty), prune (find
# arguments that leave them out), compare (verify.awk). 99 is STOP (phase.ts).
# shellcheck shell=bash
# shellcheck disable=SC2154
tmp="$PWD/$DA_TMP"; da_dir "$tmp"
export DA_V_MANIFEST="$tmp/manifest" DA_V_TODO="$tmp/todo" DA_V_COUNTS="$tmp/counts" DA_V_SKIP
export DA_V_INDEX="$PWD/.deploy/manifests/$DA_BASE.idx" DA_V_NEW_INDEX="$PWD/.deploy/manifests/$DA_RELEASE.idx.tmp"
[ -f "$DA_V_INDEX" ] || DA_V_INDEX=/dev/null
gzip -dc ".deploy/manifests/$DA_RELEASE.gz" > "$DA_V_MANIFEST"
: > "$DA_V_NEW_INDEX"; : > "$tmp/mark"
# One walk: the mark file first (its ctime starts the index's racy window), then every entry of the release. It
# streams into the comparison, which reads the manifest and the index meanwhile (a failed walk is a difference too).
rc=0
(cd -- "releases/$DA_RELEASE" && find "$tmp/mark" . ${prune[@]+"${prune[@]}"} \( -type f -printf "f\t$DA_FILE_SIG" \) -o \( -type d -printf 'd\t-\t%P\0' \) -o \( -type l -printf 'l\t%l\t%P\0' \) |
  awk "$compare" "$DA_V_MANIFEST" "$DA_V_INDEX" -) > "$tmp/differences" || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "the staged release does not match the build (a file of the live release was changed on this host?): sending everything instead"
  echo "first differences:"
  cat -- "$tmp/differences"
  rm -rf -- "$tmp" "$DA_V_NEW_INDEX"
  da_data verify mismatch
  exit 99
fi
mv -f -- "$DA_V_NEW_INDEX" ".deploy/manifests/$DA_RELEASE.idx"
read -r hashed < "$DA_V_COUNTS"
files=files
[ "$hashed" != 1 ] || files="file"
echo "verified against the build's manifest ($hashed $files read, the others unchanged since releases/$DA_BASE was verified)"
