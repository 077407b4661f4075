import { randomBytes } from 'node:crypto';
import type { EnvironmentConfig, HostConfig } from '../config/index.js';
import type { Access } from '../fleet/connect.js';
import { Fleet } from '../fleet/fleet.js';
import type { Log } from '../log.js';
import type { Phase } from '../remote/phase.js';
import { IDLE_SECONDS } from './fleet-run.js';

/**
 * Opens a session on each host as the given run and lets it undo that run's unfinished work (`da_abort`).
 * `ready` is a phase run first on a host (none: nothing), which sets what its abort path needs (maintenance `off`).
 */
export async function finishAbandonedRun(
  config: EnvironmentConfig,
  owner: string,
  access: Access,
  log: Log,
  ready?: (host: HostConfig) => Phase | undefined,
): Promise<void> {
  const fleet = await Fleet.open(
    config.hosts,
    access,
    (host) => ({
      markerToken: randomBytes(6).toString('hex'),
      owner,
      deployPath: host.deployPath,
      idleSeconds: IDLE_SECONDS,
      runJson: '"note":"post"',
    }),
    { output: (host, line) => log.output(`[${host.name}] ${line}`) },
  );
  if (ready) await fleet.run((m) => ready(m.host)).catch(() => undefined);
  const confirmed = await fleet.abort();
  log.info(
    confirmed ? 'every host has undone what this run left unfinished' : 'some hosts did not confirm the clean-up',
  );
}
