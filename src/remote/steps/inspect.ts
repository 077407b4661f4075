import type { Step } from '../phase.js';

/** How many history lines a host sends back; enough for retention and rollback decisions. */
export const HISTORY_TAIL = 1000;

/**
 * Reads what the runner needs to plan: the live release, the release directories (with their time and
 * REVISION), the recent history, the remote user, the lock's holder if any, and (when asked) the web server
 * user, as Deployer detects it. It changes nothing of the releases (an offer leaves this run's scratch file for the
 * walk after the phase, under the run's lock), and works where nothing was deployed yet (`absent`).
 */
export function inspect(opts: { detectHttpUser: boolean; offerBaseFrom?: number }): Step {
  // With `offerBaseFrom` (keep_releases): once that many releases exist, the oldest one (by name, which is by time
  // for generated names, NAME before NAME-2) is the one this deploy's cleanup would remove: its manifest comes
  // along, so a delta can start from it without another round trip (the runner checks that retention agrees; see
  // baseManifest). The live release's manifest (hundreds of KB for a big app) is then only reported as there.
  const offer =
    opts.offerBaseFrom === undefined
      ? ''
      : `
  if [ "\${#dirs[@]}" -ge ${Number(opts.offerBaseFrom)} ]; then
    # The least name without its slash: the glob sorts \`NAME-2/\` (a second release in the same second) before \`NAME/\`.
    base=
    for d in "\${dirs[@]}"; do
      d=\${d%/}; [ "$d" != "$live" ] || continue
      [ -n "$base" ] && ! [[ $d < $base ]] || base=$d
    done
    if [ -n "$base" ]; then
      da_data base-name "\${base#releases/}"
      # Walked after this phase, while the runner plans; first, once a walk after the phase found a foreign entry.
      when=later; [ ! -e .deploy/check-base-first ] || when=now
      ! da_offer_base "\${base#releases/}" "$when" || offered=yes
    fi
  fi`;
  const detect = opts.detectHttpUser
    ? `
da_data http-user "$(ps axo comm,user 2>/dev/null | grep -E '[a]pache|[h]ttpd|[_]www|[w]ww-data|[n]ginx' | grep -v root | sort | awk '{print $NF}' | uniq | head -n 1)"`
    : '';
  return {
    id: 'inspect',
    label: 'inspect',
    mayLackDeployPath: true,
    body: `da_data user "\${USER:-$(id -un)}"
if ! cd -- "$DA_DEPLOY_PATH" 2>/dev/null; then da_data absent yes; exit 0; fi
live=$(readlink current 2>/dev/null || true)
da_data live "$live"
offered=
dirs=(releases/*/)
if [ -d "\${dirs[0]}" ]; then
  # One stat for every release; REVISION read by the shell itself: no process per release.
  {
    stat --printf '%Y\\t%n\\0' -- "\${dirs[@]}"
    for d in "\${dirs[@]}"; do rev=; read -r rev 2>/dev/null < "\${d}REVISION" || true; printf 'rev\\t%s\\t%s\\0' "$d" "\${rev:0:64}"; done
  } | da_blob releases${offer}
fi
# With a base offered, the live release's manifest stays on the host unless the runner asks for it.
da_live_manifest "$live" \${offered:+kept}
if [ -f .deploy/history.jsonl ]; then tail -n ${HISTORY_TAIL} .deploy/history.jsonl | da_blob history; fi
partial=
for f in .deploy/pending/*; do
  { [ -f "$f" ] && [ "$f" != "$DA_PENDING" ]; } || continue
  while IFS= read -r line; do case $line in "release "*) partial+="\${line#release }"$'\\n' ;; esac; done < "$f"
done
[ -z "$partial" ] || printf '%s' "$partial" | da_blob partial
if [ -d .deploy/lock ] && ! da_owns_lock; then da_lock_report; fi${detect}`,
  };
}
