# Stage holds (see steps/stage.ts). A release staged and held on a host: the deploy lock owned by `stage-NAME`
# (no session: no pid in its record), the record .deploy/stage (one JSON line), and what undoing it takes in
# .deploy/pending/stage-NAME and .deploy/tmp.stage-NAME (the stage run's own, renamed at the hand-over).
# shellcheck shell=bash
# shellcheck disable=SC2154
# A field of the record (da_json_field: its first 4 KiB only).
da_stage_field() { da_json_field .deploy/stage "$1"; }
# Status 0 when the lock is a stage hold that has expired on this host's clock (or has no readable expiry). An expiry
# further ahead of this clock than the longest stage_ttl (30 days, 2592000 s: config/schema-stage.ts; a unit test
# checks they agree), with an hour for a clock set back, is a forged or skewed record: expired too, and DA_STAGE_FAR
# says what it claimed (the callers say why they undo it).
da_stage_expired() {
  local o='' exp now
  DA_STAGE_FAR=
  read -r o 2>/dev/null < .deploy/lock/owner || true
  case $o in stage-*) ;; *) return 1 ;; esac
  [ "$(da_stage_field release)" = "${o#stage-}" ] || return 0
  exp=$(da_stage_field expires)
  # Not a number, or too long to be a time (13+ digits: beyond the year 5000, and past what test(1) compares).
  case $exp in '' | *[!0-9]* | ?????????????*) return 0 ;; esac
  printf -v now '%(%s)T' -1
  if [ "$exp" -gt $((now + 2592000 + 3600)) ]; then
    DA_STAGE_FAR=$(da_stage_field expires_at)
    DA_STAGE_FAR="the hold's expiry ${DA_STAGE_FAR:-$exp} is further ahead than any stage_ttl allows (30 days): treated as expired"
    return 0
  fi
  [ "$exp" -lt "$now" ]
}
# Undoes the hold of the staged release $1, under the fence: its release dir (never the live one), the shared
# entries it seeded, its record, its preview link, the lock (da_abort, as the hold's owner).
da_stage_undo() {
  local name=$1
  case $name in '' | . | .. | */*) return 1 ;; esac
  (da_stage_abort "$name") || true
  [ "$(da_stage_field release)" != "$name" ] || { da_stage_unpreview "$name"; rm -f .deploy/stage; }
}
# Removes the record's preview link (preview_link) while it points at the staged release $1.
da_stage_unpreview() {
  local p
  p=$(da_stage_field preview)
  case $p in '' | . | .. | */*) return 0 ;; esac
  [ ! -L "$p" ] || [ "$(readlink -- "$p")" != "releases/$1" ] || rm -f -- "$p"
}
# da_abort as the hold's owner (its variables local to this call; da_abort changes the directory: call it in a subshell).
# A hold cut short before its run's pending record or scratch dir were renamed (sh/stage-hold.sh) has them under the
# staging run's owner, which the lock's record names.
da_stage_abort() {
  # shellcheck disable=SC2034 # read by da_abort
  local DA_OWNER=stage-$1 DA_PENDING=.deploy/pending/stage-$1 DA_TMP=.deploy/tmp.stage-$1 s
  s=$(da_lock_field owner)
  case $s in '' | *[!A-Za-z0-9_-]*) ;; *)
    [ -e "$DA_PENDING" ] || DA_PENDING=.deploy/pending/$s
    [ -e "$DA_TMP" ] || DA_TMP=.deploy/tmp.$s ;;
  esac
  da_abort
}
# The lock step's way past an expired hold: undone and said so; status 1 when the lock is not an expired hold.
da_stage_reclaim() {
  da_stage_expired || return 1
  da_fence_lock || return 1
  da_stage_expired || return 1
  local o='' at said
  read -r o < .deploy/lock/owner
  at=$(da_stage_field expires_at)
  said="a staged release ${o#stage-} expired at ${at:-an unknown time}: discarded"
  [ -z "$DA_STAGE_FAR" ] || said="$DA_STAGE_FAR; the staged release ${o#stage-} was discarded"
  # A hold without its record: its stage was cut short in the hold step (sh/stage-hold.sh).
  [ "$(da_stage_field release)" = "${o#stage-}" ] || said="the stage of ${o#stage-} was cut short before its hold was whole: undone"
  da_stage_undo "${o#stage-}" > /dev/null
  echo "$said"
}
