/** `${NAME}` expansion in env values: `$${NAME}` is a literal `${NAME}`; unset variables are errors. */

export interface Expansion {
  value: string;
  /** The expanded value (when anything was substituted) and each non-empty substituted piece. */
  secrets: string[];
  /** Why expansion failed, one message per bad reference. */
  problems: string[];
}

const REFERENCE = /\$\$\{|\$\{([^}]*)(\})?/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function expandValue(input: string, env: Readonly<Record<string, string | undefined>>): Expansion {
  const secrets: string[] = [];
  const problems: string[] = [];
  let substituted = false;
  const value = input.replace(REFERENCE, (match: string, name: string | undefined, close: string | undefined) => {
    if (match === '$${') return '${';
    if (close === undefined || name === undefined || !VARIABLE_NAME.test(name)) {
      problems.push(
        `invalid reference ${JSON.stringify(match)}: write \${NAME} with a variable name, or $\${ for a literal \${`,
      );
      return match;
    }
    // Own string values only: `${constructor}` or `${__proto__}` must not expand to Object.prototype's members.
    const replacement = Object.hasOwn(env, name) && typeof env[name] === 'string' ? env[name] : undefined;
    if (replacement === undefined) {
      problems.push(`references \${${name}}, which is not set in the step's environment`);
      return match;
    }
    substituted = true;
    if (replacement !== '') secrets.push(replacement);
    return replacement;
  });
  if (substituted && value !== '') secrets.unshift(value);
  return { value, secrets: [...new Set(secrets)], problems };
}
