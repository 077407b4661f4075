/**
 * Where a hook runs (`on:`, `once:`) and a host's own `env:` and `vars:`. Selectors are read as the `hosts` input
 * reads them (host-selector.ts); whether one matches a host of the environment is checked in hook-targets.ts.
 */
import { isScalar, isSeq } from 'yaml';
import type { Cursor, Located } from './cursor.js';
import { describeNode } from './cursor.js';
import { hasReference } from './deferred.js';
import { checkReferences } from './expand.js';
import { envMap } from './env-kind.js';
import { selectorFor } from './host-selector.js';
import type { Kind } from './kind.js';
import { LABEL_PATTERN } from './list-kinds.js';
import type { HookTarget } from './types.js';

/** A selector as JSON Schema: `label=NAME` or a host (no `=`, `,` or blanks). */
const SELECTOR_PATTERN = `^(label=${LABEL_PATTERN.source.slice(1, -1)}|[^=,\\s]+)(\\s*,\\s*(label=${LABEL_PATTERN.source.slice(1, -1)}|[^=,\\s]+))*$`;
const SELECTOR_SCHEMA = { type: 'string', pattern: SELECTOR_PATTERN } as const;

/** Why one item cannot select a host, or undefined. */
function itemProblem(item: string): string | undefined {
  const selector = selectorFor(item);
  if (typeof selector === 'string') return `${selector} (write a host or label=NAME)`;
  if (selector.label !== undefined && !LABEL_PATTERN.test(selector.label))
    return `invalid label ${JSON.stringify(selector.label)}: use letters, digits, \`.\`, \`_\` and \`-\``;
  return undefined;
}

/** Reads one string or a list of strings, each possibly `a,b`, into selectors. */
function readTarget(node: unknown, at: Cursor, key: HookTarget['key']): HookTarget | undefined {
  const resolved = at.resolve(node);
  const nodes = isSeq(resolved) ? resolved.items : [node];
  const items: string[] = [];
  let bad = false;
  for (const item of nodes) {
    const value = at.resolve(item);
    if (!isScalar(value) || typeof value.value !== 'string') {
      at.problem(item, `must be a host, label=NAME, or a list of them (got ${describeNode(value)})`);
      bad = true;
      continue;
    }
    for (const part of value.value.split(',').map((s) => s.trim())) {
      const problem = part === '' ? 'must not be empty' : itemProblem(part);
      if (problem) {
        at.problem(item, problem);
        bad = true;
      } else items.push(part);
    }
  }
  if (bad) return undefined;
  if (!items.length) return at.problem(node, 'must name at least one host or label=NAME');
  return { items, key, path: at.path, position: at.position(node) };
}

/** `on:` of a deploy or activate hook. */
export const hookOn: Kind<HookTarget> = {
  label: 'host, label=NAME, or a list of them',
  jsonSchema: { anyOf: [SELECTOR_SCHEMA, { type: 'array', minItems: 1, items: SELECTOR_SCHEMA }] },
  read: (node, at) => readTarget(node, at, 'on'),
  toJson: (target) => target.items,
};

/** `once:` of a deploy hook: `true` (the first host), or where (`label=db`: the first host with that label). */
export const hookOnce: Kind<boolean | HookTarget> = {
  label: 'boolean, host or label=NAME',
  jsonSchema: { anyOf: [{ type: 'boolean' }, SELECTOR_SCHEMA] },
  read(node, at) {
    const resolved = at.resolve(node);
    if (isScalar(resolved) && typeof resolved.value === 'boolean') return resolved.value;
    if (isScalar(resolved) && typeof resolved.value === 'string') return readTarget(node, at, 'once');
    return at.problem(node, `must be true, false, a host or label=NAME (got ${describeNode(resolved)})`);
  },
  toJson: (v) => (typeof v === 'boolean' ? v : v.items.join(',')),
};

type EnvEntries = (Located<string> & { name: string })[];

/** A host's `env:`: as the environment's, its `${NAME}` references checked as written. */
export const hostEnvMap: Kind<EnvEntries> = {
  ...envMap,
  read(node, at) {
    return envMap.read(node, at)?.filter((entry) => {
      const { problems } = checkReferences(entry.value, {});
      for (const problem of problems) at.child(entry.name).problemAt(entry.position, problem);
      return problems.length === 0;
    });
  },
};

/** A host's `vars:`: names as in `env`, plain values (a dry run's plan shows them: no `${NAME}`, no secrets). */
export const hostVarsMap: Kind<EnvEntries> = {
  ...envMap,
  jsonSchema: {
    ...envMap.jsonSchema,
    additionalProperties: { anyOf: [{ type: 'string', not: { pattern: '\\$\\{' } }, { type: ['number', 'boolean'] }] },
  },
  read(node, at) {
    return envMap.read(node, at)?.filter((entry) => {
      if (!hasReference(entry.value)) return true;
      at.child(entry.name).problemAt(
        entry.position,
        "`vars` are plain values, shown in a dry run's plan: put a value from `${NAME}` (a secret) in the host's `env`",
      );
      return false;
    });
  },
};
