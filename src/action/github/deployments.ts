/**
 * GitHub's Deployments API, opt-in (input github-deployment): a deployment per run that changes hosts, its status
 * following the run. Action-only: the CLI never imports this module (nor @actions/github).
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import type { CommandObserver, StartedRun } from '../../commands/context.js';
import type { CommandName } from '../../commands/names.js';
import type { RunReport } from '../../report/report.js';

/** The deployment `task` per command; the other commands record none. */
export const DEPLOYMENT_TASKS: Partial<Record<CommandName, string>> = {
  deploy: 'deploy',
  redeploy: 'deploy:redeploy',
  rollback: 'deploy:rollback',
};

export interface DeploymentOptions {
  token: string;
  /** `owner/name` (GITHUB_REPOSITORY). */
  repository: string;
  command: CommandName;
  /** The config's environment name. */
  environment: string;
  /** The config's `url` (environment_url on success). */
  url?: string;
  /** The commit of the run (GITHUB_SHA): the deployment's ref unless the release going live has its own. */
  sha: string;
  /** The run's page (log_url). */
  runUrl: string;
  /** Where API failures go (default core.warning): they never fail the run. */
  warn?: (message: string) => void;
  /** The API's base URL (default: GITHUB_API_URL, as @actions/github reads it). */
  apiUrl?: string;
  /** Each request gives up after this long (default API_TIMEOUT_MS): a slow API must not hold up a deploy. */
  timeoutMs?: number;
}

export const API_TIMEOUT_MS = 15_000;

type State = 'in_progress' | 'success' | 'failure';

/**
 * An observer that records the run as a GitHub deployment: created once the release going live is known (after
 * the hosts are read and locked, before anything is staged or switched), `in_progress` right away, then `success`
 * (with environment_url, and auto_inactive so earlier deployments become inactive) or `failure`. Undefined for
 * commands that change nothing (releases, unlock).
 */
export function deploymentObserver(opts: DeploymentOptions): CommandObserver | undefined {
  const task = DEPLOYMENT_TASKS[opts.command];
  if (!task) return undefined;
  const warn = opts.warn ?? ((m: string) => core.warning(m));
  const [owner, repo] = opts.repository.split('/');
  if (!owner || !repo) {
    warn('github-deployment: GITHUB_REPOSITORY is not set, so no deployment is recorded');
    return undefined;
  }
  if (!opts.token) {
    warn('github-deployment: github-token is empty, so no deployment is recorded');
    return undefined;
  }
  const octokit = github.getOctokit(opts.token, opts.apiUrl ? { baseUrl: opts.apiUrl } : {});
  const request = () => ({ signal: AbortSignal.timeout(opts.timeoutMs ?? API_TIMEOUT_MS) });
  const logUrl = opts.runUrl ? { log_url: opts.runUrl } : {};
  let id: number | undefined;

  const failed = (what: string, error: unknown) => {
    const status = (error as { status?: unknown }).status;
    const reason = error instanceof Error ? error.message : String(error);
    warn(
      `github-deployment: could not ${what}${typeof status === 'number' ? ` (HTTP ${status})` : ''}: ${reason}. The deploy itself is not affected.`,
    );
  };

  const setState = async (state: State, extra: Record<string, unknown> = {}) => {
    if (id === undefined) return;
    try {
      await octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: id,
        state,
        ...logUrl,
        ...extra,
        request: request(),
      });
    } catch (error) {
      failed(`set the deployment status to ${state}`, error);
    }
  };

  return {
    async started(run: StartedRun) {
      try {
        const created = await octokit.rest.repos.createDeployment({
          owner,
          repo,
          ref: run.sha || opts.sha,
          task,
          environment: opts.environment,
          auto_merge: false,
          required_contexts: [],
          transient_environment: false,
          production_environment: opts.environment === 'production',
          payload: { release: run.release, previous: run.previous ?? null, command: opts.command },
          description: `${opts.command} ${run.release}`.slice(0, 140),
          request: request(),
        });
        if (!('id' in created.data)) {
          warn(
            `github-deployment: GitHub did not create a deployment: ${created.data.message ?? `HTTP ${created.status}`}`,
          );
          return;
        }
        id = created.data.id;
      } catch (error) {
        failed('create the deployment', error);
        return;
      }
      await setState('in_progress', { description: `${opts.command} of ${run.release} in progress` });
    },
    async finished(report: RunReport, error?: unknown) {
      if (error === undefined) {
        await setState('success', {
          auto_inactive: true,
          ...(opts.url ? { environment_url: opts.url } : {}),
          description: `${report.release ?? ''} is live`.trim().slice(0, 140),
        });
      } else {
        await setState('failure', { description: 'the run failed; see the log' });
      }
    },
  };
}
