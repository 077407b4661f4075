# The abort path's part for the files step (see steps/files.ts): puts back each file of shared/ that this run
# changed, from the copy in its scratch dir, and removes each one it created. Called by da_abort (prelude.sh) in
# a session whose stage phase defined it, and sent with the abort request of a later session (phase.ts).
# shellcheck shell=bash
da_files_restore() {
  # $1: non-empty when the run lost its lock (another run may have written those files since: they are left).
  local line kind value n mode path
  [ -f "$DA_PENDING" ] || return 0
  while IFS= read -r line; do
    kind=${line%% *}; value=${line#* }
    case $kind in
      file-backup) n=${value%% *}; value=${value#* }; mode=${value%% *}; path=${value#* } ;;
      file-created) n=''; mode=''; path=$value ;;
      *) continue ;;
    esac
    if [ -n "$1" ]; then
      echo "left shared/$path as this run wrote it: it lost its lock and another run may use it by now"
      continue
    fi
    # A pending record is host data: a plain relative path, a number, an octal mode.
    case $n:$mode in *[!0-9:]*|[!:]*:|:?*) echo "ignored the pending line \"$line\""; continue ;; esac
    if ! da_relpath_ok "$path" || ! da_parents_real shared "$path" || [ -L "shared/$path" ]; then
      echo "left shared/$path: not a plain path in shared/ (a symlink is never followed)"
    elif [ -z "$n" ]; then
      rm -f -- "shared/$path" && echo "removed shared/$path, written by this run"
    elif [ -f "$DA_TMP/backup/$n" ] && chmod -- "$mode" "$DA_TMP/backup/$n" && mv -fT -- "$DA_TMP/backup/$n" "shared/$path"; then
      echo "put back the previous shared/$path"
    else
      echo "could not put back the previous shared/$path (its copy in $DA_TMP/backup is gone)"
    fi
  done < <(tac -- "$DA_PENDING")
}
