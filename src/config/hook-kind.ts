/** Hook lists (`build`, `deploy`, `activate`): each entry a command string or a mapping with `run` (and `once`). */
import { isMap, isScalar } from 'yaml';
import type { Cursor } from './cursor.js';
import { describeNode } from './cursor.js';
import { objectSchema, type JsonValue, type KeySpec, type KeySpecs, type Kind } from './kind.js';
import { command } from './kinds.js';
import { readList } from './list-kinds.js';
import { readMapping } from './mapping.js';
import type { HookConfig } from './types.js';

/** The keys of a hook written as a mapping; `once` is read when the specs have it. */
export interface HookKeys extends KeySpecs {
  run: KeySpec<string>;
}

export interface HookListOptions {
  /** Keys refused in this list's mappings, with the reason (e.g. `once` outside `deploy`). */
  misplaced?: Readonly<Record<string, string>>;
}

function readHook(item: unknown, at: Cursor, keys: HookKeys, options: HookListOptions): HookConfig | undefined {
  const resolved = at.resolve(item);
  if (isScalar(resolved) && typeof resolved.value === 'string') {
    const run = command.read(item, at);
    return run === undefined ? undefined : { run, once: false, position: at.position(item) };
  }
  if (!isMap(resolved)) {
    return at.problem(item, `must be a command string or a mapping with \`run\` (got ${describeNode(resolved)})`);
  }
  const mapping = readMapping(item, at, keys, { requiredFrom: keys, misplaced: options.misplaced });
  const run = mapping?.values.run;
  if (!mapping || run === undefined) return undefined;
  return { run, once: mapping.values.once === true, position: mapping.position };
}

export function hookList(keys: HookKeys, options: HookListOptions = {}): Kind<HookConfig[]> {
  return {
    label: 'list of shell commands',
    jsonSchema: {
      type: 'array',
      items: { oneOf: [command.jsonSchema, objectSchema(keys)] },
    },
    read: (node, at) => readList(node, at, (item, itemAt) => readHook(item, itemAt, keys, options)),
    toJson: (hooks) => hooks.map((h): JsonValue => (h.once ? { run: h.run, once: true } : h.run)),
  };
}
