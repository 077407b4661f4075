import type { Step } from '../phase.js';
import { INSPECT_SH } from '../sh/index.js';

/** How many history lines a host sends back; enough for retention and rollback decisions. */
export const HISTORY_TAIL = 1000;

/**
 * Reads what the runner needs to plan: the live release, the release directories (with their time and
 * REVISION), the recent history, the remote user, the lock's holder if any, and (when asked) the web server
 * user, as Deployer detects it. It changes nothing of the releases (an offer leaves this run's scratch file for the
 * walk after the phase, under the run's lock), and works where nothing was deployed yet (`absent`).
 */
export function inspect(opts: { detectHttpUser: boolean; offerBaseFrom?: number }): Step {
  return {
    id: 'inspect',
    label: 'inspect',
    mayLackDeployPath: true,
    // offer_from: with `offerBaseFrom` (keep_releases), once that many releases exist, the oldest one (by name,
    // which is by time for generated names) is the one this deploy's cleanup would remove: its manifest comes along,
    // so a delta can start from it without another round trip (the runner checks that retention agrees; see
    // baseManifest). The live release's manifest (hundreds of KB for a big app) is then only reported as there.
    body: `offer_from=${opts.offerBaseFrom === undefined ? '' : Number(opts.offerBaseFrom)}\ndetect=${opts.detectHttpUser ? 'yes' : ''}\n${INSPECT_SH}`,
  };
}
