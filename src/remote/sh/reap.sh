# Stops this run's earlier session on the host, whose runner is gone (its lock record's pid, still alive on this
# boot), before the abort request undoes the run's work. Sent only with that request (ABORT_SESSION in phase.ts),
# not in the prelude: the first exec request is bounded.
# shellcheck shell=bash
da_reap() {
  cd -- "$DA_DEPLOY_PATH" 2>/dev/null || return 0
  da_owns_lock && da_lock_alive || return 0
  local pid
  pid=$(da_lock_field pid)
  [ "$pid" != "$$" ] || return 0
  echo "stopping this run's earlier session (pid $pid), whose runner is gone"
  pkill -TERM -s "$pid" 2>/dev/null; kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do [ -d "/proc/$pid" ] || return 0; sleep 0.1; done
  pkill -KILL -s "$pid" 2>/dev/null; kill -KILL -- "-$pid" 2>/dev/null || true
}
