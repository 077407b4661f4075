/** Durations as written in deploy.yml: `30s`, `1500ms`, `2m`, `1h`, or a bare integer meaning seconds. */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** JSON Schema pattern of a duration written as a string. */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h)?$';

/**
 * The duration in milliseconds, or undefined when `text` is not a duration: a non-negative integer followed by
 * `ms`, `s`, `m` or `h`, or a bare integer (seconds). No spaces, signs, fractions or combined units (`1m30s`).
 */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]+)(ms|s|m|h)?$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? 's'];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The shortest exact written form of `ms`: `2m`, `30s`, `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
