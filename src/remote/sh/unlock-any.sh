# The unlock command (see steps/unlock-any.ts). Set before this text: forced (true|false), by and url (the unlocking
# run's name and URL, one line each).
# shellcheck shell=bash
# shellcheck disable=SC2154
if [ ! -d .deploy/lock ]; then echo "no deploy lock here"; exit 0; fi
da_fence_lock
if [ ! -d .deploy/lock ]; then echo "no deploy lock here"; exit 0; fi
da_lock_report
holder=
read -r holder 2>/dev/null < .deploy/lock/owner || true
# The owner is a file name below .deploy/: anything but a plain token is not one (no record, no undo). A hold's
# owner is stage-<release name>, and a release name may have dots.
case $holder in .* | *[!A-Za-z0-9._-]*) holder= ;; esac
alive=false
# A staged release's hold (sh/stage.sh) is alive until it expires.
case $holder in stage-*) da_stage_expired || alive=true ;; *) ! da_lock_alive || alive=true ;; esac
if [ "$alive" = true ] && [ "$forced" != true ]; then
  da_data unlock refused
  case $holder in
    stage-*) echo "the lock holds the staged release ${holder#stage-} until $(da_stage_field expires_at): switch or discard it; the lock was left in place" ;;
    *) echo "the lock holder's session is still running on this host: the lock was left in place" ;;
  esac
  exit 0
fi
da_now
if [ -L .deploy/unlocked ]; then
  echo "warning: .deploy/unlocked is a symlink: no record left for the holder (remove the link)"
elif [ -n "$holder" ]; then
  da_dir .deploy/unlocked
  find .deploy/unlocked -type f -mtime +30 -delete 2>/dev/null || true
  printf '%s\n%s\n%s\n' "$DA_AT" "$by" "$url" > ".deploy/unlocked/$holder"
fi
case $holder in
  stage-*)
    if [ "$alive" = true ]; then echo "discarding the staged release ${holder#stage-}"
    elif [ -n "${DA_STAGE_FAR:-}" ]; then echo "$DA_STAGE_FAR; the staged release ${holder#stage-} was discarded"
    elif [ "$(da_stage_field release)" != "${holder#stage-}" ]; then
      echo "the hold of ${holder#stage-} has no stage record (.deploy/stage is missing or names another release): undone"
    else echo "a staged release ${holder#stage-} expired at $(da_stage_field expires_at): discarded"; fi
    da_stage_undo "${holder#stage-}" ;;
esac
if [ "$alive" = false ] && [ -n "$holder" ] && [ -f ".deploy/pending/$holder" ]; then
  echo "undoing what the lock holder's run left unfinished"
  # shellcheck disable=SC2034 # read by da_abort
  ( DA_OWNER=$holder; DA_PENDING=.deploy/pending/$holder; DA_TMP=.deploy/tmp.$holder; da_abort )
fi
rm -rf .deploy/lock
da_history "{\"event\":\"unlock\",\"holder\":\"$holder\",\"holder_alive\":$alive,\"forced\":$forced,$DA_RUN_JSON,\"at\":\"$DA_AT\"}"
da_data unlock removed
echo "deploy lock removed"
