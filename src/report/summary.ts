import { code, cut, fenced as fencedAt, markdownBlocks, md } from './markdown.js';
import { seconds } from './progress.js';
import type { RunReport, StepOutput } from './report.js';

const ICON = { ok: '✅', failed: '❌', running: '⏹️', skipped: '➖' } as const;

/** GitHub refuses a step summary over 1 MiB; everything optional goes first when a summary would come close. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
/** What the summary aims to stay under (room for the runner's own additions). */
export const SUMMARY_BUDGET_BYTES = SUMMARY_LIMIT_BYTES - 64 * 1024;
/** Hook output shown per host (the last lines), each line cut to LINE_CHARS. */
export const HOST_OUTPUT_LINES = 40;
/** The failed step's output shown (the last lines). */
export const FAILURE_TAIL_LINES = 60;
const LINE_CHARS = 300;
const LABEL_CHARS = 120;
const WARNINGS_SHOWN = 50;
/** All hosts' hook output together stays under this; later hosts get a note instead. */
const OUTPUT_BUDGET_BYTES = 384 * 1024;

/** Lines inside a ``` fence that cannot close it early. */
const fenced = (lines: string[]) => fencedAt(lines, LINE_CHARS);

function bytes(lines: string[]): number {
  return Buffer.byteLength(lines.join('\n')) + lines.length;
}

/** A host's hook output, the last HOST_OUTPUT_LINES lines across its steps, each step headed by its command. */
function hostOutput(host: string, steps: Map<string, StepOutput>): string[] {
  const flat: string[] = [];
  let total = 0;
  for (const out of steps.values()) {
    flat.push(`$ ${cut(out.label.split('\n')[0]!, LABEL_CHARS)}`);
    if (out.total > out.lines.length) flat.push(`… ${out.total - out.lines.length} earlier lines`);
    flat.push(...out.lines);
    total += out.total;
  }
  const shown = flat.slice(-HOST_OUTPUT_LINES);
  const note = flat.length > shown.length ? `_Last ${HOST_OUTPUT_LINES} lines; the full output is in the log._` : '';
  return [
    `<details><summary>Hook output on ${md(host)} (${total} line${total === 1 ? '' : 's'})</summary>`,
    '',
    ...fenced(shown),
    ...(note ? [note] : []),
    '</details>',
    '',
  ];
}

/** The commit as a link to it when the repository is known. */
function commit(r: RunReport): string | undefined {
  if (!r.sha) return undefined;
  const l = r.links;
  if (!l?.repository) return md(r.sha);
  return `[${md(r.sha.slice(0, 7))}](${l.server || 'https://github.com'}/${l.repository}/commit/${encodeURIComponent(r.sha)})`;
}

/** Ready-to-paste inputs that make the previous release live again. */
function rollbackHowTo(r: RunReport): string[] {
  if (!r.ok || !r.release || !r.previous || !['deploy', 'redeploy'].includes(r.command)) return [];
  return [
    '### Roll back',
    '',
    `To make ${code(r.previous)} live again, run the action with these inputs (and the same \`ssh-private-key\` and \`known-hosts\`):`,
    '',
    '```yaml',
    'with:',
    '  command: rollback',
    `  environment: ${JSON.stringify(r.environment)}`,
    `  release: ${JSON.stringify(r.previous)}`,
    '```',
    '',
    `Without \`release\`, a rollback makes the newest earlier good release live. From a terminal: ${code(`deploy-action rollback ${r.environment} --release ${r.previous}`)}.`,
    '',
  ];
}

interface Section {
  lines: string[];
  /** Dropped (replaced by `note`) when the summary would exceed the budget; lower goes first. */
  drop?: number;
  note?: string;
}

/**
 * The job summary: the outcome and a headline table (environment, release, commit, previous release, URL,
 * duration), what changed or the failure, the hosts and steps tables, hook output (collapsed, capped per host),
 * how to roll back, warnings and a link to the run. Stays under GitHub's 1 MiB limit whatever the run printed.
 */
export function renderSummary(r: RunReport): string {
  const sections: Section[] = [];
  const add = (lines: string[], drop?: number, note?: string) => lines.length && sections.push({ lines, drop, note });
  const verb = r.command === 'deploy' ? 'Deploy' : r.command.charAt(0).toUpperCase() + r.command.slice(1);
  const head = [
    `## ${r.ok ? '✅' : '❌'} ${verb} of ${md(r.application)} to ${md(r.environment)} ${r.ok ? 'succeeded' : 'failed'}`,
    '',
  ];
  const facts: [string, string | undefined][] = [
    ['Environment', md(r.environment)],
    ['Release', r.release && md(r.release)],
    ['Commit', commit(r)],
    ['Previous release', r.previous ? md(r.previous) : r.release ? '(none)' : undefined],
    ['URL', r.url],
    ['Duration', r.finishedMs !== undefined ? seconds(r.finishedMs) : undefined],
  ];
  head.push('| | |', '|---|---|');
  for (const [k, v] of facts) if (v) head.push(`| ${k} | ${v} |`);
  head.push('');
  for (const line of r.ok ? r.changes : []) head.push(`- ${md(line)}`);
  add(head);
  if (r.details.length)
    add(['', ...markdownBlocks(r.details)], 3, '_The details of this run were too long for the summary; see the log._');
  if (r.failure) {
    const f = r.failure;
    const out = [`**Failed ${f.host ? `on ${code(f.host)} ` : ''}in step ${code(f.step)}:** ${md(f.message)}`, ''];
    if (f.tail.length) {
      const tail = f.tail.slice(-FAILURE_TAIL_LINES);
      out.push('<details><summary>Last lines of output</summary>', '', ...fenced(tail));
      if (tail.length < f.tail.length)
        out.push(`_Last ${tail.length} of ${f.tail.length} lines; the full output is in the log._`);
      out.push('</details>', '');
    }
    if (r.untouched.length) out.push('Left as it was:', ...r.untouched.map((l) => `- ${md(l)}`), '');
    add(out);
  }
  const remote = [...r.rows.keys()];
  if (remote.length) {
    const phases = [...new Set(remote.flatMap((h) => Object.keys(r.rows.get(h)!.phases)))];
    const out = [
      '### Hosts',
      '',
      `| Host | Release | ${phases.join(' | ')} | Health |`,
      `|---|---|${phases.map(() => '---|').join('')}---|`,
    ];
    for (const host of remote) {
      const row = r.rows.get(host)!;
      const release = row.reverted ? `${r.release ?? ''} (switched back)` : (r.release ?? '');
      out.push(
        `| ${md(host)} | ${md(release)} | ${phases.map((p) => (row.phases[p] !== undefined ? seconds(row.phases[p]!) : '')).join(' | ')} | ${md(cut(row.health ?? '', LABEL_CHARS))} |`,
      );
    }
    out.push('');
    const window = r.switchWindowMs;
    if (window !== undefined && r.switchedAt.size > 1)
      out.push(`Switch window (first to last host): ${seconds(window)}.`, '');
    add(out, 4, '_The hosts table was too long for the summary; see the log._');
  }
  if (r.hosts.size) {
    const steps = ['| Host | Step | Status | Duration |', '|---|---|---|---|'];
    for (const [host, rows] of r.hosts) {
      for (const row of rows)
        steps.push(
          `| ${md(host)} | ${md(cut(row.label, LABEL_CHARS))} | ${ICON[row.status]} ${row.status} | ${seconds(row.ms)} |`,
        );
    }
    const note = '_The steps table was too long for the summary; see the log._';
    if (remote.length > 1)
      add(['<details><summary>Steps on every host</summary>', '', ...steps, '', '</details>', ''], 2, note);
    else add(['### Steps', '', ...steps, ''], 2, note);
  }
  if (r.outputs.size) {
    const out: string[] = [];
    let skipped = 0;
    for (const [host, steps] of r.outputs) {
      const block = hostOutput(host, steps);
      if (bytes(out) + bytes(block) > OUTPUT_BUDGET_BYTES) skipped++;
      else out.push(...block);
    }
    if (skipped)
      out.push(
        `_Hook output of ${skipped} more host${skipped === 1 ? '' : 's'} is not shown here; it is in the log._`,
        '',
      );
    add(out, 1, '_Hook output is not shown here (the summary would be too long); it is in the log._');
  }
  add(rollbackHowTo(r));
  if (r.warnings.length) {
    const shown = r.warnings.slice(0, WARNINGS_SHOWN);
    const more = r.warnings.length - shown.length;
    add(
      [
        '### Warnings',
        ...shown.map((w) => `- ${md(cut(w, 1000))}`),
        ...(more ? [`- … and ${more} more in the log`] : []),
        '',
      ],
      5,
      '_Warnings: see the log._',
    );
  }
  if (r.links?.runUrl) add([`[Logs of this run](${r.links.runUrl})`, '']);
  return fitBudget(sections);
}

/** Joins the sections, dropping optional ones (lowest `drop` first) while the summary is over the budget. */
function fitBudget(sections: Section[]): string {
  const text = () => sections.map((s) => s.lines.join('\n')).join('\n');
  const optional = sections.filter((s) => s.drop !== undefined).sort((a, b) => a.drop! - b.drop!);
  let out = text();
  for (const s of optional) {
    if (Buffer.byteLength(out) <= SUMMARY_BUDGET_BYTES) break;
    s.lines = [s.note ?? '', ''];
    out = text();
  }
  if (Buffer.byteLength(out) > SUMMARY_BUDGET_BYTES) {
    out = `${Buffer.from(out)
      .subarray(0, SUMMARY_BUDGET_BYTES)
      .toString()
      .replace(/\uFFFD*$/, '')}\n\n_The summary was cut here; see the log._\n`;
  }
  return out;
}
