import type { EnvironmentConfig, Surface } from '../config/index.js';
import type { Access } from '../fleet/connect.js';
import type { Log } from '../log.js';
import type { ReleaseNameExists } from '../releases/name.js';
import type { RunReport } from '../report/report.js';
import type { RunInfo } from '../run-info.js';

/**
 * What the post step needs to finish a run that could not clean up after itself (the action keeps it in its
 * state; the CLI passes none).
 */
export interface RunState {
  /** The run `owner` is about to change hosts: until `cleanedUp`, the post step must check them. */
  started(owner: string): void;
  /** Every host confirmed that nothing of this run is left to undo (it finished, undid its work, or was never reached). */
  cleanedUp(): void;
}

/** A run that is about to change hosts: the release going live, the one live before, the commit it was built from. */
export interface StartedRun {
  release: string;
  previous?: string;
  sha?: string;
}

/**
 * Told when a run starts changing hosts and how it ended, so entry points can mirror a run elsewhere (GitHub's
 * Deployments API) while the commands stay unaware of it. Only deploy, redeploy and rollback call `started`, and
 * never in a dry run; `finished` follows every command, with the error when it failed.
 */
export interface CommandObserver {
  started(run: StartedRun): Promise<void>;
  finished(report: RunReport, error?: unknown): Promise<void>;
}

/** Everything a command needs; entry points (action, CLI) build it. */
export interface CommandContext {
  config: EnvironmentConfig;
  run: RunInfo;
  access: Access;
  log: Log;
  report: RunReport;
  /** Directory to build and ship. */
  source: string;
  /** The new release's name (deploy, redeploy), or the target (rollback). */
  releaseName?: string;
  /** deploy, redeploy: a `releaseName` that exists on a host fails the run (default), or gets `-2`, `-3`… */
  releaseNameExists?: ReleaseNameExists;
  /** Plan only: read the hosts, change nothing. */
  dryRun?: boolean;
  /** unlock: remove a lock even while the run holding it still runs on the host. */
  force?: boolean;
  state?: RunState;
  /** Aborted when the run is cancelled (SIGINT/SIGTERM). */
  signal: AbortSignal;
  observer?: CommandObserver;
  /** Who runs: advice names the action's inputs or the CLI's options (default: the action). */
  surface?: Surface;
}

/** A warning for the log (an annotation on GitHub) and the summary. */
export function warn(ctx: Pick<CommandContext, 'log' | 'report'>, text: string): void {
  ctx.report.warnings.push(text);
  ctx.log.warning(text);
}
