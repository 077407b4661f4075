import { hookHosts, type EnvironmentConfig, type HookConfig, type HostConfig } from '../config/index.js';
import { selectHosts } from './select.js';

/** `K/N`: this run is slice K of N (1 ≤ K ≤ N ≤ 1000). */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(spec: string, source: string): Shard | undefined {
  if (!spec.trim()) return undefined;
  const m = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(spec);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > 1000 || index < 1 || index > count)
    throw new Error(
      `${source}: ${JSON.stringify(spec.length > 40 ? `${spec.slice(0, 40)}…` : spec)} is not a shard: write K/N with 1 ≤ K ≤ N ≤ 1000 (e.g. 2/8: the second job of a matrix of 8)`,
    );
  return { index, count };
}

/**
 * Slice K of N of the hosts, in config order: N contiguous slices whose sizes differ by at most one, the larger
 * ones first (host i of n goes to slice floor(i·N/n)+1). The same config always gives the same slices.
 */
export function shardHosts<T>(hosts: readonly T[], s: Shard): T[] {
  const n = hosts.length;
  return hosts.filter((_, i) => Math.floor((i * s.count) / n) + 1 === s.index);
}

/**
 * The environment's config for one shard: its hosts, and each `once` deploy hook placed on the one host of the
 * whole environment that runs it (the first it picks, in config order): kept, on that host, by the shard that holds
 * it; left out by the others. `selected`: the hosts the `hosts` input selects.
 */
export function shardConfig(
  config: EnvironmentConfig,
  selected: HostConfig[],
  s: Shard,
): Pick<EnvironmentConfig, 'hosts' | 'deploy'> {
  const slice = new Set(shardHosts(config.hosts, s));
  const hosts = selected.filter((h) => slice.has(h));
  const deploy: HookConfig[] = [];
  for (const h of config.deploy) {
    if (!h.once) {
      deploy.push(h);
      continue;
    }
    const [at] = hookHosts(h, config.hosts, (x) => x);
    if (at && hosts.includes(at))
      deploy.push({
        ...h,
        once: false,
        on: { key: 'on', items: [at.name], path: h.on?.path ?? '', position: h.position },
      });
  }
  return { hosts, deploy };
}

/**
 * The hosts a command works on, and for a shard its `once` hooks: `switch` and `discard` act on every host of the
 * environment (the `hosts` input does not narrow them); `stage` takes its `shard` of the hosts `hosts` selects.
 * `prefix`: how the user wrote the option (`input ` or `--`).
 */
export function selectedHosts(
  config: EnvironmentConfig,
  command: string,
  hosts: string,
  shard: string,
  prefix: string,
): Pick<EnvironmentConfig, 'hosts'> & Partial<Pick<EnvironmentConfig, 'deploy'>> {
  if (command === 'switch' || command === 'discard') return { hosts: config.hosts };
  const selected = selectHosts(config.hosts, hosts, `${prefix}hosts`);
  const s = parseShard(shard, `${prefix}shard`);
  return s ? shardConfig(config, selected, s) : { hosts: selected };
}

/**
 * What switch and discard say when `hosts` is set: they act on every host of the environment, so the input (option)
 * is ignored, and said to be; undefined when there is nothing to say. `prefix` as for selectedHosts.
 */
export function ignoredHosts(command: string, hosts: string, environment: string, prefix: string): string | undefined {
  if ((command !== 'switch' && command !== 'discard') || !hosts.trim()) return undefined;
  const what = prefix === '--' ? 'option' : 'input';
  return `${prefix}hosts is set, but ${command} acts on every host of the environment (${environment}): the ${what} was ignored`;
}
