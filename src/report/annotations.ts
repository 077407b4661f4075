import * as core from '@actions/core';
import { relative } from 'node:path';
import type { ConfigError } from '../config/index.js';

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
