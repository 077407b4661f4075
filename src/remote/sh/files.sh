# The files step's functions (see steps/files.ts), sent with the stage phase (Step.lib). The step's body sets `c`
# to a file's content (in the script, which the session reads from stdin: the content is never in an argument of
# a process) and calls da_file_put for it.
# shellcheck shell=bash
# c is set by the step's body; DA_RELEASE by the phase.
# shellcheck disable=SC2154
da_file_put() {
  # $1 index, $2 shared|release, $3 path below the root, $4 mode, $5 sha256 of "$c". Leaves a file whose content
  # is already that (its mode set); else writes a temporary file beside it, mode set before the first byte, and
  # renames it over the target. A file in shared/ is copied to the run's scratch dir first and recorded in the
  # pending file, so that the abort path puts it back (da_files_restore).
  local root=shared target tmp sum='' cur='' state=changed seeded=''
  [ "$2" = shared ] || root=releases/$DA_RELEASE
  target=$root/$3
  if ! da_parents_real "$root" "$3"; then
    echo "error: files: $3: $root/$DA_LINK is a symlink (to $(readlink -- "$root/$DA_LINK" || echo '?')): deploy-action never writes through a link; make it a real directory" >&2
    return 1
  fi
  if [ -L "$target" ] && [ "$2" = shared ]; then
    echo "error: files: $3: shared/$3 is a symlink (to $(readlink -- "$target" || echo '?')): deploy-action never writes through a link in shared/; make it a real file there" >&2
    return 1
  fi
  if [ ! -L "$target" ] && [ -e "$target" ] && [ ! -f "$target" ]; then
    echo "error: files: $3: $target exists and is not a regular file" >&2
    return 1
  fi
  if [ -f "$target" ] && [ ! -L "$target" ]; then
    sum=$(sha256sum < "$target")
    sum=${sum%% *}
    cur=$(stat -c %a -- "$target")
  fi
  # A file the shared step has just made (empty, or copied from the release) is this run's: its undo removes it.
  if [ -n "$cur" ] && [ "$2" = shared ] && da_files_seeded "$3"; then seeded=yes; fi
  if [ "$sum" = "$5" ]; then
    [ "$((8#$cur))" -eq "$((8#$4))" ] || chmod -- "$4" "$target"
    state=unchanged
  else
    [ -n "$cur" ] && [ -z "$seeded" ] || state=created
    da_dir "${target%/*}"
    tmp=${target%/*}/.${target##*/}.da-$DA_OWNER
    if [ -e "$tmp" ] || [ -L "$tmp" ]; then rm -f -- "$tmp"; fi
    # Created 0600 under umask 077, never through an existing name (noclobber); the mode is set, then the content
    # goes through the descriptor opened before (a read-only mode does not stop it).
    # shellcheck disable=SC2094 # chmod only sets the mode of the file fd 3 writes; nothing reads it
    (umask 077; set -C; { chmod -- "$4" "$tmp"; printf '%s' "$c" >&3; } 3> "$tmp")
    if [ "$2" = shared ] && [ -z "$seeded" ]; then
      if [ -n "$cur" ]; then
        (umask 077; da_dir "$DA_TMP/backup" && cp --preserve=timestamps -- "$target" "$DA_TMP/backup/$1")
        printf 'file-backup %s %s %s\n' "$1" "$cur" "$3" >> "$DA_PENDING"
      else
        printf 'file-created %s\n' "$3" >> "$DA_PENDING"
      fi
    fi
    mv -fT -- "$tmp" "$target"
  fi
  da_data file "$1 $state"
  da_files_said+="${da_files_said:+, }$3 $state"
}
# Status 0 when this run's shared step seeded shared/$1 (its pending record says so).
da_files_seeded() {
  local line
  [ -f "$DA_PENDING" ] || return 1
  while IFS= read -r line; do [ "$line" != "seeded $1" ] || return 0; done < "$DA_PENDING"
  return 1
}
# $@: shared files that must be there, non-empty (require_shared_files), after the shared step (which makes a
# missing one an empty file).
da_files_required() {
  local p bad=''
  for p in "$@"; do
    [ -s "shared/$p" ] || bad+="${bad:+, }shared/$p"
  done
  [ -n "$bad" ] || return 0
  echo "error: require_shared_files: $bad missing or empty in $DA_DEPLOY_PATH: put the file there before deploying (it holds what the repository does not), write it with a \`files:\` entry, or remove it from shared_files" >&2
  return 1
}
