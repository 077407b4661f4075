import * as core from '@actions/core';
import { loadConfig } from '../config/index.js';
import { readInputs } from './inputs.js';
import { selectHosts } from '../fleet/select.js';
import { actionsLog } from './actions-log.js';
import { finishAbandonedRun } from '../commands/abandoned.js';
import { parseKnownHosts } from '../transport/known-hosts.js';
import { STATE } from './state.js';

/**
 * The `post:` step: when the main step could not confirm that every host cleaned up (it was killed, or a host
 * dropped off), connect again and undo this run's unfinished work: its lock, its partial release, a provisional
 * switch. Locks and releases of other runs are never touched. It warns rather than fails.
 */
export async function post(): Promise<void> {
  const owner = core.getState(STATE.owner);
  if (!owner || core.getState(STATE.remote) !== 'started') return;
  try {
    const inputs = readInputs();
    // The post step runs no hook: it needs no env (and no `${NAME}` value is read).
    const loaded = loadConfig({ file: inputs.config, environment: inputs.environment, env: process.env, expandEnv: false });
    const config = { ...loaded, hosts: selectHosts(loaded.hosts, inputs.hosts, 'input hosts') };
    core.info('The main step did not confirm its clean-up on every host; finishing it now.');
    await finishAbandonedRun(config, owner, {
      privateKey: inputs.sshPrivateKey || undefined,
      passphrase: inputs.sshPassphrase || undefined,
      knownHosts: parseKnownHosts(inputs.knownHosts),
      connectTimeoutMs: inputs.connectTimeoutSeconds * 1000,
      startTimeoutMs: inputs.startTimeoutSeconds * 1000,
    }, actionsLog);
  } catch (error) {
    core.warning(`post: could not finish the clean-up: ${error instanceof Error ? error.message : String(error)}`);
  }
}
