# Whether $DA_RELEASE is staged and held here (see steps/stage.ts stageCheck): reports stage-check (ok, none,
# other, expired, far (an expiry beyond any stage_ttl: expired), unheld, notdir) and stage-expires-at. Changes nothing.
# shellcheck shell=bash
o=
read -r o 2>/dev/null < .deploy/lock/owner || true
staged=$(da_stage_field release)
if [ -z "$staged" ]; then state=none
elif [ "$staged" != "$DA_RELEASE" ]; then state=other
elif [ "$o" != "stage-$DA_RELEASE" ]; then state=unheld
elif [ -L "releases/$DA_RELEASE" ] || [ ! -d "releases/$DA_RELEASE" ]; then state=notdir
elif da_stage_expired; then state=expired
  [ -z "$DA_STAGE_FAR" ] || state=far
else state=ok
fi
da_data stage-check "$state"
da_data stage-expires-at "$(da_stage_field expires_at)"
