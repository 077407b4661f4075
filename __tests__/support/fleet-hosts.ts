// Test-file set-up (jest hooks): not part of the bench build (bench/tsconfig.json excludes it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionResult } from './action.js';
import { type SshdHandle, startSshd } from './sshd.js';

/**
 * `n` test hosts for a test file, started before its tests and stopped after them; every host accepts the first
 * one's key (one deploy key for the whole fleet, as in real life). The array fills in `beforeAll`.
 */
export function fleetOfSshd(n: number): SshdHandle[] {
  const hosts: SshdHandle[] = [];
  beforeAll(async () => {
    hosts.push(...(await Promise.all(Array.from({ length: n }, () => startSshd()))));
    for (const h of hosts.slice(1)) h.authorize(hosts[0]!.publicKeyLine());
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
  });
  return hosts;
}

/** A host's entry in a test config's `hosts:` list (a flow mapping) at `deployPath`; `port` stands in for its own. */
export function hostEntry(h: SshdHandle, deployPath: string, port = h.port): string {
  return `{ host: ${h.host}, user: ${h.user}, port: ${port}, deploy_path: ${JSON.stringify(deployPath)} }`;
}

/**
 * A test deploy.yml: environment `production` with these hosts, each at `<base>/a`, `<base>/b`, ... (the host's
 * letter), then `extra` (environment keys, indented 4).
 */
export function fleetConfig(hosts: SshdHandle[], base: string, extra = ''): string {
  const entries = hosts.map((h, i) => `      - ${hostEntry(h, join(base, String.fromCharCode(97 + i)))}\n`).join('');
  return `name: shop\nenvironments:\n  production:\n    hosts:\n${entries}${extra}`;
}

/** The action's inputs for these test hosts (the first host's key, every host's key pinned), `more` over them. */
export function fleetInputs(hosts: SshdHandle[], more: Record<string, string> = {}): Record<string, string> {
  return {
    config: 'deploy.yml',
    source: 'app',
    'ssh-private-key': hosts[0]!.privateKey,
    'known-hosts': hosts.map((h) => h.knownHostsLine).join('\n'),
    ...more,
  };
}

/** The run succeeded; if not, the end of its log is what the failure shows. */
export const expectOk = (r: ActionResult) =>
  expect({ code: r.code, out: r.code ? r.stdout.slice(-3000) : '' }).toEqual({ code: 0, out: '' });

/** The VERSION file of the release live on a host whose deploy_path is `base/h`. */
export const liveVersion = (base: string, h: string) => readFileSync(join(base, h, 'current/VERSION'), 'utf8').trim();

/** The history lines of a host whose deploy_path is `base/h`. */
export const historyOf = (base: string, h: string) =>
  readFileSync(join(base, h, '.deploy/history.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
