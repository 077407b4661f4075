/**
 * Which hosts a selector picks: `label=web` (the hosts with that label) or a host named by display name
 * (`deploy@web1.example.com:2222`, `local`), host name (`web1.example.com`, `::1` or `[::1]`) or `user@host`. The
 * `hosts` input and `--hosts` (fleet/select.ts) and a hook's `on:` and `once:` read selectors alike.
 */
import type { HookConfig, HostConfig } from './types.js';

/** What a selector looks at. */
export type Selectable = Pick<HostConfig, 'name' | 'host' | 'user' | 'labels'>;

/** One item of a host list, e.g. `web1.example.com`, and which hosts it picks. */
export interface Selector {
  item: string;
  /** `label=NAME`: it picks by label (a host name never contains `=`). */
  label?: string;
  matches(host: Selectable): boolean;
}

/** `[::1]` → `::1`; host names compare case-insensitively (DNS does). */
function bare(host: string): string {
  return (/^\[(.*)\]$/.exec(host)?.[1] ?? host).toLowerCase();
}

/** What one item selects, or why it cannot select anything. Host names never contain `=`. */
export function selectorFor(item: string): Selector | string {
  const label = /^label=(.+)$/.exec(item);
  if (label) return { item, label: label[1]!, matches: (h) => h.labels.includes(label[1]!) };
  if (item.includes('=')) return `"${item}": only label=NAME selects by key`;
  const at = item.indexOf('@');
  const user = at >= 0 ? item.slice(0, at) : undefined;
  const host = bare(at >= 0 ? item.slice(at + 1) : item);
  return {
    item,
    matches: (h) => h.name === item || (bare(h.host) === host && (user === undefined || h.user === user)),
  };
}

/** Whether any of `items` (selectors that parse) picks `host`. */
export function selectedBy(items: readonly string[], host: Selectable): boolean {
  return items.some((item) => {
    const selector = selectorFor(item);
    return typeof selector !== 'string' && selector.matches(host);
  });
}

/**
 * The hosts of `hosts` (config order) that a hook runs on: those its `on` picks (every host without it); with
 * `once`, the first of them only.
 */
export function hookHosts<T>(
  hook: Pick<HookConfig, 'once' | 'on'>,
  hosts: readonly T[],
  of: (t: T) => Selectable,
): T[] {
  const on = hook.on;
  const picked = on ? hosts.filter((h) => selectedBy(on.items, of(h))) : [...hosts];
  return hook.once ? picked.slice(0, 1) : picked;
}
