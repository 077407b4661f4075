/** Limiting a run to some of an environment's hosts (`--hosts` on the CLI, the `hosts` input of the action). */
import type { HostConfig } from '../config/index.js';

/** One item of a host list, e.g. `web1.example.com`, and which hosts it picks. */
interface Selector {
  item: string;
  matches(host: HostConfig): boolean;
}

/** `[::1]` → `::1`; host names compare case-insensitively (DNS does). */
function bare(host: string): string {
  return (/^\[(.*)\]$/.exec(host)?.[1] ?? host).toLowerCase();
}

/**
 * What one item selects: `label=web` picks the hosts with that label; anything else names hosts by display name
 * (`deploy@web1.example.com:2222`, `local`), by host name (`web1.example.com`, `::1` or `[::1]`) or as
 * `user@host`. Host names never contain `=`, so `key=value` items are free for such selectors.
 */
function selectorFor(item: string): Selector | string {
  const label = /^label=(.+)$/.exec(item);
  if (label) return { item, matches: (h) => h.labels.includes(label[1]!) };
  if (item.includes('=')) return `"${item}": only label=NAME selects by key`;
  const at = item.indexOf('@');
  const user = at >= 0 ? item.slice(0, at) : undefined;
  const host = bare(at >= 0 ? item.slice(at + 1) : item);
  return {
    item,
    matches: (h) => h.name === item || (bare(h.host) === host && (user === undefined || h.user === user)),
  };
}

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
