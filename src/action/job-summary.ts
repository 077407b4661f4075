import * as core from '@actions/core';
import { relative } from 'node:path';
import type { ConfigError } from '../config/index.js';
import { ticks } from '../report/document.js';
import { code, cut, inline, md } from '../report/markdown.js';

/** Problems listed in a config error's summary; the rest are counted (every one is an annotation all the same). */
const MAX_LISTED = 20;

/**
 * Writes the job summary. Outside a runner (`node dist/index.js` from a terminal: no GITHUB_STEP_SUMMARY) there is
 * no summary to write: said on a debug line, and the run's outcome stands. A summary file that cannot be written
 * is a warning, never a crash after the deploy itself went through.
 */
export async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) {
    core.debug('GITHUB_STEP_SUMMARY is not set (not running on a GitHub runner): the job summary is skipped');
    return;
  }
  try {
    await core.summary.addRaw(markdown).write({ overwrite: false });
  } catch (error) {
    core.summary.emptyBuffer();
    core.warning(`the job summary could not be written: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The summary of a run stopped by its config: each problem with its file, line, key and message (the same as its
 * annotation), so the job's page says why nothing was deployed.
 */
export function configErrorSummary(command: string, error: ConfigError): string {
  const root = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const count = error.problems.length;
  const out = [
    `## ❌ Config error: ${md(command)} did not start`,
    '',
    `${count === 1 ? 'One problem' : `${count} problems`} in the deploy config; nothing was deployed and no host was reached.`,
    '',
    '| File | Line | Key | Problem |',
    '|---|---|---|---|',
  ];
  for (const p of error.problems.slice(0, MAX_LISTED)) {
    const file = relative(root, p.file) || p.file;
    out.push(
      `| ${code(file, true)} | ${p.line}:${p.column} | ${p.path ? code(p.path, true) : '(the file)'} | ${inline(ticks(cut(p.message, 500)), true)} |`,
    );
  }
  if (count > MAX_LISTED) out.push('', `_…and ${count - MAX_LISTED} more: every problem is annotated in the log._`);
  out.push('');
  return out.join('\n');
}

/**
 * The summary of a run stopped before its command began by anything else than its config (an input, the hosts
 * selection): the message, and that nothing was deployed.
 */
export function startErrorSummary(command: string, error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return [
    `## ❌ ${md(command)} did not start`,
    '',
    inline(ticks(cut(text, 2000))),
    '',
    'Nothing was deployed and no host was reached.',
    '',
  ].join('\n');
}
