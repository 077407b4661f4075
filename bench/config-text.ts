/** A host of a bench deploy.yml. */
export interface BenchHost {
  host: string;
  user: string;
  port: number;
  deployPath: string;
}

/**
 * The benches' deploy.yml: environment `production` (2 releases kept, `storage` and `.env` shared) with these
 * hosts, one flow mapping each; `maxParallel` when given.
 */
export function benchConfig(hosts: readonly BenchHost[], maxParallel?: number): string {
  const line = (h: BenchHost) =>
    `      - { host: ${h.host}, user: ${h.user}, port: ${h.port}, deploy_path: ${JSON.stringify(h.deployPath)} }`;
  return `name: bench
environments:
  production:
    keep_releases: 2
    shared_dirs: [storage]
    shared_files: [.env]
${maxParallel ? `    max_parallel: ${maxParallel}\n` : ''}    hosts:
${hosts.map(line).join('\n')}
`;
}

/** A deploy.yml with `hosts` host lines, in the scale bench's style (the config bench reads it). */
export function benchConfigText(hosts: number): string {
  return benchConfig(
    Array.from({ length: hosts }, (_, i) => ({
      host: `10.0.${i >> 8}.${i & 255}`,
      user: 'deploy',
      port: 2222,
      deployPath: `/srv/da-bench-${i}/app`,
    })),
  );
}
