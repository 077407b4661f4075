/** Limiting a run to some of an environment's hosts (`--hosts` on the CLI, the `hosts` input of the action). */
import { selectorFor, type HostConfig, type Selector } from '../config/index.js';

/**
 * The hosts a comma-separated list selects, in config order and without duplicates; every host when the list is
 * empty. An item that selects nothing is an error (prefixed with `source`, e.g. `--hosts`) that lists the hosts.
 */
export function selectHosts(hosts: HostConfig[], spec: string, source: string): HostConfig[] {
  const items = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) return hosts;
  const problems: string[] = [];
  const selectors: Selector[] = [];
  for (const item of items) {
    const selector = selectorFor(item);
    if (typeof selector === 'string') problems.push(selector);
    else if (!hosts.some((h) => selector.matches(h))) problems.push(`"${item}" matches no host`);
    else selectors.push(selector);
  }
  if (problems.length) {
    const available =
      hosts.map((h) => (h.labels.length ? `${h.name} [${h.labels.join(', ')}]` : h.name)).join(', ') || '(none)';
    throw new Error(`${source}: ${problems.join('; ')}. The hosts of this environment are: ${available}`);
  }
  return hosts.filter((h) => selectors.some((s) => s.matches(h)));
}
