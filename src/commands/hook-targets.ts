/**
 * Where the deploy and activate hooks run on this run's hosts (`on:`, `once:`): checked before any host is reached,
 * and told in a dry run's plan.
 */
import {
  hookHosts,
  hookLabel,
  selectedBy,
  type EnvironmentConfig,
  type HookConfig,
  type HostConfig,
} from '../config/index.js';

/** `on: label=web` / `once: label=db`, as written. */
const written = (h: HookConfig) => `${h.on!.key}: ${h.on!.items.join(', ')}`;

/**
 * A `once` hook whose hosts are all left out by the `hosts` selection would be skipped without a word (a migration
 * that never runs): refused before connecting, saying what to include. An `on` hook (cache warming on `label=web`)
 * simply does not run when its hosts are not deployed to.
 */
export function checkHookHosts(config: Pick<EnvironmentConfig, 'deploy' | 'hosts'>): void {
  const missed = config.deploy.filter((h) => h.once && h.on && !hookHosts(h, config.hosts, (x) => x).length);
  if (!missed.length) return;
  const hooks = missed.map((h) => `"${hookLabel(h)}" (${written(h)})`).join(', ');
  const items = [...new Set(missed.flatMap((h) => h.on!.items))].join(',');
  throw new Error(
    `the deploy hook${missed.length > 1 ? 's' : ''} ${hooks} must run once, on a host that this run leaves out: ` +
      `add ${items} to the hosts to deploy to (the \`hosts\` input or --hosts), or deploy to every host`,
  );
}

/** For a dry run's plan: each targeted hook and the hosts it would run on (none when it runs everywhere). */
export function hookPlaces(config: Pick<EnvironmentConfig, 'deploy' | 'activate' | 'hosts'>): string[] {
  const lines: string[] = [];
  for (const [kind, hooks] of [
    ['deploy', config.deploy],
    ['activate', config.activate],
  ] as const) {
    for (const h of hooks.filter((x) => x.on || x.once)) {
      const on =
        kind === 'deploy'
          ? hookHosts(h, config.hosts, (x) => x)
          : config.hosts.filter((x) => !h.on || selectedBy(h.on.items, x));
      const where = h.on ? `${written(h)}${h.once && h.on.key === 'on' ? ', once: true' : ''}` : 'once: true';
      lines.push(
        `${kind} hook "${hookLabel(h)}" (${where}): ${on.map((x) => x.name).join(', ') || 'no host of this run'}`,
      );
    }
  }
  return lines;
}

/** For a dry run's plan: a host's `vars` (plain values, never a secret; a host's `env` is not shown). */
export function varsLine(host: Pick<HostConfig, 'vars'>): string[] {
  const vars = Object.entries(host.vars ?? {});
  return vars.length ? [`Vars: ${vars.map(([k, v]) => `${k}=${v}`).join(', ')}`] : [];
}
