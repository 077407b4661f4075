/** A deploy.yml with `hosts` host lines, in the scale bench's style (one flow mapping a host). */
export function benchConfigText(hosts: number): string {
  const line = (i: number) =>
    `      - { host: 10.0.${i >> 8}.${i & 255}, user: deploy, port: 2222, deploy_path: "/srv/da-bench-${i}/app" }`;
  return `name: bench
environments:
  production:
    keep_releases: 2
    shared_dirs: [storage]
    shared_files: [.env]
    hosts:
${Array.from({ length: hosts }, (_, i) => line(i)).join('\n')}
`;
}
