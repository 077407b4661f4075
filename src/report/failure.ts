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
  const revertedByPhase = r.rows.get(host)?.reverted === true || ok('revert');
  if (ok('unlock')) return says`${host}: finished before the run failed: ${release} is live there`;
  const did = [takenOver ? says`took the deploy lock over from the stage of ${release}` : says`took the deploy lock`];
  if (made) did.push(says`made release ${release}`);
  if (switched) did.push(says`switched \`current\` to ${release}`);
  if (f.host === host) did.push(says`failed in step ${f.step}`);
  if (switched && revertedByPhase) did.push(says`switched \`current\` back`);
  const undo: [string, Span[]][] = [];
  if (switched && !revertedByPhase) undo.push(['switched', says`switch \`current\` back`]);
  if (made) undo.push(['removed', says`remove ${release} and the \`shared/\` entries this run created`]);
  if (takenOver)
    undo.push([
      'removed',
      says`remove ${release}, its stage record and preview link, and put back what its stage changed in \`shared/\``,
    ]);
  if (step('maintenance-on') && !ok('maintenance-off'))
    undo.push(['ran', says`run maintenance \`off\` (where this run had turned maintenance on)`]);
  undo.push(['released', says`release the lock`]);
  const then =
    r.undone.get(host) === false
      ? says`; it was told to ${joined(undo.map(([, s]) => s))}, but did not confirm it (connection lost?): check with the \`releases\` command`
      : says`; then ${joined(undo.map(([past, s]) => pastTense(past, s)))}. \`current\` is as it was before this run`;
  return says`${host}: ${joined(did, ', ')}${then}`;
}

/** `a`, `a and b`, `a, b and c` (or all joined by `last`). */
function joined(items: Span[][], last = ' and '): Span[] {
  return items.flatMap((item, i) => (i === 0 ? item : [i === items.length - 1 ? last : ', ', ...item]));
}

/** The action in the past tense: its first word replaced (`remove X` → `removed X`). */
function pastTense(past: string, action: Span[]): Span[] {
  const [first, ...rest] = action;
  return typeof first === 'string' ? [first.replace(/^\S+/, past), ...rest] : action;
}
