/** The job summary's per-host tables: one row per host (its outcome, phase times, health), and the folded steps. */
import { stepTitle } from '../remote/steps/hooks.js';
import { code, cut, html, inline, md } from './markdown.js';
import { ticks } from './document.js';
import { seconds } from './progress.js';
import type { RunReport, StepRow } from './report.js';
import { count } from '../units.js';

const LABEL_CHARS = 120;
const ICON = { ok: '✅', failed: '❌', running: '⏹️', skipped: '➖' } as const;

/** Phase names as the reader knows them (`ship` is one host's whole release in one go). */
const PHASE_NAMES: Record<string, string> = {
  inspect: 'connect and inspect',
  ship: 'stage to finish',
  revert: 'switch back',
};

/** Commands and runs whose hosts and steps tables mean nothing: read-only listings, unlock, exec (its own), dry runs. */
export function showsHostTables(r: RunReport): boolean {
  return !r.dryRun && r.command !== 'releases' && r.command !== 'unlock' && r.command !== 'exec';
}

/** Whether a step row is the one the run failed in (the health check's step reports its verdict as data). */
function failedRow(r: RunReport, host: string, row: StepRow): boolean {
  const f = r.failure;
  // A hook's failure names it as `hook "label"` (stepTitle); other steps by their label or id.
  return f?.host === host && (row.label === f.step || row.id === f.step || stepTitle(row) === f.step);
}

/** What became of a host: its release live, switched back, failed in a step, or stopped because another failed. */
function result(r: RunReport, host: string): string {
  const f = r.failure;
  if (!f) return r.release ? `✅ ${code(r.release, true)} live` : '✅ done';
  if (f.host === host) return `❌ failed in ${code(f.step, true)}`;
  // Switched back only as the host confirmed it (its revert or abort path), not because it was asked to.
  const undid = r.undid.get(host);
  if (undid?.has('current-left')) return '⚠️ not switched back (the release live before is gone)';
  if (undid?.has('switched-back')) return '↩️ switched back';
  if (!r.hosts.has(host)) return '➖ not reached';
  return '⏹️ stopped';
}

/** A command check's verdict (`ok attempt 2`, `fail after 3 attempts`) in words; a URL check's detail as it is. */
export function verdict(detail: string): string {
  const ok = /^ok attempt (\d+)$/.exec(detail);
  if (ok) return `passed (attempt ${ok[1]})`;
  const failed = /^fail after (\d+) attempts$/.exec(detail);
  return failed ? `failed after ${count(Number(failed[1]), 'attempt')}` : detail;
}

/** The health check's verdict and its time. */
function health(r: RunReport, host: string): string {
  const row = r.rows.get(host);
  if (!row?.health) return '';
  const ms = row.phases['health'];
  const h = row.health;
  const said = verdict(h.detail);
  const text = md(cut(h.ok ? said : `failed after ${count(h.attempts, 'attempt')}: ${said}`, LABEL_CHARS));
  return `${row.health.ok ? '✅' : '❌'} ${text}${ms !== undefined ? ` (${seconds(ms)})` : ''}`;
}

/** The hosts table: one row per host in config order, what became of it, each phase's time, the health check. */
export function hostsTable(r: RunReport): string[] {
  const hosts = r.inOrder(r.rows.keys());
  if (!hosts.length) return [];
  const phases = [...new Set(hosts.flatMap((h) => Object.keys(r.rows.get(h)!.phases)))].filter((p) => p !== 'health');
  const checked = hosts.some((h) => r.rows.get(h)!.health);
  const head = ['Host', 'Result', ...phases.map((p) => PHASE_NAMES[p] ?? p), ...(checked ? ['Health check'] : [])];
  const out = ['### Hosts', '', `| ${head.map(md).join(' | ')} |`, `|${head.map(() => '---|').join('')}`];
  for (const host of hosts) {
    const row = r.rows.get(host)!;
    const times = phases.map((p) => (row.phases[p] !== undefined ? seconds(row.phases[p]!) : ''));
    const name = row.via ? `${md(host)} (${md(cut(row.via, LABEL_CHARS))})` : md(host);
    out.push(`| ${[name, result(r, host), ...times, ...(checked ? [health(r, host)] : [])].join(' | ')} |`);
  }
  out.push('');
  const window = r.switchWindowMs;
  if (window !== undefined && r.switchedAt.size > 1)
    out.push(`Switch window (first to last host): ${seconds(window)}.`, '');
  return out;
}

/**
 * Every step on every host, folded (it is long and read only when looking for where the time went): the failed
 * step's row says why.
 */
export function stepsTable(r: RunReport): string[] {
  const hosts = r.inOrder(r.hosts.keys());
  if (!hosts.length) return [];
  const rows = ['| Host | Step | Status | Duration |', '|---|---|---|---|'];
  let n = 0;
  for (const host of hosts) {
    for (const row of r.hosts.get(host)!) {
      n++;
      const failed = failedRow(r, host, row);
      const status = failed
        ? `❌ failed: ${inline(ticks(cut(r.failure!.message.split('\n')[0]!, LABEL_CHARS)), true)}`
        : `${ICON[row.status]} ${row.status === 'running' ? 'stopped' : row.status}`;
      rows.push(`| ${md(host)} | ${md(cut(row.label, LABEL_CHARS))} | ${status} | ${seconds(row.ms)} |`);
    }
  }
  const remote = hosts.filter((h) => h !== 'runner');
  const on = remote.length > 1 ? ` on ${remote.length} hosts` : remote.length ? ` on ${html(remote[0]!)}` : '';
  return [`<details><summary>Steps (${count(n, 'step')}${on})</summary>`, '', ...rows, '', '</details>', ''];
}
