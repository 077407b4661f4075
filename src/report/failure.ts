import { BuildError } from '../artifact/hooks.js';
import { Cancelled } from '../errors.js';
import { ConfigError } from '../config/index.js';
import { HostFailure } from '../fleet/fleet.js';
import type { FailureReport, RunReport, StepRow } from './report.js';

/** The pseudo-host of a failure no one host caused (the hosts disagree, nothing to roll back to). */
const FLEET = 'fleet';

/** Turns any error of a run into the failure the report shows (host, step, message, output tail). */
export function failureOf(error: unknown): FailureReport {
  if (error instanceof HostFailure) {
    return {
      host: error.host === FLEET ? undefined : error.host,
      step: error.step,
      message: error.message.replace(`${error.host}: ${error.step}: `, ''),
      tail: error.tail,
    };
  }
  if (error instanceof BuildError) return { host: 'runner', step: 'build', message: error.message, tail: error.tail };
  if (error instanceof ConfigError) return { host: 'runner', step: 'config', message: error.message, tail: [] };
  if (error instanceof Cancelled) return { host: 'runner', step: 'cancelled', message: error.message, tail: [] };
  return { host: 'runner', step: 'run', message: error instanceof Error ? error.message : String(error), tail: [] };
}

/** Where a failure happened, for a heading: `on web1 in step hook-1`, `in step build`, or nothing. */
export function failedWhere(f: FailureReport): { host?: string; step?: string } {
  if (!f.host) return {};
  if (f.host === 'runner') return f.step === 'run' ? {} : { step: f.step };
  return { host: f.host, step: f.step };
}

/**
 * What a failed run did and undid on each host, from the host's own events: the steps it reported (lock, release,
 * switch, switch back) and whether it confirmed its abort path (which undoes exactly what those steps recorded:
 * it switches back, removes the unfinished release and the `shared/` entries the run created, and releases the
 * lock). One line per host, in config order; `backticks` mark names.
 */
export function hostsAfterFailure(r: RunReport): string[] {
  if (!r.failure) return [];
  const hosts = r.inOrder(new Set([...r.order, ...r.hosts.keys()].filter((h) => h !== 'runner')));
  return hosts.map((h) => hostAfterFailure(r, h, r.hosts.get(h) ?? []));
}

function hostAfterFailure(r: RunReport, host: string, rows: StepRow[]): string {
  const f = r.failure!;
  const name = `\`${host}\``;
  const step = (id: string) => rows.find((s) => s.id === id);
  const ok = (id: string) => step(id)?.status === 'ok';
  if (!rows.length) {
    return f.host === host
      ? `${name}: not reached (${f.step} failed): nothing was changed`
      : `${name}: no step ran there: nothing was changed`;
  }
  if (step('lock')?.status === 'failed')
    return `${name}: the deploy lock is held by another run: nothing was changed, and that lock was left in place`;
  const tookLock = ok('lock');
  if (!tookLock) return `${name}: only read (no lock taken): nothing was changed`;
  const release = r.release ? `\`${r.release}\`` : 'the new release';
  const made = r.command !== 'rollback' && step('release') !== undefined && step('release')!.status !== 'failed';
  const switched = ok('symlink');
  const revertedByPhase = r.rows.get(host)?.reverted === true || ok('revert');
  if (ok('unlock')) return `${name}: finished before the run failed: ${release} is live there`;
  const did = ['took the deploy lock'];
  if (made) did.push(`made release ${release}`);
  if (switched) did.push(`switched \`current\` to ${release}`);
  if (f.host === host) did.push(`failed in step \`${f.step}\``);
  if (switched && revertedByPhase) did.push('switched `current` back');
  const undo: string[] = [];
  if (switched && !revertedByPhase) undo.push('switch `current` back');
  if (made) undo.push(`remove ${release} and the \`shared/\` entries this run created`);
  undo.push('release the lock');
  const confirmed = r.undone.get(host);
  const then =
    confirmed === false
      ? `; it was told to ${joined(undo)}, but did not confirm it (connection lost?): check with the \`releases\` command`
      : `; then ${joined(undo.map(pastTense))}. \`current\` is as it was before this run`;
  return `${name}: ${did.join(', ')}${then}`;
}

/** `a`, `a and b`, `a, b and c`. */
function joined(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function pastTense(action: string): string {
  return action
    .replace(/^switch /, 'switched ')
    .replace(/^remove /, 'removed ')
    .replace(/^release /, 'released ');
}
