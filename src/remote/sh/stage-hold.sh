# The end of a stage (see steps/stage.ts holdStage): the run hands its lock over to the staged release. Set before
# this text: ttl (seconds), info (the run's lock record members), preview (a link name, or '').
# shellcheck shell=bash
# shellcheck disable=SC2154
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
printf '{"release":"%s",%s,"staged_at":"%s","expires_at":"%s","expires":%s,"preview":"%s"}\n' "$DA_RELEASE" "$DA_RUN_JSON" "$at" "$until" "$exp" "$preview" > .deploy/stage.new
printf '{"stage":"%s","expires_at":"%s",%s}\n' "$DA_RELEASE" "$until" "$info" > .deploy/lock/info.new
printf '%s\n' "$hold" > .deploy/lock/owner.new
# The record first, the lock's owner last: until then this run still owns it, and its abort undoes it all.
mv -f .deploy/stage.new .deploy/stage
[ ! -e "$DA_PENDING" ] || mv -f -- "$DA_PENDING" ".deploy/pending/$hold"
[ ! -e "$DA_TMP" ] || mv -f -- "$DA_TMP" ".deploy/tmp.$hold"
mv -f .deploy/lock/info.new .deploy/lock/info.json
mv -f .deploy/lock/owner.new .deploy/lock/owner
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
