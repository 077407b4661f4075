/** Everything that talks to GitHub's API (and so imports @actions/github): the action's path only, never the CLI's. */
import type { CommandObserver } from '../../commands/context.js';
import type { EnvironmentConfig } from '../../config/index.js';
import type { Inputs } from '../inputs.js';
import type { RunInfo } from '../../run-info.js';
import { deploymentObserver } from './deployments.js';

export { deploymentObserver, DEPLOYMENT_TASKS, type DeploymentOptions } from './deployments.js';

/** The observer the action's inputs ask for: a GitHub deployment with github-deployment (never in a dry run). */
export function githubObserver(inputs: Inputs, config: EnvironmentConfig, run: RunInfo): CommandObserver | undefined {
  if (!inputs.githubDeployment || inputs.dryRun) return undefined;
  return deploymentObserver({
    token: inputs.githubToken,
    repository: run.repository,
    command: inputs.command,
    environment: config.environment,
    url: config.url,
    sha: run.sha,
    runUrl: run.runUrl,
  });
}
