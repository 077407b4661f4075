import * as core from '@actions/core';
import { finishAbandonedRun } from '../commands/abandoned.js';
import { actionsLog } from './actions-log.js';
import { actionAccess, actionConfig, actionInputs } from './context.js';
import { unfinishedRun } from './state.js';

/**
 * The `post:` step: when the main step could not confirm that every host cleaned up (it was killed, or a host
 * dropped off), connect again and undo this run's unfinished work: its lock, its partial release, a provisional
 * switch. Locks and releases of other runs are never touched. It warns rather than fails.
 */
export async function post(): Promise<void> {
  const owner = unfinishedRun();
  if (!owner) return;
  try {
    const inputs = actionInputs();
    // The post step runs no hook: it needs no env (and no `${NAME}` value is read).
    const config = actionConfig(inputs, false);
    core.info('The main step did not confirm its clean-up on every host; finishing it now.');
    await finishAbandonedRun(config, owner, actionAccess(inputs), actionsLog);
  } catch (error) {
    core.warning(`post: could not finish the clean-up: ${error instanceof Error ? error.message : String(error)}`);
  }
}
