/**
 * Host fields written with `${NAME}` (`host`, `user`, `port`, `deploy_path`, a whole host entry): read as they are
 * written, their references checked at once (syntax, runner-internal names), and expanded and checked for the chosen
 * environment only (host-expand.ts), since another environment's variables need not be set.
 */
import { isScalar } from 'yaml';
import type { Cursor } from './cursor.js';
import type { SourcePosition } from './errors.js';
import { checkReferences } from './expand.js';
import type { Kind } from './kind.js';

/** JSON Schema pattern of a string that references a variable. */
export const REFERENCE_PATTERN = '\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}';

/** A value with `${NAME}` in it, as written: expanded once the environment is chosen. */
export interface Deferred {
  template: string;
  position: SourcePosition;
  path: string;
}

export function isDeferred(value: unknown): value is Deferred {
  return typeof value === 'object' && value !== null && 'template' in value;
}

/** The text of a value as written: a plain value, or the template of a deferred one. */
export function written(value: string | number | Deferred): string {
  return isDeferred(value) ? value.template : String(value);
}

/** Whether a string asks for expansion. */
export function hasReference(value: string): boolean {
  return value.includes('${');
}

/** `${DEPLOY_HOST}`, `${A} and ${B}`: the variables a template names, for messages. */
export function referencedNames(template: string): string {
  const names = [...template.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => `\${${m[1]}}`);
  return [...new Set(names)].join(' and ') || JSON.stringify(template);
}

/**
 * Reads a string with `${NAME}` in it as a Deferred (its references checked now), anything else as the value's
 * kind. Undefined when it is not such a string.
 */
export function readDeferred(node: unknown, at: Cursor): Deferred | undefined | null {
  const resolved = at.resolve(node);
  if (!isScalar(resolved) || typeof resolved.value !== 'string' || !hasReference(resolved.value)) return null;
  const template = resolved.value;
  if (/[\0\n\r]/.test(template)) return at.problem(node, 'must not contain NUL or newline characters');
  const { problems } = checkReferences(template, {});
  for (const problem of problems) at.problem(node, problem);
  return problems.length ? undefined : { template, ...at.located(template, node) };
}

/** `kind`, or a string with `${NAME}` in it (expanded from the step's environment, then checked as `kind`). */
export function expandable<T>(kind: Kind<T>): Kind<T | Deferred> {
  return {
    label: `${kind.label} (or \`\${NAME}\`)`,
    jsonSchema: { anyOf: [kind.jsonSchema, { type: 'string', pattern: REFERENCE_PATTERN }] },
    read(node, at) {
      const deferred = readDeferred(node, at);
      return deferred === null ? kind.read(node, at) : deferred;
    },
    toJson: (value) => (isDeferred(value) ? value.template : kind.toJson(value)),
  };
}
