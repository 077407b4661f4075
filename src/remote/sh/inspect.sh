# inspect (see steps/inspect.ts). Set before this text: offer_from (keep_releases, or empty: no base offered) and
# detect (yes: report the web server user). 1000 is HISTORY_TAIL there.
# shellcheck shell=bash
# shellcheck disable=SC2154
# Its values are held (da_data_hold, da_blob_hold, in this shell, never in a pipeline's) and go out together with the
# next marker written or at the end of the step: a few writes, not one a value.
da_data_hold user "${USER:-$(id -un)}"
if ! cd -- "$DA_DEPLOY_PATH" 2>/dev/null; then da_data_hold absent yes; exit 0; fi
live=$(readlink current 2>/dev/null || true)
da_data_hold live "$live"
offered=
dirs=(releases/*/)
if [ -d "${dirs[0]}" ]; then
  # One stat for every release; REVISION read by the shell itself: no process per release.
  da_blob_hold releases < <(
    stat --printf '%Y\t%n\0' -- "${dirs[@]}"
    for d in "${dirs[@]}"; do rev=; read -r rev 2>/dev/null < "${d}REVISION" || true; printf 'rev\t%s\t%s\0' "$d" "${rev:0:64}"; done
  )
  # Once offer_from releases exist, the oldest one (by name, which is by time for generated names, NAME before
  # NAME-2) is the one this deploy's cleanup would remove: its manifest comes along (see steps/inspect.ts).
  if [ -n "$offer_from" ] && [ "${#dirs[@]}" -ge "$offer_from" ]; then
    # The least name without its slash: the glob sorts `NAME-2/` (a second release in the same second) before `NAME/`.
    base=
    for d in "${dirs[@]}"; do
      d=${d%/}; [ "$d" != "$live" ] || continue
      { [ -n "$base" ] && ! [[ $d < $base ]]; } || base=$d
    done
    if [ -n "$base" ]; then
      da_data_hold base-name "${base#releases/}"
      # Walked after this phase, while the runner plans; first, once a walk after the phase found a foreign entry.
      when=later; [ ! -e .deploy/check-base-first ] || when=now
      # A walk now may take a while: what is held goes first.
      [ "$when" = later ] || da_flush
      ! da_offer_base "${base#releases/}" "$when" || offered=yes
    fi
  fi
fi
# With a base offered, the live release's manifest stays on the host unless the runner asks for it.
da_live_manifest "$live" ${offered:+kept}
if [ -f .deploy/history.jsonl ]; then da_blob_hold history < <(tail -n 1000 .deploy/history.jsonl); fi
partial=
for f in .deploy/pending/*; do
  { [ -f "$f" ] && [ "$f" != "$DA_PENDING" ]; } || continue
  while IFS= read -r line; do case $line in "release "*) partial+="${line#release }"$'\n' ;; esac; done < "$f"
done
[ -z "$partial" ] || da_blob_hold partial < <(printf '%s' "$partial")
if [ -d .deploy/lock ] && ! da_owns_lock; then da_lock_report; fi
# As Deployer detects it: the user of a web server's processes (pgrep does not print users).
# shellcheck disable=SC2009
[ -z "$detect" ] || da_data_hold http-user "$(ps axo comm,user 2>/dev/null | grep -E '[a]pache|[h]ttpd|[_]www|[w]ww-data|[n]ginx' | grep -v root | sort | awk '{print $NF}' | uniq | head -n 1)"
# What is still held goes out as the step's shell exits (da_step), just before the step's end.
