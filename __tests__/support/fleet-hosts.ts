// Test-file set-up (jest hooks): not part of the bench build (bench/tsconfig.json excludes it).
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
