import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** Who and what a run is: recorded in locks and the history, shown in summaries. */
export interface RunInfo {
  /** Random per invocation: owns the lock and the pending records on every host. */
  owner: string;
  repository: string;
  runId: string;
  runAttempt: string;
  actor: string;
  runUrl: string;
  /** GITHUB_SERVER_URL (https://github.com unless GitHub Enterprise), for links to commits. */
  serverUrl: string;
  sha: string;
  ref: string;
  startedAt: Date;
  runner: string;
}

export function newOwnerToken(): string {
  return randomBytes(8).toString('hex');
}

/** Run info from the GitHub Actions environment (or whatever of it is set, on a laptop). */
export function runInfoFromEnv(env: NodeJS.ProcessEnv, overrides: Partial<RunInfo> = {}): RunInfo {
  const server = env['GITHUB_SERVER_URL'] || 'https://github.com';
  const repository = env['GITHUB_REPOSITORY'] || '';
  const runId = env['GITHUB_RUN_ID'] || '';
  return {
    owner: newOwnerToken(),
    repository,
    runId,
    runAttempt: env['GITHUB_RUN_ATTEMPT'] || '',
    actor: env['GITHUB_ACTOR'] || env['USER'] || '',
    runUrl: repository && runId ? `${server}/${repository}/actions/runs/${runId}` : '',
    serverUrl: server,
    sha: env['GITHUB_SHA'] || '',
    ref: env['GITHUB_REF'] || '',
    startedAt: new Date(),
    runner: hostname(),
    ...overrides,
  };
}

/** The run's identity as the hosts record it (history lines, lock records), in that order. */
export interface RunRecord {
  sha: string;
  ref: string;
  actor: string;
  repository: string;
  run_id: string;
  run_attempt: string;
  run_url: string;
}

export function runRecord(run: RunInfo): RunRecord {
  return {
    sha: run.sha,
    ref: run.ref,
    actor: run.actor,
    repository: run.repository,
    run_id: run.runId,
    run_attempt: run.runAttempt,
    run_url: run.runUrl,
  };
}

/** The run's identity as JSON object members (no braces), for lines the hosts write themselves (the abort path). */
export function runJsonMembers(run: RunInfo): string {
  return JSON.stringify(runRecord(run)).slice(1, -1);
}

/** What a lock records about its holder (the host adds the session's pid and boot id). */
export function lockRecord(run: RunInfo): RunRecord & { owner: string; runner: string; started_at: string } {
  return { ...runRecord(run), owner: run.owner, runner: run.runner, started_at: run.startedAt.toISOString() };
}

/** The lock record as JSON object members (no braces): the lock step adds the pid and boot id on the host. */
export function lockInfoMembers(run: RunInfo): string {
  return JSON.stringify(lockRecord(run)).slice(1, -1);
}
