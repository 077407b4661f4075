# The session prelude's helpers and abort path (see prelude.ts, which puts the per-run variables before it:
# DA_T, DA_OWNER, DA_DEPLOY_PATH, DA_PENDING, DA_TMP, DA_RUN_JSON, DA_IDLE). Sent in the first exec request: the
# generator (npm run shell) strips full-line comments and indentation, so comments here cost no bytes there.
# shellcheck shell=bash
# DA_T and the other per-run variables are assigned by prelude.ts, before this text; DA_PGID is read by the hello
# line prelude.ts puts after it.
# shellcheck disable=SC2153,SC2154
# A marker goes out in one write(2): built whole in a variable with `printf -v`, then written with `printf '%s'`.
# A marker held back (da_hold: a step's end, the hello; da_data_hold, da_blob_hold: a step's data) waits in DA_HELD,
# a variable, and leaves in the same write as the next marker the session writes (da_mark, da_data, da_blob), so a
# step's end and the next step's begin travel as one SSH packet. It is never held across anything that can wait or
# print: the next statement of a phase after a step is the next step's begin or the phase's end; the command loop,
# da_lost, the traps, exit and the end of a step's subshell let it out first (da_flush). da_flush takes it out of
# the variable before it writes: a signal in between loses it, never doubles it. What a subshell inherits held is its
# parent's to write (DA_HELD_AT: the subshell depth it was held at), never written twice; a step holds its data in its
# own shell (a pipeline's end is a subshell whose held values die with it).
DA_HELD=
DA_HELD_AT=0
da_hold() {
  local IFS=' '
  [ "$DA_HELD_AT" = "$BASH_SUBSHELL" ] || { DA_HELD=; DA_HELD_AT=$BASH_SUBSHELL; }
  printf -v DA_HELD '%s\n\036%s %s\n' "$DA_HELD" "$DA_T" "$*"
}
da_flush() {
  [ "$DA_HELD_AT" = "$BASH_SUBSHELL" ] || { DA_HELD=; DA_HELD_AT=$BASH_SUBSHELL; }
  [ -z "$DA_HELD" ] || { local h=$DA_HELD; DA_HELD=; printf '%s' "$h"; }
}
da_mark() { da_hold "$@"; da_flush; }
# A data value: `=value` when printable ASCII, else base64.
da_data_hold() {
  case $2 in
    *[![:print:]]*) da_hold data "$1" "$(printf '%s' "$2" | base64 -w0)" ;;
    *) da_hold data "$1" "=$2" ;;
  esac
}
da_data() { da_data_hold "$@"; da_flush; }
# Lists the entries of releases/$1 ($DA_TMP/base.NAME), so the delta that recycles it need not walk it
# again, and checks that every one belongs to the deploy user (files another user wrote could not be cleaned out of
# it): the first foreign entry, or why the walk failed, goes to base.NAME.foreign. Status 1: not usable.
da_walk_base() {
  local list="$DA_TMP/base.$1"
  da_dir "$DA_TMP" 2>/dev/null || return 1
  if ! find "releases/$1" -mindepth 1 \( ! -user "$EUID" -fprint "$list.foreign" -quit \) -o -printf '%P\0' > "$list" 2>/dev/null; then
    echo "(the walk failed)" > "$list.foreign"
  fi
  [ ! -s "$list.foreign" ]
}
# Offers releases/$1 as a delta's base: its stored manifest goes back as `base-manifest` when it has one. `now`: the
# walk (da_walk_base) comes first and a foreign entry means no offer. `later`: the manifest goes at once and the
# session walks the release after the phase (da_after_phase), while the runner plans; the delta that recycles it
# reads the outcome (one run in which the release had a foreign entry ships everything and leaves
# .deploy/check-base-first, after which inspect walks first until a walk finds none). Status 1: not offered.
da_offer_base() {
  [ -d "releases/$1" ] && [ -f ".deploy/manifests/$1.gz" ] || return 1
  [ -O "releases/$1" ] || return 1 # the walk checks what is inside
  if [ "${2:-now}" = later ]; then
    da_dir "$DA_TMP" 2>/dev/null || return 1
    printf '%s
' "$1" > "$DA_TMP/walk"
  else
    da_walk_base "$1" || return 1
    [ ! -e .deploy/check-base-first ] || rm -f .deploy/check-base-first
  fi
  # Held: what follows in both callers (inspect, delta) is short, and the step's end lets it out.
  da_blob_hold base-manifest < ".deploy/manifests/$1.gz"
}
# Runs after a phase that went well, before the next one is read: the walk a `later` offer left to do (the file
# that asks for it is emptied, not removed: no process; the run's scratch dir goes at unlock).
da_after_phase() {
  local walk="$DA_DEPLOY_PATH/$DA_TMP/walk" name=
  [ -s "$walk" ] || return 0
  read -r name < "$walk"
  : > "$walk"
  (cd -- "$DA_DEPLOY_PATH" && da_walk_base "$name") > /dev/null 2>&1 || true
}
# The live release's stored manifest (`current` → $1) as `live-manifest`; with `kept`, only that the host has it
# (a delta that recycles an offered base does not need it; the runner asks for it when it does), held with inspect's
# other values (inspect alone passes `kept`).
da_live_manifest() {
  case $1 in releases/*) ;; *) return 0 ;; esac
  local m=".deploy/manifests/${1#releases/}.gz"
  [ -f "$m" ] || return 0
  if [ "${2:-}" = kept ]; then da_data_hold live-manifest kept; else da_blob live-manifest < "$m"; fi
}
# A directory that must exist: a process only when it does not yet.
da_dir() { [ -d "$1" ] || mkdir -p -- "$1"; }
# The time now, UTC, in DA_AT (a variable, so no subshell is needed to use it).
da_now() { TZ=UTC0 printf -v DA_AT '%(%Y-%m-%dT%H:%M:%SZ)T' -1; }
# The blob (stdin) is encoded in full before its marker line starts: whatever else its producer prints stays off that
# line.
da_blob_hold() { da_hold data "$1" "$(base64 -w0)"; }
da_blob() { da_blob_hold "$1"; da_flush; }
# A step: `da_step ID FUNCTION [may-lack-deploy-path|fenced|-] [brief]`, its body in a subshell. A brief step's output
# (a line or two of a built-in step, see Step.brief in phase.ts) is held with its end, in one write with the next
# marker; any other step's output streams as it comes. The begin always leaves before the body runs.
da_step() {
  da_mark step-begin "$1"
  local rc out
  if [ "${4:-}" = brief ]; then
    # The status comes after \036 from the subshell's EXIT trap; without it (the subshell was killed), $? tells.
    # da_mark has just emptied DA_HELD at this shell's depth: the output is added to it as it is.
    out=$(exec 2>&1; trap 'rc=$?; da_flush; printf "\036%s" "$rc"' EXIT; da_step_body "$@")
    rc=$?
    case $out in *$'\036'*) rc=${out##*$'\036'}; out=${out%$'\036'*} ;; esac
    # Something written after the trap (a process the step left behind) is not a status: the step failed.
    case $rc in '' | *[!0-9]*) rc=1 ;; esac
    DA_HELD+=$out
  else
    (trap da_flush EXIT; da_step_body "$@") 2>&1
    rc=$?
  fi
  da_hold step-end "$1" "$rc"
  return "$rc"
}
da_step_body() {
  set -euo pipefail
  if ! cd -- "$DA_DEPLOY_PATH" 2>/dev/null && [ "${3:-}" != may-lack-deploy-path ]; then
    echo "error: the deploy path $DA_DEPLOY_PATH does not exist on this host" >&2
    exit 1
  fi
  [ "${3:-}" != fenced ] || da_fence
  "$2"
}
# What the abort path did, for the runner's summary (`undone WHAT` markers): only for this session's own run, not for
# another run's work undone here (unlock's dead holder, an expired hold).
da_undid() { [ "$DA_OWNER" != "${DA_SELF:-}" ] || da_mark undone "$1"; }
da_owns_lock() { local o=; read -r o 2>/dev/null < .deploy/lock/owner; [ "$o" = "$DA_OWNER" ]; }
# The fence (see FENCE_CHECK): a flock on .deploy/fence, fd 9, held until the subshell that took it ends.
da_fence_lock() {
  [ -z "${DA_FENCE_HELD:-}" ] || return 0
  [ -L .deploy/fence ] || [ -e .deploy/fence ] || (set -C; : > .deploy/fence) 2>/dev/null || :
  # The message also when exec fails (A && B || C on purpose).
  # shellcheck disable=SC2015
  [ -f .deploy/fence ] && [ ! -L .deploy/fence ] && exec 9< .deploy/fence || { echo "error: .deploy/fence is not a plain file" >&2; return 1; }
  flock -n 9 2>/dev/null || timeout 60 flock 9 || { echo "error: no flock on .deploy/fence within 60 s (held by an unlock? is flock installed?)" >&2; return 1; }
  DA_FENCE_HELD=1
}
da_unlock() {
  da_owns_lock || return 0
  (da_fence_lock && if da_owns_lock; then rm -rf .deploy/lock && echo "released the deploy lock"; fi)
}
da_history() { da_dir .deploy; printf '%s\n' "$1" >> .deploy/history.jsonl; }
# Under the fence, only while current still points at this run's switch, never to a release that is gone.
da_revert() (
  cd -- "$DA_DEPLOY_PATH" 2>/dev/null && [ -f "$DA_PENDING" ] || exit 0
  da_fence_lock || exit 1
  local line value target prev
  while IFS= read -r line; do
    case $line in "switched "*) ;; *) continue ;; esac
    value=${line#* }; target=${value%% *}; prev=${value#* }
    if [ "$(readlink current 2>/dev/null)" = "$target" ]; then
      if [ -n "$prev" ] && [ ! -d "$prev" ]; then
        echo "left current on $target: $prev, live before this run, is gone"
        da_undid current-left
        continue
      elif [ -n "$prev" ]; then
        ln -sfn -- "$prev" ".deploy/current.$DA_OWNER" && mv -fT -- ".deploy/current.$DA_OWNER" current
        echo "switched current back to $prev"
      else
        rm -f current && echo "removed current: there was no live release before this run"
      fi
      da_undid switched-back
      da_now
      da_history "{\"event\":\"revert\",\"release\":\"${target#releases/}\",\"to\":\"${prev#releases/}\",$DA_RUN_JSON,\"at\":\"$DA_AT\"}"
    fi
  done < <(tac -- "$DA_PENDING")
)
da_abort() {
  cd -- "$DA_DEPLOY_PATH" 2>/dev/null || return 0
  # A run that handed its lock to its stage's hold (sh/stage-hold.sh; the hold's record names the run) undoes nothing.
  local o=''
  read -r o 2>/dev/null < .deploy/lock/owner || true
  case $o in stage-*) [ "$(da_lock_field owner)" != "$DA_OWNER" ] || return 0 ;; esac
  # A run that lost its lock keeps the shared entries it seeded (another run may use them by now).
  local lost=
  da_owns_lock || lost=yes
  if [ -f "$DA_PENDING" ]; then
    [ -z "$lost" ] || da_undid lock-lost
    da_revert
    ! declare -F da_files_restore > /dev/null || da_files_restore "$lost"
    local line kind value
    while IFS= read -r line; do
      kind=${line%% *}; value=${line#* }
      if [ -n "$lost" ] && [ "$kind" = seeded ]; then
        echo "left shared/$value, seeded by this run: it lost its lock and another run may use it by now"
        da_undid shared-left
        continue
      fi
      case $kind in
        release)
          # A pending record is host data: a release name is one plain path segment.
          case $value in ''|.|..|*/*) echo "ignored the pending line \"$line\": not a release name"; continue ;; esac
          # Never what current resolves to, however its link is written (absolute, ./releases/…).
          if [ "$(readlink current 2>/dev/null)" != "releases/$value" ] && ! [ current -ef "releases/$value" ] && [ -e "releases/$value" ]; then
            rm -rf -- "releases/$value" && rm -f -- ".deploy/manifests/$value.gz" ".deploy/manifests/$value.idx" && echo "removed the unfinished release $value" && da_undid release-removed
            da_now
            da_history "{\"event\":\"failed\",\"release\":\"$value\",$DA_RUN_JSON,\"at\":\"$DA_AT\"}"
          fi ;;
        seeded)
          if ! da_relpath_ok "$value"; then
            echo "ignored the pending line \"$line\": not a plain relative path"
          elif ! da_parents_real shared "$value"; then
            echo "left shared/$value: shared/$DA_LINK is a symlink, never followed"
            da_undid shared-left
          else
            rm -rf -- "shared/$value" && echo "removed shared/$value, created by this run" && da_undid shared-removed
          fi ;;
        recycled)
          # The delta renamed releases/$value into this run's release: its manifests go with it.
          case $value in ''|.|..|*/*) continue ;; esac
          [ -e "releases/$value" ] || rm -f -- ".deploy/manifests/$value.gz" ".deploy/manifests/$value.idx" ;;
      esac
    done < <(tac -- "$DA_PENDING")
    [ -z "${DA_MAINT_OFF:-}" ] || da_maint_abort
    rm -f -- "$DA_PENDING"
  fi
  [ -z "$lost" ] || [ ! -e ".deploy/unlocked/$DA_OWNER" ] || rm -f -- ".deploy/unlocked/$DA_OWNER"
  # The run's scratch files go at unlock; a run that does not get there leaves them here.
  [ ! -e "$DA_TMP" ] || rm -rf -- "$DA_TMP"
  da_unlock
  [ -n "$lost" ] || da_owns_lock || da_undid unlocked
  da_undid end
}
# A field of a one-line JSON record (host data: the lock's, a hold's): read by the shell itself, its first 4 KiB only
# (what this tool writes is far less): a record of megabytes costs no more, and a field past that bound reads as none.
da_json_field() {
  local r='' re="\"$2\":\"?([^\",}]*)"
  [ ! -f "$1" ] || read -r -N 4096 r < "$1" 2>/dev/null || :
  [[ ! $r =~ $re ]] || printf '%s' "${BASH_REMATCH[1]}"
}
da_lock_field() { da_json_field .deploy/lock/info.json "$1"; }
da_lock_alive() {
  local pid
  pid=$(da_lock_field pid)
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(da_lock_field boot_id)" = "$DA_BOOT_ID" ]
}
da_lock_report() {
  # Its first 4 KiB (da_json_field's bound): a longer record is said to be cut (lock-info-cut), never sent whole.
  local r=''
  [ ! -f .deploy/lock/info.json ] || read -r -N 4097 r < .deploy/lock/info.json 2>/dev/null || :
  if [ "${#r}" -gt 4096 ]; then da_data lock-info-cut yes; r=${r:0:4096}; fi
  da_data lock-info "${r%$'\n'}"
  if da_lock_alive; then da_data lock-alive yes; else da_data lock-alive no; fi
  da_data lock-since "$(date -u -r .deploy/lock +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || true)"
}
# bash's first write to its stdout goes out a line at a time (the C library sets up the stream's buffer then); a
# first write to /dev/null does that setup, so the markers that follow, the hello first, leave in one write each.
printf x > /dev/null
da_lost() { da_flush; da_abort >/dev/null 2>&1; exit 70; }
trap 'da_flush; da_abort; exit 143' TERM
trap 'da_flush; da_abort; exit 130' INT HUP
trap da_flush EXIT
# shellcheck disable=SC2034 # DA_PGID: for the hello line that follows this text
read -r _ _ _ _ DA_PGID _ < /proc/$$/stat 2>/dev/null || DA_PGID=$$
DA_BOOT_ID=
read -r DA_BOOT_ID < /proc/sys/kernel/random/boot_id 2>/dev/null || true
DA_SELF=$DA_OWNER
