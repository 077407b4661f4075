# da_prune DIR < list (see PRUNE_FUNCTION in contain.ts).
# shellcheck shell=bash
da_prune() {
  local p ok='' n=0 list=()
  while IFS= read -r -d '' p; do
    case /$p/ in //|*//*|*/./*|*/../*) continue ;; esac
    # Siblings come together: a parent found real is not walked again.
    if [ "${p%/*}" != "$ok" ]; then
      ok=
      if da_parents_real "$1" "$p"; then
        case $p in */*) ok=${p%/*} ;; esac
      else
        echo "$1/$DA_LINK is a symlink (to $(readlink -- "$1/$DA_LINK" || true)): removed it, not $p through it"
        p=$DA_LINK
      fi
    fi
    list[n++]=$1/$p
    if [ "$n" -ge 1000 ]; then rm -rf -- "${list[@]}"; list=(); n=0; fi
  done
  [ "$n" -eq 0 ] || rm -rf -- "${list[@]}"
}
