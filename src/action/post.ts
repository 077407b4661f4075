import * as core from '@actions/core';
import { finishAbandonedRun } from '../commands/abandoned.js';
import { readyForOff } from '../commands/maintenance.js';
import type { EnvironmentConfig, HostConfig } from '../config/index.js';
import { actionsLog } from './actions-log.js';
import { actionAccess, actionConfig, actionInputs } from './context.js';
import type { Inputs } from './inputs.js';
import { maintenanceHosts, unfinishedRun } from './state.js';

/**
 * The `post:` step: when the main step could not confirm that every host cleaned up (it was killed, or a host
 * dropped off), connect again and undo this run's unfinished work: its lock, its partial release, a provisional
 * switch, and maintenance mode where the run turned it on. Locks and releases of other runs are never touched. It
 * warns rather than fails.
 */
export async function post(): Promise<void> {
  const owner = unfinishedRun();
  if (!owner) return;
  try {
    const inputs = actionInputs();
    const hosts = maintenanceHosts();
    const config = postConfig(inputs, hosts.length > 0);
    core.info('The main step did not confirm its clean-up on every host; finishing it now.');
    const m = config.maintenance;
    if (m && hosts.length)
      core.info(`Maintenance: \`${m.off}\` runs where this run turned maintenance on (of ${hosts.join(', ')}).`);
    const ready = (h: HostConfig) =>
      m && hosts.includes(h.name) ? readyForOff(config, h, 'maintenance', []) : undefined;
    await finishAbandonedRun(config, owner, actionAccess(inputs), actionsLog, ready);
  } catch (error) {
    core.warning(`post: could not finish the clean-up: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The config as the post step needs it: without `env` (no `${NAME}` value is read), unless maintenance `off` is to
 * run, which gets the environment's env as hooks do (when a value is missing now, `off` runs without env).
 */
function postConfig(inputs: Inputs, withEnv: boolean): EnvironmentConfig {
  if (withEnv) {
    try {
      return actionConfig(inputs, true);
    } catch (error) {
      core.warning(
        `post: maintenance \`off\` runs without env: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return actionConfig(inputs, false);
}
