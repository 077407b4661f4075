import { BuildError } from '../artifact/hooks.js';
import { Cancelled } from '../errors.js';
import { ConfigError } from '../config/index.js';
import { FleetFailure, HostFailure } from '../fleet/failures.js';
import { type Span, spans, ticks } from './document.js';
import type { FailureReport, RunReport, StepRow } from './report.js';

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
export function hostsAfterFailure(r: RunReport): Span[][] {
  // exec's table says what ran where; it changes nothing a run undoes.
  if (!r.failure || r.command === 'exec') return [];
  const hosts = r.inOrder(new Set([...r.order, ...r.hosts.keys()].filter((h) => h !== 'runner')));
  return hosts.map((h) => hostAfterFailure(r, h, r.hosts.get(h) ?? []));
}

/**
 * Inline text from a template: each interpolated name becomes a code span (whatever it holds), each interpolated
 * piece (spans) goes in as it is, and `backticks` in the template's own text mark code.
 */
function says(text: TemplateStringsArray, ...values: (string | Span[])[]): Span[] {
  const out: Span[] = [];
  text.forEach((part, i) => {
    if (part) out.push(...spans(ticks(part)));
    const v = values[i];
    if (v !== undefined) out.push(...(typeof v === 'string' ? [{ code: v }] : v));
  });
  return out;
}

function hostAfterFailure(r: RunReport, host: string, rows: StepRow[]): Span[] {
  const f = r.failure!;
  const step = (id: string) => rows.find((s) => s.id === id);
  const ok = (id: string) => step(id)?.status === 'ok';
  if (!rows.length) {
    return f.host === host
      ? says`${host}: not reached (${f.step} failed): nothing was changed`
      : says`${host}: no step ran there: nothing was changed`;
  }
  if (step('lock')?.status === 'failed')
    return says`${host}: the deploy lock is held by another run: nothing was changed, and that lock was left in place`;
  // A switch takes its lock over from the staged release's hold instead; its undo discards that release.
  const takenOver = ok('take-over');
  if (!ok('lock') && !takenOver) return says`${host}: only read (no lock taken): nothing was changed`;
  const release = r.release ? says`${r.release}` : says`the new release`;
  const made = r.command !== 'rollback' && step('release') !== undefined && step('release')!.status !== 'failed';
  const switched = ok('symlink');
  const undid = r.undid.get(host) ?? new Set<string>();
  // Switched back by the rollout's revert phase, as the host confirmed (see da_undid); else the abort path does it.
  const revertedByPhase = (r.rows.get(host)?.reverted === true || ok('revert')) && undid.has('switched-back');

  if (ok('unlock')) return says`${host}: finished before the run failed: ${release} is live there`;
  const did = [takenOver ? says`took the deploy lock over from the stage of ${release}` : says`took the deploy lock`];
  if (made) did.push(says`made release ${release}`);
  if (switched) did.push(says`switched \`current\` to ${release}`);
  if (f.host === host) did.push(says`failed in step ${f.step}`);
  if (switched && revertedByPhase) did.push(says`switched \`current\` back`);
  // What the abort path was to undo, each with the marker by which the host confirms it did (see da_undid).
  const undo: [string, Span[]][] = [];
  if (switched && !revertedByPhase) undo.push(['switched-back', says`switch \`current\` back`]);
  const shared = undid.has('shared-left') ? [] : says` and the \`shared/\` entries this run created`;
  if (made) undo.push(['release-removed', says`remove ${release}${shared}`]);
  if (takenOver)
    undo.push([
      'release-removed',
      says`remove ${release}, its stage record and preview link, and put back what its stage changed in \`shared/\``,
    ]);
  if (step('maintenance-on') && !ok('maintenance-off'))
    undo.push(['maintenance-off', says`run maintenance \`off\` (where this run had turned maintenance on)`]);
  if (!undid.has('lock-lost')) undo.push(['unlocked', says`release the lock`]);
  if (r.undone.get(host) === false || !undid.has('end'))
    return says`${host}: ${joined(did, ', ')}; it was told to ${joined(undo.map(([, s]) => s))}, but did not confirm it (connection lost?): check with the \`releases\` command`;
  const done = undo.filter(([mark]) => undid.has(mark)).map(([, s]) => pastTense(s));
  const notDone = undo.filter(([mark]) => !undid.has(mark)).map(([, s]) => pastTense(s));
  const warnings: Span[][] = [];
  if (undid.has('current-left'))
    warnings.push(says`left \`current\` on ${release}: the release live before this run is gone`);
  if (undid.has('shared-left')) warnings.push(says`left \`shared/\` entries this run created (see the log)`);
  if (undid.has('maintenance-failed'))
    warnings.push(says`maintenance \`off\` FAILED: the site is still in maintenance there`);
  if (undid.has('lock-lost')) warnings.push(says`the lock was no longer this run's`);
  const asBefore = !undid.has('current-left') && (!switched || revertedByPhase || undid.has('switched-back'));
  const parts = [
    ...(done.length ? [says`then ${joined(done)}`] : []),
    ...warnings,
    ...(notDone.length ? [says`it did not confirm that it ${joined(notDone)}`] : []),
  ];
  return says`${host}: ${joined(did, ', ')}; ${joined(parts, '; ', '; ')}.${asBefore ? says` \`current\` is as it was before this run` : says``}`;
}

/** `a`, `a and b`, `a, b and c` (or joined by `sep`, the last by `last`). */
function joined(items: Span[][], last = ' and ', sep = ', '): Span[] {
  return items.flatMap((item, i) => (i === 0 ? item : [i === items.length - 1 ? last : sep, ...item]));
}

/** The action in the past tense: its first word (`remove`, `switch`, `run`, `release`) replaced. */
function pastTense(action: Span[]): Span[] {
  const past: Record<string, string> = { remove: 'removed', switch: 'switched', run: 'ran', release: 'released' };
  const [first, ...rest] = action;
  return typeof first === 'string' ? [first.replace(/^\S+/, (w) => past[w] ?? w), ...rest] : action;
}
