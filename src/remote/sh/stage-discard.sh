# The discard command (see steps/stage.ts discardStage): where $DA_RELEASE is staged and held, its release dir
# (never the live one), its record, its preview link and its hold go. Idempotent.
# shellcheck shell=bash
o=
read -r o 2>/dev/null < .deploy/lock/owner || true
if [ "$o" != "stage-$DA_RELEASE" ]; then
  da_data discard none
  echo "nothing staged: $DA_RELEASE is not held here"
  exit 0
fi
da_fence_lock
read -r o 2>/dev/null < .deploy/lock/owner || true
[ "$o" = "stage-$DA_RELEASE" ] || { da_data discard none; echo "nothing staged"; exit 0; }
# Whose stage goes (an operator may discard another run's): said before its lock record goes with it.
by=$(da_lock_name)
da_stage_undo "$DA_RELEASE"
da_data discard removed
echo "discarded the staged release $DA_RELEASE (staged by $by)"
