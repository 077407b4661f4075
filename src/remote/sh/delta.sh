# deploy:update_code, delta (see steps/delta.ts). Set before this text: mode (copy: the release starts as a copy of
# releases/$DA_BASE; recycle: releases/$DA_BASE is renamed into place), prune (find arguments that leave out the
# paths the deploy replaces anyway), skip (a regex of them, or empty), remove (base64 of NUL-separated paths to
# delete from the base first, or empty), revision, sent and unchanged (counts for the message); da_prune defined.
# 99 is STOP (phase.ts).
# shellcheck shell=bash
# shellcheck disable=SC2154
new="releases/$DA_RELEASE"; base="releases/$DA_BASE"
{ [ -d "$base" ] && [ -f ".deploy/manifests/$DA_BASE.gz" ]; } || { echo "error: the base release or its manifest is gone" >&2; exit 1; }
if [ "$mode" = copy ]; then
  cp -a --reflink=auto -- "$base/." "$new/"
else
  ! [ current -ef "$base" ] || { echo "error: releases/$DA_BASE is live" >&2; exit 1; }
  # The walk of the base (da_walk_base, when inspect offered it or after that phase) must have found only the deploy
  # user's entries. Else everything is sent instead, and later deploys walk a release before they offer it.
  listed="$DA_TMP/base.$DA_BASE"
  if [ ! -f "$listed" ] || [ -s "$listed.foreign" ]; then
    echo "releases/$DA_BASE cannot be reused: it holds entries of another user or could not be walked ($(head -c 300 -- "$listed.foreign" 2>/dev/null | tr '\n' ' ')): sending everything instead"
    [ -e .deploy/check-base-first ] || : > .deploy/check-base-first
    # The payload is read and dropped (as skipPayload in steps/upload.ts): the session stays in step.
    da_chunks > /dev/null
    da_chunks > /dev/null
    da_data base foreign
    exit 99
  fi
  # Recorded first: a run that fails after the rename removes the base's manifests too (da_abort).
  printf 'recycled %s\n' "$DA_BASE" >> "$DA_PENDING"
  mv -T -- "$base" "$new" # onto the empty directory the release step made: rename(2) replaces it
  echo "reusing releases/$DA_BASE, which cleanup would remove"
fi
tmp=$DA_TMP; da_dir "$tmp"
# What the base has that its manifest does not (written by hooks or by hand after its deploy) goes first. A recycled
# base was listed by its walk (da_walk_base); paths the deploy replaces anyway are left alone.
actual="$tmp/base.$DA_BASE"
[ -f "$actual" ] || { actual="$tmp/actual"; (cd -- "$new" && find . -mindepth 1 ${prune[@]+"${prune[@]}"} -printf '%P\0') > "$actual"; }
gzip -dc ".deploy/manifests/$DA_BASE.gz" > "$tmp/known"
DA_SKIP=$skip awk -v known="$tmp/known" 'BEGIN { RS = ORS = "\0"; skip = ENVIRON["DA_SKIP"] }
  FILENAME == known { p = $0; for (i = 0; i < 3; i++) p = substr(p, index(p, "\t") + 1); listed[p] = 1; next }
  !($0 in listed) && (skip == "" || $0 !~ skip)' "$tmp/known" "$actual" > "$tmp/prune"
[ -z "$remove" ] || printf '%s' "$remove" | base64 -d >> "$tmp/prune"
# Never through a symlink (one planted in the live release, say): the link itself goes instead.
da_prune "$new" < "$tmp/prune"
# The payload (as receivePayload in steps/upload.ts).
da_unpack "$new"
da_chunks > ".deploy/manifests/$DA_RELEASE.gz"
printf '%s\n' "$revision" > "$new/REVISION"
entries=entries files=files
[ "$sent" != 1 ] || entries="entry"
[ "$unchanged" != 1 ] || files="file"
echo "sent $sent changed $entries, $unchanged $files unchanged"
