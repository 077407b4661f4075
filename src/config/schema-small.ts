/** Keys for what users trip on: `exclude_from` (an ignore file beside `exclude`) and the `rollback` hooks. */
import type { Located } from './cursor.js';
import { hookList, type HookKeys } from './hook-kind.js';
import { key, type Kind, type KeySpecs } from './kind.js';
import { readText } from './kinds.js';

/** Why an `exclude_from` path is not acceptable, or undefined. */
export function ignoreFileProblem(value: string): string | undefined {
  if (value.trim() === '') return 'must not be empty';
  if (/[\n\r]/.test(value)) return 'must be one line';
  if (value.startsWith('/')) return `must be relative to the source directory (got ${JSON.stringify(value)})`;
  if (value.includes('\\')) return 'must use `/` as separator, not `\\`';
  if (value.endsWith('/')) return `must name a file, not a directory (got ${JSON.stringify(value)})`;
  return undefined;
}

/** A file in the source directory, with where the config names it (a missing file is reported there). */
export const ignoreFile: Kind<Located<string>> = {
  label: 'path relative to the source directory',
  jsonSchema: { type: 'string', pattern: '^[^/\\\\\\r\\n]([^\\\\\\r\\n]*[^/\\\\\\r\\n])?$' },
  read(node, at) {
    const value = readText(node, at, ignoreFileProblem);
    return value === undefined ? undefined : at.located(value, node);
  },
  toJson: (v) => v.value,
};

/** The keys, spread into the environment keys (the hook keys are schema.ts's, passed in: no import cycle). */
export function smallKeys(hookKeys: HookKeys, misplaced: Readonly<Record<string, string>>) {
  return {
    exclude_from: key({
      kind: ignoreFile,
      description:
        'A file of `exclude` patterns, one per line, relative to the source directory (e.g. `.deployignore`): `#` comments and blank lines are skipped, `!pattern` ships what an earlier line excluded (the last matching line decides). Read before the build; a missing file is an error. The file itself ships unless it lists itself.',
    }),
    rollback: key({
      kind: hookList(hookKeys, { misplaced }),
      default: [],
      description:
        "Shell commands run on each host after a rollback's switch and its `activate` commands, in the live release, before the health check: strings, or mappings with `run` (and `name`, `on`: the hosts it runs on, as for `activate`). One that fails fails the rollback as a failed `activate` does: the switched hosts are switched back.",
    }),
  } satisfies KeySpecs;
}
