/** List kinds: paths relative to the release, exclude globs, host labels. */
import { isSeq } from 'yaml';
import type { Cursor, Located } from './cursor.js';
import { describeNode } from './cursor.js';
import type { Kind } from './kind.js';
import { readText, same } from './kinds.js';
import { globProblem, normaliseRelative, relativePathProblem } from './paths.js';

/** Reads a list, item by item; `each` returns undefined for bad items (having reported them). */
export function readList<T>(
  node: unknown,
  at: Cursor,
  each: (item: unknown, at: Cursor) => T | undefined,
): T[] | undefined {
  const resolved = at.resolve(node);
  if (!isSeq(resolved)) return at.problem(node, `must be a list (got ${describeNode(resolved)})`);
  const out: T[] = [];
  resolved.items.forEach((item, i) => {
    const value = each(item, at.child(i));
    if (value !== undefined) out.push(value);
  });
  return out;
}

const locatedStrings = (values: Located<string>[]): string[] => values.map((v) => v.value);

/** A list of paths relative to the release: normalised (no trailing `/`), checked, no path listed twice. */
export const relativePaths: Kind<Located<string>[]> = {
  label: 'list of relative paths',
  jsonSchema: {
    type: 'array',
    items: { type: 'string', minLength: 1, not: { pattern: '^/|(^|/)\\.\\.?(/|$)|\\\\|^\\.deploy' } },
  },
  read(node, at) {
    const seen = new Map<string, number>();
    return readList(node, at, (item, itemAt) => {
      const raw = readText(item, itemAt);
      if (raw === undefined) return undefined;
      const value = normaliseRelative(raw);
      const problem = relativePathProblem(value);
      if (problem) return itemAt.problem(item, problem);
      const earlier = seen.get(value);
      if (earlier !== undefined) return itemAt.problem(item, `\`${value}\` is listed twice (also at line ${earlier})`);
      const located = itemAt.located(value, item);
      seen.set(value, located.position.line);
      return located;
    });
  },
  toJson: locatedStrings,
};

export const globs: Kind<Located<string>[]> = {
  label: 'list of glob patterns',
  jsonSchema: { type: 'array', items: { type: 'string', minLength: 1 } },
  read: (node, at) =>
    readList(node, at, (item, itemAt) => {
      const value = readText(item, itemAt, globProblem);
      return value === undefined ? undefined : itemAt.located(value, item);
    }),
  toJson: locatedStrings,
};

/** A host label: letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
export const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Host labels (`web`, `worker`): checked, no label listed twice. */
export const labels: Kind<string[]> = {
  label: 'list of labels',
  jsonSchema: { type: 'array', items: { type: 'string', pattern: LABEL_PATTERN.source }, uniqueItems: true },
  read(node, at) {
    const seen = new Map<string, number>();
    return readList(node, at, (item, itemAt) => {
      const value = readText(item, itemAt, (v) =>
        LABEL_PATTERN.test(v)
          ? undefined
          : `invalid label ${JSON.stringify(v)}: use letters, digits, \`.\`, \`_\` and \`-\`, starting with a letter or digit`,
      );
      if (value === undefined) return undefined;
      const earlier = seen.get(value);
      if (earlier !== undefined)
        return itemAt.problem(item, `label \`${value}\` is listed twice (also at line ${earlier})`);
      seen.set(value, itemAt.position(item).line);
      return value;
    });
  },
  toJson: same,
};
