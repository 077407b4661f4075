import type { InvalidValue } from '../releases/history.js';
import type { PhaseResult } from './session.js';

/**
 * The values of a phase's result for the keys a step reports once, each checked to be reported at most once (`one`
 * gives '' for a key reported twice, and notes it as invalid: a second value is a forged marker, or a bug, never
 * joined or chosen between).
 */
export function singleValues(
  result: Pick<PhaseResult, 'data'>,
  invalid: InvalidValue[],
  keys: readonly string[],
): (key: string) => string {
  const twice = new Set(keys.filter((k) => (result.data.get(k)?.length ?? 0) > 1));
  for (const k of twice)
    invalid.push({
      what: `the value "${k}", reported ${result.data.get(k)!.length} times (a forged report?)`,
      value: result.data.get(k)!.join('\n'),
    });
  return (key) => (twice.has(key) ? '' : (result.data.get(key)?.[0] ?? ''));
}

/** A blob as bytes, under the same rule: a blob sent twice is neither. */
export function singleBlob(result: Pick<PhaseResult, 'bytes'>, key: string): Buffer | undefined {
  return result.bytes.get(key)?.length === 1 ? result.bytes.get(key)![0] : undefined;
}

/** How an invalid value is shown in the log: as a JSON string (escapes shown), cut to 120 characters. */
export function shownInvalid(value: string): string {
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 119)}…` : json;
}
