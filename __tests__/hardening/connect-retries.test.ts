/**
 * Issue 18: a connection that fails before authentication is tried again (`connect_retries`, default 2), each
 * retry a line in the log; with `connect_retries: 0` it fails at once; a refused key is never retried. Through
 * dist/index.js against a real sshd, behind a port that resets the first connections it accepts.
 */
import { readlinkSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { runAction } from '../support/action.js';
import { clientKey, startSshd, type SshdHandle } from '../support/sshd.js';
import { makeWorkspace, sshInputs } from '../support/workspace.js';
import { knownHostsFor } from './harness.js';
import { record } from './invariants.js';
import { tempDir } from '../support/temp-dirs.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

interface Flaky {
  port: number;
  /** Connections accepted so far (the reset ones included). */
  accepted(): number;
  close(): Promise<void>;
}

/** A port in front of the sshd that resets the first `failures` connections at once, then forwards. */
async function flakyPort(failures: number): Promise<Flaky> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    accepted++;
    if (accepted <= failures) return void client.resetAndDestroy();
    const upstream = net.connect({ host: sshd.host, port: sshd.port });
    sockets.add(client).add(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}

function config(dp: string, port: number, extra = ''): string {
  return `name: shop
environments:
  production:
    hosts: ["${sshd.user}@${sshd.host}:${port}"]
    deploy_path: ${JSON.stringify(dp)}
${extra}`;
}

const retryLines = (stdout: string) => stdout.split('\n').filter((l) => /retrying in \d+ s \(\d of \d\)/.test(l));

describe('connect retries', () => {
  test('a port that resets the first two connections: retried, and the deploy succeeds', async () => {
    const flaky = await flakyPort(2);
    try {
      const dp = join(tempDir('da-retry-'), 'app');
      const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp, flaky.port));
      const r = await runAction({
        inputs: sshInputs(sshd, { 'known-hosts': knownHostsFor(sshd, flaky.port) }),
        workspace: ws.dir,
      });
      expect([r.code, r.stdout.slice(-800)]).toEqual([0, expect.anything()]);
      expect(readlinkSync(join(dp, 'current'))).toMatch(/^releases\//);
      const lines = retryLines(r.stdout);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^${sshd.user}@${sshd.host}:${flaky.port}: ${sshd.host} closed the connection on port ${flaky.port} before the SSH handshake finished \\(ECONNRESET\\).* — retrying in 1 s \\(2 of 3\\)$`,
        ),
      );
      expect(flaky.accepted()).toBe(3);
      record({ invariants: '------', note: `${lines.length} retries; deployed` });
    } finally {
      await flaky.close();
    }
  });

  test('connect_retries: 0 fails at once, without a retry', async () => {
    const flaky = await flakyPort(2);
    try {
      const dp = join(tempDir('da-retry-'), 'app');
      const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp, flaky.port, '    connect_retries: 0\n'));
      const t0 = Date.now();
      const r = await runAction({
        inputs: sshInputs(sshd, { 'known-hosts': knownHostsFor(sshd, flaky.port) }),
        workspace: ws.dir,
      });
      expect(r.code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(retryLines(r.stdout)).toEqual([]);
      expect(r.stdout).toMatch(/::error [^\n]*ECONNRESET/);
    } finally {
      await flaky.close();
    }
  });

  test('a refused key is not retried', async () => {
    const other = await clientKey('ed25519');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config('/srv/never', sshd.port));
    const r = await runAction({ inputs: sshInputs(sshd, { 'ssh-private-key': other.privateKey }), workspace: ws.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the server refused the key');
    expect(retryLines(r.stdout)).toEqual([]);
  });
});
