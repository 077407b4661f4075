# deploy:cleanup (see steps/cleanup.ts): the releases to remove are the arguments ("$@", set before this text).
# shellcheck shell=bash
stale=
[ ! -d .deploy/trash ] || stale=$(find .deploy/trash -mindepth 1 -maxdepth 1 -mmin +10 -printf '%f ' 2>/dev/null || true)
[ -z "$stale" ] || da_data warning "earlier cleanups could not delete .deploy/trash/{ $stale} (files of another user?): remove them by hand"
if [ "$#" -eq 0 ]; then
  echo "nothing to clean up"
else
  trash=".deploy/trash/$DA_OWNER"
  # Nothing is moved or deleted through a link planted in .deploy/ (the links themselves go).
  [ ! -L .deploy/trash ] || rm -f .deploy/trash
  removed=0
  manifests=()
  for name in "$@"; do
    case $name in ''|.|..|*/*) continue ;; esac
    ! [ current -ef "releases/$name" ] || continue
    manifests+=(".deploy/manifests/$name.gz" ".deploy/manifests/$name.idx")
    if [ -e "releases/$name" ]; then
      da_dir "$trash"
      mv -- "releases/$name" "$trash/" && removed=$((removed + 1))
    fi
  done
  # One rm for every manifest; no trash (and no background delete) when nothing was moved (a recycled release).
  if [ -L .deploy/manifests ]; then
    da_data warning ".deploy/manifests is a symlink: the manifests of removed releases were left there; make it a directory"
  elif [ "${#manifests[@]}" -gt 0 ]; then
    rm -f -- "${manifests[@]}"
  fi
  if [ "$removed" -gt 0 ]; then echo "removed $removed old releases"; else echo "nothing left to clean up"; fi
fi
# Simple commands, so no shell stays behind holding the session's output open (the session would not end).
# stdin from /dev/null on purpose: the background rm holds nothing of the session's.
# shellcheck disable=SC2217
if [ -d .deploy/trash ]; then
  if command -v setsid > /dev/null; then setsid rm -rf -- .deploy/trash < /dev/null > /dev/null 2>&1 &
  else rm -rf -- .deploy/trash < /dev/null > /dev/null 2>&1 &
  fi
fi
