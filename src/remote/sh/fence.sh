# The fence check (see fence.ts): 76 is LOCK_LOST there (a unit test checks they agree).
# shellcheck shell=bash
da_fence() { da_owns_lock || da_lock_lost; }
da_lock_lost() {
  local at='' by='' url='' other='' what line switched=''
  { IFS= read -r at; IFS= read -r by; IFS= read -r url; } 2>/dev/null < ".deploy/unlocked/$DA_OWNER" || true
  read -r other 2>/dev/null < .deploy/lock/owner || true
  if [ -n "$at" ]; then
    what="was removed at $at by ${by:-an unknown operator} (unlock${url:+, $url})"
    [ -z "$other" ] || what="$what, then taken by $(da_lock_name)"
  elif [ -n "$other" ]; then
    what="was replaced by $(da_lock_name) (without unlock: removed by hand?)"
  else
    what="is gone (removed by hand, without unlock)"
  fi
  while IFS= read -r line; do case $line in "switched "*) switched=yes ;; esac; done 2>/dev/null < "$DA_PENDING" || true
  if [ -n "$switched" ]; then line="its switch is undone only where current still points at its release"; else line="nothing was switched"; fi
  echo "error: this run's lock $what; $line. This run stops here and changes nothing more: check what is live before deploying again." >&2
  exit 76
}
da_lock_name() {
  local repo run attempt actor runner name
  repo=$(da_lock_field repository); run=$(da_lock_field run_id); attempt=$(da_lock_field run_attempt)
  actor=$(da_lock_field actor); runner=$(da_lock_field runner)
  if [ -n "$run" ]; then name="${repo:+$repo }run $run${attempt:+ (attempt $attempt)}"
  elif [ -n "$runner" ]; then name="a CLI run on $runner"
  else name="another run"
  fi
  printf '%s' "$name${actor:+ by $actor}"
}
