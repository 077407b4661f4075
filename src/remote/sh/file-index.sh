# shellcheck shell=bash
# The file index of a release (.deploy/manifests/NAME.idx): every regular file's stat signature (inode, size,
# mtime, ctime; changed by any write, and ctime cannot be set back) with its content hash, so a later verify hashes
# only files whose signature changed. The clock that stamps ctimes is coarse: files changed less than 10 ms before
# the listing began are left out (hashed next time), as a later write in the same tick would keep their signature.
DA_FILE_SIG='%i %s %T@ %C@\t%P\0'
da_list_files() { find . -mindepth 1 "$@" -type f -printf "$DA_FILE_SIG"; }
da_mark_time() { : > "$1" && find "$1" -printf '%C@'; }
da_index_write() {
  # $1: listing (da_list_files) of releases/$3, $2: da_mark_time from just before it
  gzip -dc ".deploy/manifests/$3.gz" > "$1.manifest" &&
  awk -v mark="$2" -v manifest="$1.manifest" 'BEGIN { RS = ORS = "\0" }
    FILENAME == manifest { if (substr($0, 1, 1) == "f") hash[substr($0, 41)] = substr($0, 8, 32); next }
    { t = index($0, "\t"); sig = substr($0, 1, t - 1); p = substr($0, t + 1); split(sig, s, " ")
      if ((p in hash) && s[4] + 0 < mark - 0.01) print sig "\t" hash[p] "\t" p }' "$1.manifest" "$1" > ".deploy/manifests/$3.idx.tmp" &&
  mv -f -- ".deploy/manifests/$3.idx.tmp" ".deploy/manifests/$3.idx"
  rm -f -- "$1.manifest"
}
