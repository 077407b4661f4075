import { seconds } from './progress.js';
import type { RunReport } from './report.js';

const ICON = { ok: '✅', failed: '❌', running: '⏹️', skipped: '➖' } as const;

/** Text as a Markdown code span: a fence longer than any run of backticks inside, no escapes (they would show). */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${text.replace(/\n/g, ' ')} ${fence}`;
}

/** Escapes text for a Markdown table cell or line. */
function md(text: string): string {
  return text.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

/** The job summary: the outcome first, then a table of each host's steps, then failure details. */
export function renderSummary(r: RunReport): string {
  const out: string[] = [];
  const verb = r.command === 'deploy' ? 'Deploy' : r.command.charAt(0).toUpperCase() + r.command.slice(1);
  out.push(`## ${r.ok ? '✅' : '❌'} ${verb} of ${md(r.application)} to ${md(r.environment)} ${r.ok ? 'succeeded' : 'failed'}`, '');
  const facts: [string, string | undefined][] = [
    ['Environment', r.environment],
    ['Release', r.release],
    ['Commit', r.sha],
    ['Previous release', r.previous ?? (r.release ? '(none)' : undefined)],
    ['URL', r.url],
    ['Duration', r.finishedMs !== undefined ? seconds(r.finishedMs) : undefined],
  ];
  out.push('| | |', '|---|---|');
  for (const [k, v] of facts) if (v) out.push(`| ${k} | ${k === 'URL' ? v : md(v)} |`);
  out.push('');
  for (const line of r.ok ? r.changes : []) out.push(`- ${md(line)}`);
  if (r.details.length) out.push('', ...r.details);
  if (r.failure) {
    const f = r.failure;
    out.push(`**Failed on ${code(f.host)} in step ${code(f.step)}:** ${md(f.message)}`, '');
    if (f.tail.length) {
      out.push('<details><summary>Last lines of output</summary>', '', '```', ...f.tail.map((l) => l.replace(/```/g, "'''")), '```', '</details>', '');
    }
    if (r.untouched.length) {
      out.push('Left as it was:', ...r.untouched.map((l) => `- ${md(l)}`), '');
    }
  }
  const remote = [...r.rows.keys()];
  if (remote.length) {
    const phases = [...new Set(remote.flatMap((h) => Object.keys(r.rows.get(h)!.phases)))];
    out.push('### Hosts', '', `| Host | Release | ${phases.join(' | ')} | Health |`, `|---|---|${phases.map(() => '---|').join('')}---|`);
    for (const host of remote) {
      const row = r.rows.get(host)!;
      const release = row.reverted ? `${r.release ?? ''} (switched back)` : (r.release ?? '');
      out.push(`| ${md(host)} | ${md(release)} | ${phases.map((p) => (row.phases[p] !== undefined ? seconds(row.phases[p]!) : '')).join(' | ')} | ${md(row.health ?? '')} |`);
    }
    out.push('');
    const window = r.switchWindowMs;
    if (window !== undefined && r.switchedAt.size > 1) out.push(`Switch window (first to last host): ${seconds(window)}.`, '');
  }
  if (r.hosts.size) {
    const steps = ['| Host | Step | Status | Duration |', '|---|---|---|---|'];
    for (const [host, rows] of r.hosts) {
      for (const row of rows) steps.push(`| ${md(host)} | ${md(row.label)} | ${ICON[row.status]} ${row.status} | ${seconds(row.ms)} |`);
    }
    if (remote.length > 1) out.push('<details><summary>Steps on every host</summary>', '', ...steps, '', '</details>', '');
    else out.push('### Steps', '', ...steps, '');
  }
  if (r.warnings.length) out.push('### Warnings', ...r.warnings.map((w) => `- ${md(w)}`), '');
  return out.join('\n');
}
