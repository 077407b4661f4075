# The switch takes the lock over from the stage of $DA_RELEASE (see steps/stage.ts takeStage), under the fence:
# only from that stage, unexpired, and the hold becomes this run's own (its pending record, its scratch dir).
# Set before this text: info (this run's lock record members).
# shellcheck shell=bash
# shellcheck disable=SC2154
da_fence_lock
hold=stage-$DA_RELEASE
o=
read -r o 2>/dev/null < .deploy/lock/owner || true
if [ "$o" != "$hold" ] || [ "$(da_stage_field release)" != "$DA_RELEASE" ]; then
  echo "error: $DA_RELEASE is no longer staged here (the lock is held by ${o:-nobody}): nothing was switched" >&2
  exit 1
fi
if da_stage_expired; then
  [ -z "$DA_STAGE_FAR" ] || { echo "error: $DA_STAGE_FAR; nothing was switched" >&2; exit 1; }
  echo "error: the stage of $DA_RELEASE expired at $(da_stage_field expires_at): nothing was switched" >&2
  exit 1
fi
printf '{%s,"pid":%s,"boot_id":"%s"}\n' "$info" "$$" "$DA_BOOT_ID" > .deploy/lock/info.new
printf '%s\n' "$DA_OWNER" > .deploy/lock/owner.new
[ ! -e ".deploy/pending/$hold" ] || mv -f -- ".deploy/pending/$hold" "$DA_PENDING"
[ ! -e ".deploy/tmp.$hold" ] || mv -f -- ".deploy/tmp.$hold" "$DA_TMP"
mv -f .deploy/lock/info.new .deploy/lock/info.json
mv -f .deploy/lock/owner.new .deploy/lock/owner
da_stage_unpreview "$DA_RELEASE"
rm -f .deploy/stage
echo "took the deploy lock over from the stage of $DA_RELEASE"
