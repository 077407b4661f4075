/**
 * Hook lists (`build`, `deploy`, `activate`): each entry a command string or a mapping with `run` (and `name`,
 * `once`).
 */
import { isMap, isScalar } from 'yaml';
import type { Cursor } from './cursor.js';
import { describeNode } from './cursor.js';
import { objectSchema, type JsonValue, type KeySpec, type KeySpecs, type Kind } from './kind.js';
import { command, text } from './kinds.js';
import { readList } from './list-kinds.js';
import { readMapping } from './mapping.js';
import type { HookConfig, HookTarget } from './types.js';

/** The keys of a hook written as a mapping; `on` and `once` are read when the specs have them. */
export interface HookKeys extends KeySpecs {
  run: KeySpec<string>;
  name: KeySpec<string>;
}

/** Longest hook `name:` (it heads log lines and table rows). */
export const HOOK_NAME_MAX = 60;

/** A hook's `name:`: one short line of printable text. */
export const hookName: Kind<string> = text({
  label: 'one-line text',
  check: (v) =>
    v.trim() === ''
      ? 'must not be empty'
      : /[\x00-\x1f\x7f]/.test(v)
        ? 'must be one line without control characters'
        : [...v].length > HOOK_NAME_MAX
          ? `must be at most ${HOOK_NAME_MAX} characters (got ${[...v].length})`
          : undefined,
  schema: { minLength: 1, maxLength: HOOK_NAME_MAX, pattern: '^[^\\x00-\\x1f\\x7f]*\\S[^\\x00-\\x1f\\x7f]*$' },
});

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
  const name = mapping.values.name?.trim();
  const target = hookTarget(mapping.values, at);
  if (target === undefined) return undefined;
  return { run, ...(name ? { name } : {}), ...target, position: mapping.position };
}

const isTarget = (v: unknown): v is HookTarget => typeof v === 'object' && v !== null && 'items' in v;

/** `once` and `on` as a hook's fields: `once: label=db` is `on: label=db` with `once: true`; not with `on` too. */
function hookTarget(values: Record<string, unknown>, at: Cursor): Pick<HookConfig, 'once' | 'on'> | undefined {
  const { on, once } = values;
  if (isTarget(once) && isTarget(on)) {
    return at
      .child('once')
      .problemAt(
        once.position,
        'name the hosts in `on` or in `once`, not both (`once: true` with `on` runs on the first host `on` picks)',
      );
  }
  const where = isTarget(once) ? once : isTarget(on) ? on : undefined;
  return { once: once === true || isTarget(once), ...(where ? { on: where } : {}) };
}

export function hookList(keys: HookKeys, options: HookListOptions = {}): Kind<HookConfig[]> {
  return {
    label: 'list of shell commands',
    jsonSchema: {
      type: 'array',
      items: { oneOf: [command.jsonSchema, objectSchema(keys)] },
    },
    read: (node, at) => readList(node, at, (item, itemAt) => readHook(item, itemAt, keys, options)),
    toJson: (hooks) =>
      hooks.map(
        (h): JsonValue =>
          h.once || h.name || h.on
            ? {
                ...(h.name ? { name: h.name } : {}),
                run: h.run,
                ...(h.on ? { on: h.on.items } : {}),
                ...(h.once ? { once: true } : {}),
              }
            : h.run,
      ),
  };
}

/** Longest label made from a hook's command. */
const LABEL_MAX = 60;

/**
 * What the log and the summary call a hook: its `name:`, or else the first line of its command, shortened (a
 * `run: |` block is never shown whole on one line).
 */
export function hookLabel(hook: { run: string; name?: string }): string {
  if (hook.name) return hook.name;
  const lines = hook.run.split('\n').filter((l) => l.trim() !== '');
  const first = (lines[0] ?? hook.run).trim();
  const chars = [...first];
  if (chars.length > LABEL_MAX) return `${chars.slice(0, LABEL_MAX - 1).join('')}…`;
  return lines.length > 1 ? `${first} …` : first;
}
