/** The `environments:` mapping: names to environment settings, each read against the environment key specs. */
import type { SourcePosition } from './errors.js';
import type { Kind, KeySpecs } from './kind.js';
import { mappingEntries, readMapping, type Mapping } from './mapping.js';

/** `environments:` — names to environment mappings, each read against `specs`. */
export interface EnvironmentEntry<S extends KeySpecs> {
  name: string;
  /** Where the environment's name is written. */
  position: SourcePosition;
  /** The settings; undefined when the environment is not a mapping (already reported). */
  mapping: Pick<Mapping<S>, 'values' | 'keys'> | undefined;
  path: string;
}

const ENVIRONMENT_NAME = /^[A-Za-z0-9._-]+$/;

export function environmentMap<S extends KeySpecs>(
  specs: S,
  misplaced: Readonly<Record<string, string>>,
): Kind<EnvironmentEntry<S>[]> {
  return {
    label: 'map of environment name to settings',
    jsonSchema: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: ENVIRONMENT_NAME.source },
      additionalProperties: { $ref: '#/$defs/environment' },
    },
    read(node, at) {
      const entries = mappingEntries(node, at);
      if (!entries) return undefined;
      if (entries.length === 0) return at.problem(node, 'must define at least one environment');
      const out: EnvironmentEntry<S>[] = [];
      for (const { key, keyNode, value } of entries) {
        const envAt = at.child(key);
        if (!ENVIRONMENT_NAME.test(key)) {
          envAt.problem(keyNode, 'invalid environment name: use letters, digits, `.`, `_` and `-`');
          out.push({ name: key, position: envAt.position(keyNode), mapping: undefined, path: envAt.path });
          continue;
        }
        const mapping = readMapping(value, envAt, specs, { misplaced });
        out.push({
          name: key,
          position: envAt.position(keyNode),
          mapping: mapping && { values: mapping.values, keys: mapping.keys },
          path: envAt.path,
        });
      }
      return out;
    },
    toJson: (envs) => Object.fromEntries(envs.map((e) => [e.name, {}])),
  };
}
