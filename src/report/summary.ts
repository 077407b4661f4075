import { ticks } from './document.js';
import { failedWhere, hostsAfterFailure } from './failure.js';
import { code, cut, fenced as fencedAt, html, inline, markdownBlocks, md } from './markdown.js';
import { seconds } from './progress.js';
import type { FailureReport, RunReport, StepOutput } from './report.js';
import { hostsTable, showsHostTables, stepsTable } from './summary-hosts.js';
import { count } from '../units.js';
import { words } from '../remote/quote.js';

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
const HEADLINE_CHARS = 2000;
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
    `<details><summary>Hook output on ${html(host)} (${count(total, 'line')})</summary>`,
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
    ...(r.configPath ? [`  config: ${JSON.stringify(r.configPath)}`] : []),
    '```',
    '',
    `Without \`release\`, a rollback makes the newest earlier good release live. From a terminal: ${code(rollbackCommand(r, r.previous))}.`,
    '',
  ];
}

/** The CLI command line that rolls back to `release`, as a user pastes it in a terminal in the checkout. */
export function rollbackCommand(r: RunReport, release: string): string {
  const config = r.configPath ? ['--config', r.configPath] : [];
  return `npx deploy-action ${words(['rollback', r.environment, ...config, '--release', release])}`;
}

/** The outcome in a few words: what ran where, and whether it worked (a dry run changed nothing either way). */
function title(r: RunReport): string {
  const command = r.command.charAt(0).toUpperCase() + r.command.slice(1);
  const where = `${['releases', 'unlock', 'doctor', 'exec'].includes(r.command) ? 'in' : 'to'} ${md(r.environment || '?')}`;
  const of = (verb: string) => (r.application ? `${verb} of ${md(r.application)} ${where}` : `${verb} ${where}`);
  if (r.dryRun) return `${r.ok ? '🔍' : '❌'} Dry run: ${of(command)}${r.ok ? ': nothing was changed' : ' failed'}`;
  if (r.command === 'releases') return `${r.ok ? '📋' : '❌'} ${of(command)}${r.ok ? '' : ': failed'}`;
  return `${r.ok ? '✅' : '❌'} ${of(command)} ${r.ok ? 'succeeded' : 'failed'}`;
}

/** The run's facts as one table row under named columns (a table needs a header; no empty one). */
function facts(r: RunReport): string[] {
  const cells: [string, string | undefined][] = [
    [r.ok ? 'Release' : 'Release (not deployed)', r.release && code(r.release, true)],
    ['Commit', commit(r)],
    ['Previous release', r.previous ? code(r.previous, true) : r.release ? '(none)' : undefined],
    ['URL', r.url && `[${md(r.url)}](${r.url.replace(/[\s()|<>]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)})`],
    ['Duration', r.finishedMs !== undefined ? seconds(r.finishedMs) : undefined],
  ];
  const shown = cells.filter((c): c is [string, string] => c[1] !== undefined && c[1] !== '');
  if (!shown.length) return [];
  return [
    `| ${shown.map(([k]) => k).join(' | ')} |`,
    `|${shown.map(() => '---|').join('')}`,
    `| ${shown.map(([, v]) => v).join(' | ')} |`,
    '',
  ];
}

/**
 * The failure: where (host and step, or the runner's step, or neither for a fleet-wide failure such as nothing to
 * roll back to), the message (its indented lines, such as a host key line to add, as a code block), the output's
 * last lines, and what the run did and undid on each host.
 */
function failureSection(r: RunReport, f: FailureReport): string[] {
  const { host, step } = failedWhere(f);
  const verb = r.command.charAt(0).toUpperCase() + r.command.slice(1);
  const where = host
    ? `Failed on ${code(host)} in step ${code(step!)}:`
    : step === 'cancelled'
      ? `${verb} cancelled:`
      : step
        ? `Failed in step ${code(step)}:`
        : `${verb} failed:`;
  const lines = cut(f.message, HEADLINE_CHARS).split('\n');
  if (f.step === 'config' && f.host === 'runner')
    return ['**The configuration is not valid:**', '', ...lines.map((l) => `- ${inline(ticks(l))}`), ''];
  const [first = '', ...rest] = lines;
  const out = [`**${where}** ${inline(ticks(first))}`, ''];
  for (let i = 0; i < rest.length; ) {
    const literal = /^\s{2}/.test(rest[i]!);
    const run: string[] = [];
    while (i < rest.length && /^\s{2}/.test(rest[i]!) === literal) run.push(rest[i++]!);
    if (literal) out.push(...fenced(run.map((l) => l.trim())), '');
    else out.push(run.map((l) => inline(ticks(l))).join(' '), '');
  }
  const kept = host && step ? r.outputs.get(host)?.get(step)?.lines : undefined;
  const tail = f.tail.length ? f.tail : (kept ?? []);
  if (tail.length) {
    const shown = tail.slice(-FAILURE_TAIL_LINES);
    out.push('<details><summary>Last lines of output</summary>', '', ...fenced(shown));
    if (shown.length < tail.length)
      out.push(`_Last ${shown.length} of ${tail.length} lines; the full output is in the log._`);
    out.push('</details>', '');
  }
  const hosts = hostsAfterFailure(r);
  if (hosts.length) out.push('### What happened on each host', '', ...hosts.map((l) => `- ${inline(l)}`), '');
  return out;
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
  add([`## ${title(r)}`, '', ...facts(r)]);
  if (r.ok) add(r.changes.map((line) => `- ${inline(ticks(line))}`).concat(r.changes.length ? [''] : []));
  if (r.details.length)
    add(['', ...markdownBlocks(r.details)], 3, '_The details of this run were too long for the summary; see the log._');
  if (r.failure) add(failureSection(r, r.failure));
  if (showsHostTables(r)) {
    add(hostsTable(r), 4, '_The hosts table was too long for the summary; see the log._');
    add(stepsTable(r), 2, '_The steps table was too long for the summary; see the log._');
  }
  if (r.outputs.size) {
    const out: string[] = [];
    let skipped = 0;
    for (const host of r.inOrder(r.outputs.keys())) {
      const block = hostOutput(host, r.outputs.get(host)!);
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
        ...shown.map((w) => `- ${inline(ticks(cut(w, 1000)))}`),
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
