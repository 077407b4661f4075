import { hookLabel } from '../../config/index.js';
import type { Step } from '../phase.js';
import { q } from '../quote.js';
import { HOOK_OUTPUT_LIB } from './hook-output.js';

export interface HookCommand {
  run: string;
  /** The hook's `name:` (its label in the log and the summary). */
  name?: string;
}

export interface HookPlace {
  /** Step ids are `<prefix>-1`, `<prefix>-2`, … */
  prefix: 'hook' | 'activate' | 'rollback';
  /** Where the commands run, relative to the deploy path (shell words, already quoted). */
  dir: string;
}

/** Deploy hooks run in the new release, before anything is live. */
export const IN_RELEASE: HookPlace = { prefix: 'hook', dir: '"releases/$DA_RELEASE"' };
/** Activate hooks run in the live release, right after a switch (and again after a switch back). */
export const IN_CURRENT: HookPlace = { prefix: 'activate', dir: 'current/' };
/** Rollback hooks run in the live release after a rollback's switch and its activate hooks. */
export const AFTER_ROLLBACK: HookPlace = { prefix: 'rollback', dir: 'current/' };

/** How a failure names a step: a hook by its kind and label (`hook "migrate"`), any other step by its label. */
export function stepTitle(step: { id: string; label: string }): string {
  if (/^hook-\d+$/.test(step.id)) return `hook "${step.label}"`;
  if (/^activate-\d+$/.test(step.id)) return `activate hook "${step.label}"`;
  if (/^rollback-\d+$/.test(step.id)) return `rollback hook "${step.label}"`;
  return step.label;
}

/**
 * Hook commands: each runs with bash -e, stdin closed, the configured environment plus the DEPLOY_* variables,
 * in `place.dir`. One step per command, so the summary shows which one failed. SIGPIPE is restored for the
 * command (the session itself ignores it to survive a dropped connection).
 */
/** `export NAME='value'` lines for the shell: names come validated from the config, values are quoted. */
export function exportsOf(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${q(value)}`)
    .join('\n');
}

export function hookSteps(
  hooks: HookCommand[],
  env: Record<string, string>,
  place: HookPlace,
  timeoutMs: number,
): Step[] {
  const exports = exportsOf(env);
  const secs = Math.max(1, Math.round(timeoutMs / 1000));
  return hooks.map((hook, i) => ({
    id: `${place.prefix}-${i + 1}`,
    label: hookLabel(hook),
    // `timeout` forwards the session's SIGTERM to the command, so cancelling still stops it at once.
    // $DEPLOY_OUTPUT (hook-output.ts): what a hook that succeeded wrote there goes back as `output.<id>`.
    body: `${exports}
da_output_open ${q(`${place.prefix}-${i + 1}`)}
cd -- ${place.dir}
trap - PIPE
timeout -k 10 ${secs} bash -e -c ${q(hook.run)} < /dev/null || {
  rc=$?
  da_output_close
  if [ "$rc" -eq 124 ]; then echo "error: stopped after hook_timeout (${secs} s)" >&2; fi
  exit "$rc"
}
da_output_close ${q(`${place.prefix}-${i + 1}`)}`,
    lib: [HOOK_OUTPUT_LIB],
  }));
}
