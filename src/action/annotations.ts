import * as core from '@actions/core';
import { relative } from 'node:path';
import { ConfigError } from '../config/index.js';
import type { FailureReport } from '../report/report.js';

/** Each config problem becomes an error annotation at its file, line and column. */
export function annotateConfigError(error: ConfigError): void {
  const root = process.env['GITHUB_WORKSPACE'] || process.cwd();
  for (const p of error.problems) {
    core.error(`${p.path ? `${p.path}: ` : ''}${p.message}`, {
      title: 'deploy config',
      file: relative(root, p.file) || p.file,
      startLine: p.line,
      startColumn: p.column,
    });
  }
}

/** A step's label for a title: its first line, at most 80 characters. */
function short(label: string): string {
  const line = label.split('\n')[0]!.trim();
  return line.length > 80 || label.includes('\n') ? `${line.slice(0, 79)}…` : line;
}

/**
 * Marks the step failed with one error annotation per problem: config problems at their file, line and column;
 * any other failure as ONE annotation titled with the command, the host and the step (`deploy failed on web1
 * (step: migrate)`). Replaces core.setFailed, which would add a second, untitled error line.
 */
export function annotateFailure(command: string, error: unknown, failure: FailureReport): void {
  process.exitCode = core.ExitCode.Failure;
  if (error instanceof ConfigError && error.problems.length) {
    annotateConfigError(error);
    return;
  }
  const where = failure.host === 'runner' || !failure.host ? '' : `${failure.host}: ${failure.step}: `;
  const host = failure.host === 'runner' ? 'the runner' : (failure.host ?? 'the hosts');
  core.error(`${where}${failure.message}`, { title: `${command} failed on ${host} (step: ${short(failure.step)})` });
}
