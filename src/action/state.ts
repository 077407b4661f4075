import * as core from '@actions/core';
import type { RunState } from '../commands/context.js';

/** State shared between the main step and the `post:` step (as actions/checkout keeps it). */
export const STATE = {
  isPost: 'isPost',
  owner: 'owner',
  remote: 'remote',
} as const;

export const actionState: RunState = {
  save: (name, value) => core.saveState(name, value),
};

export function isPost(): boolean {
  return core.getState(STATE.isPost) === 'true';
}

export function markMainStarted(): void {
  core.saveState(STATE.isPost, 'true');
}
