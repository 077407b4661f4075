# Containment helpers for the prelude (see contain.ts): no symlink in a path's parent components.
# shellcheck shell=bash
# DA_LINK is read by the callers (da_abort, da_prune, da_contain).
# shellcheck disable=SC2034
da_parents_real() {
  local rest=$2 prefix=
  DA_LINK=
  while [ "$rest" != "${rest#*/}" ]; do
    prefix=${prefix:+$prefix/}${rest%%/*}; rest=${rest#*/}
    if [ -L "$1/$prefix" ]; then DA_LINK=$prefix; return 1; fi
    [ -d "$1/$prefix" ] || return 0
  done
}
da_relpath_ok() { case /$1/ in //|*//*|*/./*|*/../*) return 1 ;; esac; }
