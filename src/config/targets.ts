/**
 * Per-host settings and where hooks run, checked across keys of one environment: a host's `env` (expanded over the
 * environment's) and `vars` (plain values; a name in both is refused), and each hook's `on:`/`once:` selectors,
 * which must each match a host of the environment (a typo would otherwise skip a migration without a word).
 */
import { Cursor, type Located } from './cursor.js';
import { checkReferences, expandValue, STEP_ENVIRONMENT } from './expand.js';
import type { HostExpander } from './host-expand.js';
import type { HostEntry } from './host-kind.js';
import { selectedBy, type Selectable } from './host-selector.js';
import type { EnvironmentConfig, HookConfig, HostConfig } from './types.js';

type EnvEntries = (Located<string> & { name: string })[];

/** For a problem found in a top-level default while checking one environment, says which environment. */
export function inEnvironment(entryPath: string, at: Cursor): string {
  if (entryPath.startsWith(`${at.path}.`)) return '';
  return ` (in environment \`${at.path.slice('environments.'.length)}\`)`;
}

/**
 * A host's own `env` and `vars` in the chosen environment. `env` is expanded as the environment's (its secrets
 * masked), or, for a command that runs no hook, left empty with its unset references listed (`x.unset`).
 */
export function hostSettings(entry: HostEntry, x: HostExpander, environmentEnv: EnvEntries): Partial<HostConfig> {
  const out: Partial<HostConfig> = {};
  const source = x.vars.source ?? STEP_ENVIRONMENT;
  if (entry.env?.length) {
    const env: Record<string, string> = {};
    for (const e of entry.env) {
      if (!x.vars.expandEnv) {
        for (const message of checkReferences(e.value, x.vars.env, source).unset)
          x.unset.push({ ...e.position, path: e.path, message });
        continue;
      }
      const expansion = expandValue(e.value, x.vars.env, source);
      for (const problem of expansion.problems) new Cursor(x.src, e.path).problemAt(e.position, problem);
      env[e.name] = expansion.value;
      x.add(...expansion.secrets);
    }
    if (x.vars.expandEnv) out.env = env;
  }
  if (entry.vars?.length) {
    const taken = new Set([...environmentEnv, ...(entry.env ?? [])].map((e) => e.name));
    out.vars = {};
    for (const v of entry.vars) {
      if (taken.has(v.name)) {
        new Cursor(x.src, v.path).problemAt(
          v.position,
          `\`${v.name}\` is set in \`env\` too: give each name in \`env\` or in \`vars\`, not both`,
        );
      } else out.vars[v.name] = v.value;
    }
  }
  return out;
}

/**
 * Each `on:`/`once:` selector of `hooks` must match a host: labels are checked against the entries as written in
 * every environment, host names against `resolved` (the chosen environment's hosts, before `hosts` selects).
 */
export function checkHookTargets(
  at: Cursor,
  entries: HostEntry[] = [],
  resolved: HostConfig[] | undefined,
  ...lists: HookConfig[][]
): void {
  let written: Selectable[] | undefined;
  for (const hook of lists.flat()) {
    const target = hook.on;
    if (!target) continue;
    for (const item of target.items) {
      const label = item.startsWith('label=');
      if (label) written ??= entries.map((e) => ({ ...e.spec, name: '', host: '' }));
      const hosts = label ? written : resolved;
      if (!hosts || hosts.some((h) => selectedBy([item], h))) continue;
      const known = label
        ? [...new Set(entries.flatMap((e) => e.spec.labels))].map((l) => `label=${l}`).join(', ')
        : hosts.map((h) => h.name).join(', ');
      new Cursor(at.source, target.path).problemAt(
        target.position,
        `\`${item}\` matches no host of this environment${inEnvironment(target.path, at)}` +
          `; ${label ? 'its labels' : 'its hosts'}: ${known || '(none)'}` +
          (target.key === 'once' ? ' (`once: true` runs on the first host)' : ''),
      );
    }
  }
}

/** What runs on `host` sees: the environment's `env`, the host's own `env` over it, and the host's `vars`. */
export function hostEnv(config: Pick<EnvironmentConfig, 'env'>, host: Pick<HostConfig, 'env' | 'vars'>) {
  return { ...config.env, ...host.env, ...host.vars };
}
