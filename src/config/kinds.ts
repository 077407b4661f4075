/** Scalar kinds of values in deploy.yml: each reads a YAML node, checks it, and describes itself as JSON Schema. */
import { isScalar } from 'yaml';
import type { Cursor } from './cursor.js';
import { describeNode } from './cursor.js';
import { DURATION_PATTERN, formatDuration, parseDuration } from './duration.js';
import { userProblem, USER_PATTERN } from './hosts.js';
import type { JsonObject, Kind } from './kind.js';
import { deployPathProblem } from './paths.js';

type Check = (value: string) => string | undefined;

function noNul(value: string): string | undefined {
  return value.includes('\0') ? 'must not contain NUL characters' : undefined;
}

/** A string scalar (never a number or boolean that merely looks like one). */
export function readText(node: unknown, at: Cursor, check?: Check): string | undefined {
  const resolved = at.resolve(node);
  if (!isScalar(resolved) || typeof resolved.value !== 'string') {
    return at.problem(node, `must be a string (got ${describeNode(resolved)})`);
  }
  const problem = noNul(resolved.value) ?? check?.(resolved.value);
  return problem ? at.problem(node, problem) : resolved.value;
}

export function same<T>(value: T): T {
  return value;
}

export function text(options: { label?: string; check?: Check; schema?: JsonObject } = {}): Kind<string> {
  return {
    label: options.label ?? 'string',
    jsonSchema: { type: 'string', ...options.schema },
    read: (node, at) => readText(node, at, options.check),
    toJson: same,
  };
}

export const name = (label: string): Kind<string> =>
  text({ label, check: userProblem, schema: { pattern: USER_PATTERN } });

export const applicationName: Kind<string> = text({
  label: 'non-empty string',
  check: (v) =>
    v.trim() === '' ? 'must not be empty' : /[\n\r/]/.test(v) ? 'must not contain `/` or newlines' : undefined,
  schema: { minLength: 1, pattern: '^[^/\\n\\r]+$' },
});

/** Why `value` is not an http(s) URL with a host name, or undefined. */
export function urlProblem(value: string): string | undefined {
  try {
    const parsed = new URL(value);
    if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname) return undefined;
  } catch {
    // fall through to the message
  }
  return `must be an http:// or https:// URL (got ${JSON.stringify(value)})`;
}

export const url: Kind<string> = text({
  label: 'http(s) URL',
  check: urlProblem,
  schema: { format: 'uri', pattern: '^https?://' },
});

/** A shell command: a non-empty string. */
export const command: Kind<string> = text({
  label: 'shell command',
  check: (v) => (v.trim() === '' ? 'must not be empty' : undefined),
  schema: { minLength: 1, pattern: '\\S' },
});

export const absolutePath: Kind<string> = text({
  label: 'absolute path',
  check: deployPathProblem,
  schema: { pattern: '^/' },
});

export const boolean: Kind<boolean> = {
  label: 'boolean',
  jsonSchema: { type: 'boolean' },
  read(node, at) {
    const resolved = at.resolve(node);
    if (isScalar(resolved) && typeof resolved.value === 'boolean') return resolved.value;
    return at.problem(node, `must be true or false (got ${describeNode(resolved)})`);
  },
  toJson: same,
};

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Kind<number> {
  const label = max === Number.MAX_SAFE_INTEGER ? `integer >= ${min}` : `integer from ${min} to ${max}`;
  return {
    label,
    jsonSchema:
      max === Number.MAX_SAFE_INTEGER
        ? { type: 'integer', minimum: min }
        : { type: 'integer', minimum: min, maximum: max },
    read(node, at) {
      const resolved = at.resolve(node);
      const value = isScalar(resolved) ? resolved.value : undefined;
      if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
      return at.problem(node, `must be an ${label} (got ${describeNode(resolved)})`);
    },
    toJson: same,
  };
}

export function oneOf<const V extends string>(values: readonly V[]): Kind<V> {
  const label = values.map((v) => `\`${v}\``).join(', ');
  return {
    label: `one of ${label}`,
    jsonSchema: { type: 'string', enum: [...values] },
    read(node, at) {
      const resolved = at.resolve(node);
      const value = isScalar(resolved) ? resolved.value : undefined;
      const found = values.find((v) => v === value);
      if (found !== undefined) return found;
      return at.problem(node, `must be one of ${label} (got ${describeNode(resolved)})`);
    },
    toJson: same,
  };
}

/**
 * A file mode as octal digits: `"0755"`, `"775"`, or a YAML integer (`0755` and `755` are read by YAML 1.2 as
 * decimal 755, so the decimal digits are taken as the octal digits; `0o755` is a true octal). Normalised to 4 digits.
 */
export const octalMode: Kind<string> = {
  label: 'octal file mode',
  jsonSchema: {
    oneOf: [
      { type: 'string', pattern: '^[0-7]{3,4}$' },
      { type: 'integer', minimum: 0, maximum: 7777 },
    ],
  },
  read(node, at) {
    const resolved = at.resolve(node);
    const value = isScalar(resolved) ? resolved.value : undefined;
    let digits: string | undefined;
    if (typeof value === 'string') digits = value;
    else if (isScalar(resolved) && typeof value === 'number' && Number.isInteger(value) && value >= 0) {
      if (resolved.format === 'OCT') digits = value.toString(8);
      else digits = resolved.source && /^[0-9]+$/.test(resolved.source) ? resolved.source : String(value);
    }
    if (digits !== undefined && /^[0-7]{3,4}$/.test(digits)) return digits.padStart(4, '0');
    return at.problem(node, `must be an octal file mode such as "0755" or "775" (got ${describeNode(resolved)})`);
  },
  toJson: same,
};

/**
 * A duration (`30s`, `1500ms`, `2m`, or a bare integer meaning seconds; see parseDuration), read as milliseconds
 * and checked to be from `minMs` to `maxMs`.
 */
export function duration(minMs: number, maxMs: number): Kind<number> {
  const range = minMs > 0 ? `more than 0 and at most ${formatDuration(maxMs)}` : `at most ${formatDuration(maxMs)}`;
  return {
    label: `duration, ${range}`,
    jsonSchema: {
      oneOf: [
        { type: 'string', pattern: DURATION_PATTERN },
        { type: 'integer', minimum: Math.ceil(minMs / 1000), maximum: Math.floor(maxMs / 1000) },
      ],
    },
    read(node, at) {
      const resolved = at.resolve(node);
      const value = isScalar(resolved) ? resolved.value : undefined;
      let ms: number | undefined;
      if (typeof value === 'string') ms = parseDuration(value);
      else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ms = value * 1000;
      if (ms === undefined || !Number.isSafeInteger(ms)) {
        return at.problem(
          node,
          `must be a duration such as \`30s\`, \`1500ms\` or \`2m\` (a bare integer is seconds) (got ${describeNode(resolved)})`,
        );
      }
      if (ms < minMs || ms > maxMs) return at.problem(node, `must be ${range} (got ${describeNode(resolved)})`);
      return ms;
    },
    toJson: formatDuration,
  };
}
