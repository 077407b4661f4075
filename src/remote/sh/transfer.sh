# Receiving the payload (da_chunks) and unpacking it (see libs.ts).
# shellcheck shell=bash
da_chunks() {
  local n total=0
  # A runner that stops sending mid-upload must not hold the lock forever: no chunk within DA_IDLE ends it.
  while IFS= read -r -t "$DA_IDLE" n && [ "$n" -gt 0 ] 2>/dev/null; do
    timeout "$DA_IDLE" head -c "$n" || { echo "error: the upload stalled (nothing for $DA_IDLE s)" >&2; return 1; }
    total=$((total + n))
  done
  [ "$n" = 0 ] || { echo "error: the upload stopped before its end" >&2; return 1; }
  [ -z "${1:-}" ] || echo "received $total bytes of $1" >&2
}
da_unpack() {
  if ! da_chunks archive | tar -xzf - -C "$1" --no-same-owner; then
    local avail
    avail=$(df -Pk -- "$1" 2>/dev/null | awk 'NR == 2 { print $4 }')
    if [ -n "$avail" ] && [ "$avail" -lt 1024 ]; then
      echo "error: No space left on device: $DA_DEPLOY_PATH has $avail KiB free" >&2
    else
      echo "error: unpacking the release failed (${avail:-?} KiB free in $DA_DEPLOY_PATH)" >&2
    fi
    return 1
  fi
}
