# The path check's functions (see contain.ts), defined in the body of the check step, so they travel only with the
# stage phase.
# shellcheck shell=bash
da_leaves() {
  # $1: a link's path below its root, $2: its target. Status 0 when the target leads out of the root (by its text).
  local depth=0 rest=$1 seg
  case $2 in /*) return 0 ;; esac
  while [ "$rest" != "${rest#*/}" ]; do depth=$((depth + 1)); rest=${rest#*/}; done
  rest=$2/
  while [ -n "$rest" ]; do
    seg=${rest%%/*}; rest=${rest#*/}
    case $seg in ''|.) ;; ..) depth=$((depth - 1)); [ "$depth" -ge 0 ] || return 0 ;; *) depth=$((depth + 1)) ;; esac
  done
  return 1
}
da_refuse() {
  # $1 key, $2 path, $3 root, $4 the link below the root, $5 why (optional)
  local target shown=$4 where='the release' why=${5:-}
  if [ "$3" = shared ]; then shown=shared/$4; where=shared/; fi
  target=$(readlink -- "$3/$4" 2>/dev/null) || target='?'
  if [ -z "$why" ]; then
    if da_leaves "$4" "$target"; then why=", outside $where"
    else why=" (inside $where, but a symlink in the middle of a path is never followed: name the real path)"; fi
  fi
  echo "error: $1: $2: $shown is a symlink to $target$why" >&2
}
da_resolves_inside() {
  # ROOT/PATH resolves (physically; cd is a builtin) to a directory inside the release or shared/: status 0; to one
  # elsewhere: 1; to no directory: 2.
  local real rel='' sh=''
  cd -P -- "$DA_DEPLOY_PATH/$1" 2>/dev/null || { cd -- "$DA_DEPLOY_PATH" || true; return 2; }
  real=$PWD/
  if cd -P -- "$DA_DEPLOY_PATH/releases/$DA_RELEASE" 2>/dev/null; then rel=$PWD/; fi
  if cd -P -- "$DA_DEPLOY_PATH/shared" 2>/dev/null; then sh=$PWD/; fi
  # Back where the step started (a failure there is no answer: not inside).
  cd -- "$DA_DEPLOY_PATH" || return 1
  if [ -n "$rel" ]; then case $real in "$rel"*) return 0 ;; esac; fi
  if [ -n "$sh" ]; then case $real in "$sh"*) return 0 ;; esac; fi
  return 1
}
da_contain() {
  if ! da_parents_real "$2" "$3"; then da_refuse "$1" "$3" "$2" "$DA_LINK"; return 1; fi
  [ -L "$2/$3" ] || return 0
  case $4 in
    any) return 0 ;;
    real) da_refuse "$1" "$3" "$2" "$3" "; deploy-action never writes through a link in shared/: make it a real $([ "$1" = shared_files ] && echo file || echo directory) there"; return 1 ;;
    seeded) da_refuse "$1" "$3" "$2" "$3" "; shared/ is seeded from this release, where the link would lead elsewhere: ship a real directory there"; return 1 ;;
    inside)
      local rc=0
      da_resolves_inside "$2/$3" || rc=$?
      case $rc in
        0) ;;
        1) da_refuse "$1" "$3" "$2" "$3" ", outside the release and shared/"; return 1 ;;
        *) da_refuse "$1" "$3" "$2" "$3" ", which is not a directory"; return 1 ;;
      esac ;;
  esac
}
