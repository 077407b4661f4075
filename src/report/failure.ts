import { BuildError } from '../artifact/hooks.js';
import { Cancelled } from '../errors.js';
import { ConfigError } from '../config/index.js';
import { FleetFailure, HostFailure } from '../fleet/fleet.js';
import type { FailureReport } from './report.js';

/** Turns any error of a run into the failure the report shows (host, step, message, output tail). */
export function failureOf(error: unknown): FailureReport {
  if (error instanceof HostFailure) {
    return {
      host: error.host,
      step: error.step,
      message: error.message.replace(`${error.host}: ${error.step}: `, ''),
      tail: error.tail,
    };
  }
  // A failure of the whole fleet has no host to name.
  if (error instanceof FleetFailure) return { host: undefined, step: error.step, message: error.message, tail: [] };
  if (error instanceof BuildError) return { host: 'runner', step: 'build', message: error.message, tail: error.tail };
  if (error instanceof ConfigError) return { host: 'runner', step: 'config', message: error.message, tail: [] };
  if (error instanceof Cancelled) return { host: 'runner', step: 'cancelled', message: error.message, tail: [] };
  return { host: 'runner', step: 'run', message: error instanceof Error ? error.message : String(error), tail: [] };
}

/** What a failed run of a command leaves as it was, for the summary (commands that change nothing: none). */
export function untouchedAfterFailure(command: string): string[] {
  const live = 'current still points at the release that was live before this run, on every host';
  const lock = 'the deploy lock taken by this run was released; locks of other runs were not touched';
  if (command === 'deploy' || command === 'redeploy') {
    return [
      live,
      'shared/ is as it was (entries this run created were removed)',
      lock,
      'the unfinished release was removed',
    ];
  }
  if (command === 'rollback') return [live, lock];
  return [];
}
