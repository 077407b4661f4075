# Maintenance mode (see steps/maintenance.ts): sent with the phases that switch it, whose variables stay set in the
# session: DA_MAINT_ON and DA_MAINT_OFF (the commands), DA_MAINT_ENV (export lines: the environment's env) and
# DA_MAINT_SECS (hook_timeout). With them set, the abort path (da_abort) runs `off` where this run turned maintenance
# on. .deploy/maintenance records who did: the run's owner on its first line, `deploy` or `manual` on its second.
# shellcheck shell=bash
# The DA_* variables are assigned by the prelude and by the phase that sends this text.
# shellcheck disable=SC2153,SC2154

# Runs command $1 in the live release with the environment, stdin closed, within DA_MAINT_SECS.
da_maint_cmd() (
  eval "$DA_MAINT_ENV"
  cd -- current/ 2>/dev/null || { echo "error: current/ is not a directory here: nothing is live" >&2; exit 1; }
  trap - PIPE
  timeout -k 10 "$DA_MAINT_SECS" bash -e -c "$1" < /dev/null || {
    rc=$?
    [ "$rc" -ne 124 ] || echo "error: stopped after hook_timeout ($DA_MAINT_SECS s)" >&2
    exit "$rc"
  }
)
# Who turned maintenance on (DA_MAINT_BY, DA_MAINT_HOW), from .deploy/maintenance; both empty when no one did.
da_maint_holder() {
  DA_MAINT_BY='' DA_MAINT_HOW=''
  [ -f .deploy/maintenance ] && [ ! -L .deploy/maintenance ] || return 0
  { IFS= read -r DA_MAINT_BY; IFS= read -r DA_MAINT_HOW; } < .deploy/maintenance || true
}
# Records this run as the one that turned maintenance on ($1: deploy or manual): a new file, renamed into place, and
# a line in the run's pending record (what its abort path undoes, until the run commits).
da_maint_record() {
  local tmp=".deploy/maintenance.$DA_OWNER"
  da_dir .deploy/pending
  echo "maintenance on" >> "$DA_PENDING"
  rm -f -- "$tmp"
  (set -C; printf '%s\n%s\n' "$DA_OWNER" "$1" > "$tmp") && mv -fT -- "$tmp" .deploy/maintenance
}
# The `on` step ($1: deploy or manual). Where nothing is live there is nothing to take down; a deploy leaves a
# maintenance turned on by the maintenance command as it is (and on afterwards). The record is written before `on`
# runs: a failure or a cancel while it runs still turns maintenance off. Reports `maintenance`: on, none or held.
da_maint_on() {
  if [ ! -d current/ ]; then
    echo "nothing is live here: maintenance on skipped"
    da_data maintenance none
    return 0
  fi
  da_maint_holder
  if [ "$1" = deploy ] && [ "$DA_MAINT_HOW" = manual ]; then
    echo "maintenance is already on (the maintenance command turned it on): left as it is, and on after this deploy"
    da_data maintenance held
    return 0
  fi
  da_maint_record "$1"
  echo "maintenance on: $DA_MAINT_ON"
  da_maint_cmd "$DA_MAINT_ON"
  da_data maintenance on
}
# The `off` step. `deploy`: only where this run turned maintenance on, and a failed `off` does not fail the step (the
# release is live; the runner warns). `manual`: whoever turned it on, and a failed `off` fails the step. Reports
# `maintenance`: off, none (not this run's to turn off, or nothing live) or `failed RC`.
da_maint_off() {
  local rc=0
  da_maint_holder
  if [ "$1" = deploy ] && [ "$DA_MAINT_BY" != "$DA_OWNER" ]; then
    [ "$DA_MAINT_HOW" != manual ] || echo "maintenance stays on: the maintenance command turned it on (turn it off with it)"
    da_data maintenance none
    return 0
  fi
  if [ ! -d current/ ]; then
    echo "nothing is live here: maintenance off skipped"
    da_data maintenance none
    return 0
  fi
  echo "maintenance off: $DA_MAINT_OFF"
  da_maint_cmd "$DA_MAINT_OFF" || rc=$?
  if [ "$rc" -eq 0 ]; then
    rm -f .deploy/maintenance
    da_data maintenance off
    return 0
  fi
  echo "error: maintenance off failed (exit $rc): the site is still in maintenance here" >&2
  da_data maintenance "failed $rc"
  [ "$1" = deploy ] || return "$rc"
}
# The finish step of a deploy: whether maintenance this run turned on is still on (its `off` failed).
da_maint_left() {
  da_maint_holder
  [ "$DA_MAINT_BY" != "$DA_OWNER" ] || da_data maintenance left
}
# From da_abort, after the switch back, while the run's pending record is there (it did not commit): `off` where
# this run turned maintenance on.
da_maint_abort() {
  local rc=0 line on=
  while IFS= read -r line; do [ "$line" != "maintenance on" ] || on=yes; done < "$DA_PENDING"
  da_maint_holder
  [ -n "$on" ] && [ "$DA_MAINT_BY" = "$DA_OWNER" ] || return 0
  echo "maintenance off (undoing this run): $DA_MAINT_OFF"
  da_maint_cmd "$DA_MAINT_OFF" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    rm -f .deploy/maintenance && echo "maintenance is off again" && da_undid maintenance-off
  else
    echo "error: maintenance off failed (exit $rc): the site is STILL IN MAINTENANCE here; run the maintenance command with state off"
    da_undid maintenance-failed
  fi
}
