# The end of a stage (see steps/stage.ts holdStage): the run hands its lock over to the staged release. Set before
# this text: ttl (seconds), info (the run's lock record members, its owner among them), preview (a link name, or '').
# shellcheck shell=bash
# shellcheck disable=SC2154
# A cancel (SIGTERM to the session) waits for the end of this step: the hold is made whole, then the session's abort
# finds the lock handed over and leaves it (da_abort). Only a hard cut (a crash) stops it part way; each such cut
# leaves what the order below says.
trap '' TERM INT HUP
# Fenced (the step proves the lock first); under the fence lock, so no unlock comes between.
da_fence_lock
da_fence
hold=stage-$DA_RELEASE
if [ -e ".deploy/pending/$hold" ] || [ -e ".deploy/tmp.$hold" ]; then
  echo "error: .deploy/pending/$hold or .deploy/tmp.$hold exists: an earlier stage of $DA_RELEASE left it; remove it" >&2
  exit 1
fi
printf -v now '%(%s)T' -1
exp=$((now + ttl))
TZ=UTC0 printf -v at '%(%Y-%m-%dT%H:%M:%SZ)T' "$now"
TZ=UTC0 printf -v until '%(%Y-%m-%dT%H:%M:%SZ)T' "$exp"
# This run holds the lock: a record here is a leftover (a hold always holds the lock).
rm -f .deploy/stage
printf '{"release":"%s",%s,"staged_at":"%s","expires_at":"%s","expires":%s,"preview":"%s"}\n' "$DA_RELEASE" "$DA_RUN_JSON" "$at" "$until" "$exp" "$preview" > .deploy/stage.new
printf '{"stage":"%s","expires_at":"%s",%s}\n' "$DA_RELEASE" "$until" "$info" > .deploy/lock/info.new
printf '%s\n' "$hold" > .deploy/lock/owner.new
# The order, and what a cut after each move leaves:
# - the lock's record (no pid now): the lock is this run's, its session gone; post or unlock undo it all.
# - the owner (the hand-over): a hold without a record, which reads as expired (da_stage_expired): the next deploy,
#   stage, unlock or discard undoes it, finding the run's pending record and scratch dir under the run's owner
#   (da_stage_abort), and this run's own abort (post) leaves it alone.
# - the pending record, then the scratch dir: the same, found under either name.
# - the record: the hold is whole; the preview link follows.
mv -f .deploy/lock/info.new .deploy/lock/info.json
mv -f .deploy/lock/owner.new .deploy/lock/owner
[ ! -e "$DA_PENDING" ] || mv -f -- "$DA_PENDING" ".deploy/pending/$hold"
[ ! -e "$DA_TMP" ] || mv -f -- "$DA_TMP" ".deploy/tmp.$hold"
mv -f .deploy/stage.new .deploy/stage
# The preview link (preview_link) once the hold is the release's: discard and expiry remove it with the record.
if [ -n "$preview" ]; then
  if [ -e "$preview" ] && [ ! -L "$preview" ]; then
    echo "warning: $preview exists and is not a link: no preview link"
  else
    ln -sfn -- "releases/$DA_RELEASE" ".deploy/preview.new" && mv -fT -- .deploy/preview.new "$preview"
    echo "preview link $preview -> releases/$DA_RELEASE"
  fi
fi
echo "staged $DA_RELEASE, held until $until"
