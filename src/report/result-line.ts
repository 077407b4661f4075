import { seconds } from '../log.js';
import type { FailureReport, RunReport } from './report.js';

/** Commands that bring a release to the hosts say where to (`to production`); the others where they looked. */
const MOVES = new Set(['deploy', 'redeploy', 'rollback']);

/**
 * The run's last line in the log, visible without unfolding anything: `✓ Deploy of shop to production: release
 * 20261206…, 3 hosts, 14.2 s`, or `✗ Deploy of shop to production failed on web2 in step hook "migrate" (14.2 s)`.
 */
export function resultLine(r: RunReport, hostCount: number, dryRun = false): string {
  const verb = r.command.charAt(0).toUpperCase() + r.command.slice(1);
  const what = `${dryRun ? 'Dry run: ' : ''}${verb} of ${r.application} ${MOVES.has(r.command) ? 'to' : 'on'} ${r.environment}`;
  const took = r.finishedMs !== undefined ? seconds(r.finishedMs) : undefined;
  const f = r.failure;
  if (f) return `✗ ${what} ${failedWhere(f)}${took ? ` (${took})` : ''}`;
  const facts = [
    r.release && !dryRun ? `release ${r.release}` : undefined,
    dryRun ? 'nothing changed' : undefined,
    `${hostCount} host${hostCount === 1 ? '' : 's'}`,
    took,
  ].filter((x): x is string => x !== undefined);
  return `✓ ${what}: ${facts.join(', ')}`;
}

function failedWhere(f: FailureReport): string {
  if (f.step === 'cancelled') return 'was cancelled';
  if (f.host === 'runner') return f.step === 'run' ? 'failed' : `failed in step ${f.step}`;
  if (f.host === undefined || f.host === 'fleet') return `failed in step ${f.step}`;
  return `failed on ${f.host} in step ${f.step}`;
}
