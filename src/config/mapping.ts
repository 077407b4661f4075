/** Reading a YAML mapping against key specs: unknown keys (with suggestions), required keys, each value's kind. */
import { isMap, isScalar } from 'yaml';
import type { Cursor } from './cursor.js';
import { describeNode } from './cursor.js';
import type { SourcePosition } from './errors.js';
import type { KeySpecs, ValuesOf } from './kind.js';
import { suggestKey } from './suggest.js';

export interface Mapping<S extends KeySpecs> {
  values: ValuesOf<S>;
  /** Where each written key is. */
  keys: Partial<Record<keyof S & string, SourcePosition>>;
  position: SourcePosition;
}

export interface MappingOptions {
  /** Report the keys these specs mark `required` when absent (at `requiredAt`, default the mapping itself). */
  requiredFrom?: KeySpecs;
  requiredAt?: SourcePosition;
  /** Keys valid elsewhere but not here, with the reason. */
  misplaced?: Readonly<Record<string, string>>;
}

/** Each key as written, with its (unresolved) value node. */
export interface MappingEntry {
  key: string;
  keyNode: unknown;
  value: unknown;
}

/** The entries of a mapping whose keys are strings; reports other keys and `<<` merge keys. */
export function mappingEntries(node: unknown, at: Cursor, what = 'a mapping'): MappingEntry[] | undefined {
  const resolved = at.resolve(node);
  if (!isMap(resolved)) return at.problem(node, `must be ${what} (got ${describeNode(resolved)})`);
  const entries: MappingEntry[] = [];
  for (const pair of resolved.items) {
    const keyNode = pair.key;
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      at.problem(keyNode, `keys must be plain strings (got ${describeNode(keyNode)})`);
      continue;
    }
    if (keyNode.value === '<<') {
      at.problem(keyNode, 'YAML merge keys (`<<`) are not supported; put shared settings at the top level instead');
      continue;
    }
    entries.push({ key: keyNode.value, keyNode, value: pair.value });
  }
  return entries;
}

/** The keys `specs` marks required, listed once per specs (a mapping is read once per host: hundreds of times). */
const REQUIRED = new WeakMap<KeySpecs, readonly string[]>();

function requiredKeys(specs: KeySpecs): readonly string[] {
  let names = REQUIRED.get(specs);
  if (!names) {
    names = Object.keys(specs).filter((name) => specs[name].required);
    REQUIRED.set(specs, names);
  }
  return names;
}

export function readMapping<S extends KeySpecs>(
  node: unknown,
  at: Cursor,
  specs: S,
  options: MappingOptions = {},
): Mapping<S> | undefined {
  const entries = mappingEntries(node, at);
  if (!entries) return undefined;
  const values: Record<string, unknown> = {};
  const keys: Record<string, SourcePosition> = {};
  for (const { key, keyNode, value } of entries) {
    const spec = Object.hasOwn(specs, key) ? specs[key] : undefined;
    if (!spec) {
      // Own keys only: a key named `constructor` or `toString` must not find Object.prototype's members.
      const reason = options.misplaced && Object.hasOwn(options.misplaced, key) ? options.misplaced[key] : undefined;
      if (reason !== undefined) {
        at.child(key).problem(keyNode, reason);
      } else {
        const suggestion = suggestKey(key, Object.keys(specs));
        at.child(key).problem(keyNode, `unknown key${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`);
      }
      continue;
    }
    keys[key] = at.position(keyNode);
    const read = spec.kind.read(value ?? null, at.child(key, keyNode));
    if (read !== undefined) values[key] = read;
  }
  if (options.requiredFrom) {
    for (const name of requiredKeys(options.requiredFrom)) {
      if (!(name in keys)) at.problemAt(options.requiredAt ?? at.position(node), `missing required key \`${name}\``);
    }
  }
  // The loop above stored each value under its own key, read by that key's kind: the shape is ValuesOf<S>.
  return { values: values as ValuesOf<S>, keys: keys as Mapping<S>['keys'], position: at.position(node) };
}
