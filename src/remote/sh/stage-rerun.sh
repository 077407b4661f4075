# A re-run of the stage that holds this host (see steps/stage-rerun.ts), before the lock step: where the lock is the
# hold of $rname made by this run (the same repository and run id, in the lock's record and the stage record, both
# written under the fence by the hold), the hold is whole (its record, its release dir) and not expired, the hold is
# kept and its expiry pushed back (`stage-kept` reports the new one). Anything else falls through to the lock.
# Set before this text: rname, repo, runid (this run's), ttl (seconds).
# shellcheck shell=bash
# shellcheck disable=SC2154
da_stage_ours() {
  local o=''
  read -r o 2>/dev/null < .deploy/lock/owner || true
  [ "$o" = "stage-$rname" ] && [ "$(da_stage_field release)" = "$rname" ] && [ -d "releases/$rname" ] &&
    [ "$(da_lock_field repository)" = "$repo" ] && [ "$(da_lock_field run_id)" = "$runid" ] &&
    [ "$(da_stage_field repository)" = "$repo" ] && [ "$(da_stage_field run_id)" = "$runid" ] && ! da_stage_expired
}
if [ -n "$runid" ] && [ -f .deploy/stage ] && da_stage_ours && da_fence_lock && da_stage_ours; then
  printf -v now '%(%s)T' -1
  exp=$((now + ttl))
  TZ=UTC0 printf -v until '%(%Y-%m-%dT%H:%M:%SZ)T' "$exp"
  was=$(da_stage_field run_attempt)
  sed -e "s/\"expires_at\":\"[^\"]*\"/\"expires_at\":\"$until\"/" -e "s/\"expires\":[0-9]*/\"expires\":$exp/" .deploy/stage > .deploy/stage.new
  sed -e "s/\"expires_at\":\"[^\"]*\"/\"expires_at\":\"$until\"/" .deploy/lock/info.json > .deploy/lock/info.new
  mv -f .deploy/lock/info.new .deploy/lock/info.json
  mv -f .deploy/stage.new .deploy/stage
  da_data stage-kept "$until"
  echo "already staged: $rname, by this run${was:+ (attempt $was)}; kept, held until $until"
  exit 0
fi
