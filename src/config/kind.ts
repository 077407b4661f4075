/** The vocabulary of the schema: a Kind reads and checks one YAML value; a KeySpec describes one key. */
import type { Cursor } from './cursor.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Kind<T> {
  /** Short human description for docs, e.g. `integer >= 1`. */
  label: string;
  /** JSON Schema (draft 2020-12) fragment for the value. */
  jsonSchema: JsonObject;
  /** Reads and checks the value; records problems on the cursor and returns undefined when it is bad. */
  read(node: unknown, at: Cursor): T | undefined;
  /** The value as plain JSON (for `default` in the JSON Schema). */
  toJson(value: T): JsonValue;
}

export interface KeySpec<T> {
  kind: Kind<T>;
  /** Documentation for README and JSON Schema. */
  description: string;
  default?: T;
  required?: boolean;
}

export type KeySpecs = Record<string, KeySpec<unknown>>;

/** The typed values read from a mapping described by `S` (each key optional: it may not be written). */
export type ValuesOf<S extends KeySpecs> = {
  [K in keyof S]?: S[K] extends KeySpec<infer T> ? T : never;
};

/** Builds a key spec, keeping its value type and whether it has a default (so defaults type-check). */
export function key<T>(spec: Omit<KeySpec<T>, 'default'> & { default: NoInfer<T> }): KeySpec<T> & { default: T };
export function key<T>(
  spec: Omit<KeySpec<T>, 'default'> & { default?: undefined },
): KeySpec<T> & { default: undefined };
export function key<T>(spec: KeySpec<T>): KeySpec<T> {
  return spec;
}

/** JSON Schema for a mapping described by key specs (no unknown keys); `requiredFrom` says which keys are required. */
export function objectSchema(specs: KeySpecs, requiredFrom: KeySpecs = specs): JsonObject {
  const properties: JsonObject = {};
  for (const [keyName, spec] of Object.entries(specs)) {
    const property: JsonObject = { description: spec.description, ...spec.kind.jsonSchema };
    if (spec.default !== undefined) property.default = spec.kind.toJson(spec.default);
    properties[keyName] = property;
  }
  const required = Object.keys(requiredFrom).filter((k) => requiredFrom[k].required);
  return { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}) };
}
