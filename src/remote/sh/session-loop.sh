# The command loop that ends every session script (see SESSION_LOOP in prelude.ts).
# shellcheck shell=bash
while :; do
  da_flush
  IFS= read -r -t "$DA_IDLE" da_n || da_lost
  case $da_n in ping) continue ;; ''|*[!0-9]*) da_lost ;; esac
  IFS= read -r -t "$DA_IDLE" -N "$da_n" da_chunk || da_lost
  eval "$da_chunk"
done
