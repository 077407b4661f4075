/**
 * `${NAME}` expansion in env values: `$${NAME}` is a literal `${NAME}`; unset variables are errors; variables
 * internal to the GitHub Actions runner are refused whether set or not (they must never reach a host).
 */

export interface Expansion {
  value: string;
  /** The expanded value (when anything was substituted) and each non-empty substituted piece. */
  secrets: string[];
  /** Why expansion failed, one message per bad reference. */
  problems: string[];
}

/** What a value's references allow without reading any variable's value (for a command that runs no hook). */
export interface ReferenceCheck {
  /** References that are wrong whatever the environment holds: bad syntax, runner-internal names. */
  problems: string[];
  /** References to variables that are not set (a command that runs hooks refuses them). */
  unset: string[];
}

const REFERENCE = /\$\$\{|\$\{([^}]*)(\})?/g;

/** Where `${NAME}` values come from, as the action's messages name it; the CLI names its own (see LoadConfigOptions). */
export const STEP_ENVIRONMENT = "the step's environment";
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Runner-internal prefixes: the runner's own credentials and endpoints (`ACTIONS_RUNTIME_TOKEN`,
 * `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, `ACTIONS_RESULTS_URL`, …) and the action's own inputs. Case-insensitive, as
 * environment names are on Windows runners. `GITHUB_*` context (`GITHUB_SHA`, …), `RUNNER_*` (`RUNNER_OS`, …) and a
 * `GITHUB_TOKEN` that the workflow put into the step's `env:` itself are the workflow's to send.
 */
const RUNNER_INTERNAL: readonly [RegExp, string][] = [
  [/^ACTIONS_/i, 'a variable internal to the GitHub Actions runner (`ACTIONS_*` are its own tokens and endpoints)'],
  [/^INPUT_/i, "one of the action's own inputs as the GitHub Actions runner passes them (`INPUT_*`)"],
];

/** Why `${name}` may never be referenced, or undefined when it may. */
export function runnerInternal(name: string): string | undefined {
  const found = RUNNER_INTERNAL.find(([prefix]) => prefix.test(name));
  if (!found) return undefined;
  return (
    `references \${${name}}, ${found[1]}: it must never reach a host. Remove the reference; to send a value ` +
    "of your own, put it in the step's `env:` under a name of your own and reference that"
  );
}

type Found = { kind: 'problem' | 'unset'; message: string };

/** Walks the references of `input`: the value with every set, allowed reference substituted, and what is wrong. */
function scan(input: string, env: Readonly<Record<string, string | undefined>>, source: string) {
  const secrets: string[] = [];
  const found: Found[] = [];
  let substituted = false;
  const value = input.replace(REFERENCE, (match: string, name: string | undefined, close: string | undefined) => {
    if (match === '$${') return '${';
    if (close === undefined || name === undefined || !VARIABLE_NAME.test(name)) {
      const message = `invalid reference ${JSON.stringify(match)}: write \${NAME} with a variable name, or $\${ for a literal \${`;
      found.push({ kind: 'problem', message });
      return match;
    }
    const internal = runnerInternal(name);
    if (internal) {
      found.push({ kind: 'problem', message: internal });
      return match;
    }
    // Own string values only: `${constructor}` or `${__proto__}` must not expand to Object.prototype's members.
    const replacement = Object.hasOwn(env, name) && typeof env[name] === 'string' ? env[name] : undefined;
    if (replacement === undefined) {
      found.push({ kind: 'unset', message: `references \${${name}}, which is not set in ${source}` });
      return match;
    }
    substituted = true;
    if (replacement !== '') secrets.push(replacement);
    return replacement;
  });
  if (substituted && value !== '') secrets.unshift(value);
  return { value, secrets: [...new Set(secrets)], found };
}

export function expandValue(
  input: string,
  env: Readonly<Record<string, string | undefined>>,
  source = STEP_ENVIRONMENT,
): Expansion {
  const { value, secrets, found } = scan(input, env, source);
  return { value, secrets, problems: found.map((f) => f.message) };
}

/** Checks the references of `input` without keeping any value (nothing is substituted, nothing is a secret). */
export function checkReferences(
  input: string,
  env: Readonly<Record<string, string | undefined>>,
  source = STEP_ENVIRONMENT,
): ReferenceCheck {
  const { found } = scan(input, env, source);
  const of = (kind: Found['kind']) => found.filter((f) => f.kind === kind).map((f) => f.message);
  return { problems: of('problem'), unset: of('unset') };
}
