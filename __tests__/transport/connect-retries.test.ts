/**
 * openWithRetries (issue 18): how many tries, how long in all (connect-timeout × tries bounds it), and a cancel that
 * ends the wait between tries. Against a closed port of this machine (ECONNREFUSED at once).
 */
import { createServer } from 'node:net';
import type { HostConfig } from '../../src/config/index.js';
import { openWithRetries } from '../../src/fleet/connect.js';
import { parseKnownHosts } from '../../src/transport/known-hosts.js';
import { clientKey } from '../support/sshd.js';

let privateKey = '';
beforeAll(async () => {
  privateKey = (await clientKey('ed25519')).privateKey;
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function remoteHostConfig(port: number, retries: number | undefined): HostConfig {
  const position = { file: 'deploy.yml', line: 1, column: 1 };
  const name = `root@127.0.0.1:${port}`;
  const base = {
    name,
    host: '127.0.0.1',
    user: 'root',
    port,
    local: false,
    labels: [],
    position,
    deployPath: '/srv/app',
  };
  return retries === undefined ? base : { ...base, connectRetries: retries };
}

const access = (connectTimeoutMs: number) => ({ knownHosts: parseKnownHosts(''), connectTimeoutMs, privateKey });

async function attempt(retries: number | undefined, timeoutMs: number, signal?: AbortSignal) {
  const host = remoteHostConfig(await closedPort(), retries);
  const lines: string[] = [];
  const t0 = Date.now();
  const error = await openWithRetries(host, access(timeoutMs), (l) => lines.push(l), signal).then(
    () => new Error('connected'),
    (e: Error) => e,
  );
  return { error, lines, ms: Date.now() - t0, name: host.name };
}

describe('openWithRetries', () => {
  test('default: 3 tries, 1 s then 2 s apart, each retry a line; the error says how many tries', async () => {
    const { error, lines, ms, name } = await attempt(undefined, 10_000);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${name}: nothing listens on port \\d+ of 127\\.0\\.0\\.1 \\(ECONNREFUSED\\).* — retrying in 1 s \\(2 of 3\\)$`,
        ),
      ),
      expect.stringMatching(/ — retrying in 2 s \(3 of 3\)$/),
    ]);
    expect(error.message).toMatch(/\(ECONNREFUSED\).* \(3 tries\)$/);
    expect(ms).toBeGreaterThanOrEqual(2900);
    expect(ms).toBeLessThan(6000);
  });

  test('connect_retries: 0 is one try', async () => {
    const { error, lines, ms } = await attempt(0, 10_000);
    expect(lines).toEqual([]);
    expect(error.message).not.toMatch(/tries/);
    expect(ms).toBeLessThan(1000);
  });

  test('the whole stays within connect-timeout × tries: no try is started that would end past it', async () => {
    // 3 × 1 s: the first retry at 1 s; a second would wait until 3 s, the end: not started.
    const { lines, ms, error } = await attempt(2, 1000);
    expect(lines).toHaveLength(1);
    expect(error.message).toMatch(/\(2 tries\)$/);
    expect(ms).toBeLessThan(2000);
  });

  test('a cancel ends the wait between tries', async () => {
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 200);
    const { lines, ms } = await attempt(5, 10_000, cancel.signal);
    expect(lines).toHaveLength(1);
    expect(ms).toBeLessThan(900);
  });
});
