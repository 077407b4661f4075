/** An environment's keys over the top-level defaults, as validate.ts reads them. */
import type { Cursor } from './cursor.js';
import type { SourcePosition } from './errors.js';
import type { ValuesOf } from './kind.js';
import type { Mapping } from './mapping.js';
import { ENVIRONMENT_KEYS, type EnvironmentSpecs, type TopLevelSpecs } from './schema.js';

type EnvironmentValues = ValuesOf<EnvironmentSpecs>;
export type Key = keyof EnvironmentSpecs;

/** An environment's keys with top-level defaults applied (environment value replaces, no deep merge). */
export class Merged {
  constructor(
    private readonly top: Mapping<TopLevelSpecs>,
    private readonly own: Pick<Mapping<EnvironmentSpecs>, 'values' | 'keys'>,
  ) {}

  get<K extends Key>(k: K): EnvironmentValues[K] {
    return k in this.own.keys ? this.own.values[k] : this.top.values[k];
  }

  written(k: Key): boolean {
    return k in this.own.keys || k in this.top.keys;
  }

  or<K extends Key>(k: K): NonNullable<EnvironmentValues[K]> | EnvironmentSpecs[K]['default'] {
    return this.get(k) ?? ENVIRONMENT_KEYS[k].default;
  }
}

export function checkRequired(merged: Merged, at: Cursor, position: SourcePosition): void {
  for (const [k, spec] of Object.entries(ENVIRONMENT_KEYS)) {
    if ('required' in spec && spec.required && !merged.written(k as Key)) {
      at.problemAt(position, `missing required key \`${k}\``);
    }
  }
}
