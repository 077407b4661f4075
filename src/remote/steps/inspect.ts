import type { Step } from '../phase.js';

/** How many history lines a host sends back; enough for retention and rollback decisions. */
export const HISTORY_TAIL = 1000;

/**
 * Reads what the runner needs to plan: the live release, the release directories, the recent history, the
 * remote user and (when asked) the web server user, as Deployer detects it.
 */
export function inspect(opts: { detectHttpUser: boolean }): Step {
  const detect = opts.detectHttpUser
    ? `
da_data http-user "$(ps axo comm,user 2>/dev/null | grep -E '[a]pache|[h]ttpd|[_]www|[w]ww-data|[n]ginx' | grep -v root | sort | awk '{print $NF}' | uniq | head -n 1)"`
    : '';
  return {
    id: 'inspect',
    label: 'inspect',
    body: `da_data user "$(id -un)"
da_data live "$(readlink current 2>/dev/null || true)"
for d in releases/*/; do
  [ -d "$d" ] || continue
  d=\${d%/}
  da_data release "\${d#releases/}"
done
if [ -f .deploy/history.jsonl ]; then da_data history "$(tail -n ${HISTORY_TAIL} .deploy/history.jsonl)"; fi${detect}`,
  };
}
