import * as core from '@actions/core';
import type { RunState } from '../commands/context.js';

/**
 * State shared between the main step and the `post:` step (as actions/checkout and docker/build-push-action keep
 * it): one setter and one getter per value, so no other module names a key.
 */
const KEY = {
  isPost: 'isPost',
  owner: 'owner',
  remote: 'remote',
  maintenance: 'maintenance',
} as const;

/** Whether the hosts were changed by this run, and whether every host confirmed its clean-up. */
type Remote = 'started' | 'done';

/** Set by the main step as it starts: the next run of the bundle in this job is the post step. */
export function setIsPost(): void {
  core.saveState(KEY.isPost, 'true');
}

export function isPost(): boolean {
  return core.getState(KEY.isPost) === 'true';
}

/** The run's owner (`run-id.attempt@...`), as its locks and unfinished releases are marked on the hosts. */
export function setOwner(owner: string): void {
  core.saveState(KEY.owner, owner);
}

export function getOwner(): string | undefined {
  return core.getState(KEY.owner) || undefined;
}

function setRemote(value: Remote): void {
  core.saveState(KEY.remote, value);
}

function getRemote(): Remote | undefined {
  const value = core.getState(KEY.remote);
  return value === 'started' || value === 'done' ? value : undefined;
}

/** The owner of a run that changed hosts without every host confirming its clean-up; the post step finishes it. */
export function unfinishedRun(): string | undefined {
  const owner = getOwner();
  return owner && getRemote() === 'started' ? owner : undefined;
}

/** The hosts a run was putting into maintenance (the post step turns it off there when main could not confirm). */
export function maintenanceHosts(): string[] {
  try {
    const hosts: unknown = JSON.parse(core.getState(KEY.maintenance) || '[]');
    return Array.isArray(hosts) ? hosts.filter((h): h is string => typeof h === 'string') : [];
  } catch {
    return [];
  }
}

/** What the commands tell the post step, through the action's state. */
export const actionState: RunState = {
  started(owner) {
    setOwner(owner);
    setRemote('started');
  },
  cleanedUp() {
    setRemote('done');
  },
  maintenance(hosts) {
    core.saveState(KEY.maintenance, JSON.stringify(hosts));
  },
};
