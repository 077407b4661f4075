/** The `env:` mapping of variable names to values. */
import { isScalar } from 'yaml';
import type { Located } from './cursor.js';
import { describeNode } from './cursor.js';
import type { Kind } from './kind.js';
import { mappingEntries } from './mapping.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `env:` as written: names checked, values stringified (numbers keep their written form), not yet expanded. */
export const envMap: Kind<(Located<string> & { name: string })[]> = {
  label: 'map of NAME to string, number or boolean',
  jsonSchema: {
    type: 'object',
    propertyNames: { pattern: ENV_NAME.source, not: { pattern: '^[Dd][Ee][Pp][Ll][Oo][Yy]_' } },
    additionalProperties: { type: ['string', 'number', 'boolean'] },
  },
  read(node, at) {
    const entries = mappingEntries(node, at, 'a mapping of NAME: value');
    if (!entries) return undefined;
    const out: (Located<string> & { name: string })[] = [];
    for (const { key, keyNode, value } of entries) {
      const entryAt = at.child(key);
      if (!ENV_NAME.test(key)) {
        entryAt.problem(keyNode, 'invalid variable name: use letters, digits and `_`, not starting with a digit');
        continue;
      }
      if (/^DEPLOY_/i.test(key)) {
        entryAt.problem(keyNode, 'names starting with `DEPLOY_` are reserved for deploy-action');
        continue;
      }
      const resolved = entryAt.resolve(value);
      const scalar = isScalar(resolved) ? resolved.value : undefined;
      let text: string | undefined;
      if (typeof scalar === 'string') text = scalar;
      else if (typeof scalar === 'boolean') text = String(scalar);
      else if (typeof scalar === 'number' && isScalar(resolved)) text = resolved.source ?? String(scalar);
      if (text === undefined) {
        entryAt.problem(value, `must be a string, number or boolean (got ${describeNode(resolved)})`);
        continue;
      }
      if (text.includes('\0')) {
        entryAt.problem(value, 'must not contain NUL characters');
        continue;
      }
      out.push({ name: key, ...entryAt.located(text, value) });
    }
    return out;
  },
  toJson: (entries) => Object.fromEntries(entries.map((e) => [e.name, e.value])),
};
