import type { Step } from '../phase.js';
import { words } from '../quote.js';

/**
 * deploy:cleanup: removes the releases the runner chose (see retention), re-checking on the host that none of
 * them is live. They leave `releases/` at once (renamed into `.deploy/trash/`); deleting their files, which
 * can take seconds for a big app, goes on in the background after the session, so the deploy does not wait for
 * it. Trash an earlier cleanup could not delete (files of another user, say) is a warning, and is tried again.
 */
export function cleanup(remove: string[]): Step {
  return {
    id: 'cleanup',
    label: 'cleanup',
    body: `stale=
[ ! -d .deploy/trash ] || stale=$(find .deploy/trash -mindepth 1 -maxdepth 1 -mmin +10 -printf '%f ' 2>/dev/null || true)
[ -z "$stale" ] || da_data warning "earlier cleanups could not delete .deploy/trash/{ $stale} (files of another user?): remove them by hand"
${
  remove.length === 0
    ? 'echo "nothing to clean up"'
    : `trash=".deploy/trash/$DA_OWNER"
# Nothing is moved or deleted through a link planted in .deploy/ (the links themselves go).
[ ! -L .deploy/trash ] || rm -f .deploy/trash
removed=0
manifests=()
for name in ${words(remove)}; do
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
elif [ "\${#manifests[@]}" -gt 0 ]; then
  rm -f -- "\${manifests[@]}"
fi
if [ "$removed" -gt 0 ]; then echo "removed $removed old releases"; else echo "nothing left to clean up"; fi`
}
# Simple commands, so no shell stays behind holding the session's output open (the session would not end).
if [ -d .deploy/trash ]; then
  if command -v setsid > /dev/null; then setsid rm -rf -- .deploy/trash < /dev/null > /dev/null 2>&1 &
  else rm -rf -- .deploy/trash < /dev/null > /dev/null 2>&1 &
  fi
fi`,
  };
}
