/**
 * `exclude_from`: a file of exclude patterns in the source directory (`.deployignore`), one per line, in the
 * `exclude` syntax (src/artifact/exclude.ts): `#` starts a comment line, blank lines are skipped, surrounding white
 * space is dropped, `!pattern` ships what an earlier line excluded (the last matching line decides, as in
 * .gitignore), `\#` and `\!` start a pattern with that character. rsync's `+ `/`- ` prefixes and a lone `!` (rsync:
 * clear the list) mean something else there, so they are refused rather than read as names.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, type ConfigProblem, type EnvironmentConfig } from '../config/index.js';
import { excluder, type ExcludeTest, type IgnoreRule } from './exclude.js';

export interface ParsedIgnoreFile {
  rules: IgnoreRule[];
  /** Lines that are not patterns, at their line in `file`. */
  problems: ConfigProblem[];
}

/** The rules of an ignore file's text; `file` names it in problems. */
export function parseIgnoreFile(text: string, file: string): ParsedIgnoreFile {
  const rules: IgnoreRule[] = [];
  const problems: ConfigProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const rule = readLine(line);
    if (typeof rule === 'string') problems.push({ file, line: i + 1, column: 1, path: '', message: rule });
    else rules.push(rule);
  });
  return { rules, problems };
}

/** One line that is not blank or a comment: its rule, or why it is not one. */
function readLine(line: string): IgnoreRule | string {
  if (/^[+-] /.test(line)) {
    return `\`${line.slice(0, 40)}\`: rsync's \`+ \`/\`- \` prefixes are not supported; write the pattern alone to exclude it, \`!pattern\` to ship it after all (the last matching line decides)`;
  }
  const negated = line.startsWith('!');
  const pattern = (negated ? line.slice(1) : line).replace(/^\\([#!])/, '$1');
  if (pattern === '') return 'a line with `!` alone names nothing; write `!pattern`';
  if (pattern.includes('\0')) return 'must not contain NUL characters';
  return { pattern, negated };
}

/**
 * What does not ship: `exclude`, and the `exclude_from` file's lines when there is one. The file is read from the
 * source directory; a missing or unreadable one, or a line that is not a pattern, is a config error (thrown before
 * anything is built or connected to).
 */
export async function shipExcluder(
  config: Pick<EnvironmentConfig, 'exclude' | 'excludeFrom'>,
  source: string,
): Promise<ExcludeTest> {
  const from = config.excludeFrom;
  if (!from) return excluder(config.exclude);
  const file = resolve(source, from.value);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `\`${from.value}\` does not exist in the source directory ${source}: create it, or correct or remove \`exclude_from\``
        : code === 'EISDIR'
          ? `\`${from.value}\` is a directory in ${source}; \`exclude_from\` names a file of patterns`
          : `cannot read \`${from.value}\` in ${source} (${code ?? String(error)})`;
    throw new ConfigError([{ ...from.position, path: from.path, message: why }]);
  }
  const parsed = parseIgnoreFile(text, file);
  if (parsed.problems.length) throw new ConfigError(parsed.problems);
  return excluder(config.exclude, parsed.rules);
}
