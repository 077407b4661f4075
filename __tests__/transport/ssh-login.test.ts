import { readFileSync } from 'node:fs';

import { join } from 'node:path';
import { connectSsh, ConnectError, type SshCredentials } from '../../src/transport/ssh.js';
import { parseKnownHosts } from '../../src/transport/known-hosts.js';
import { collect } from '../../src/transport/collect.js';
import { startProxy, type Proxy as SlowProxy } from '../support/proxy.js';
import { clientKey, sshAvailable, startSshd, type SshdHandle } from '../support/sshd.js';
import { runAction } from '../support/action.js';
import { makeWorkspace, sshInputs } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

/**
 * The login's round trips against a real OpenSSH server, counted as the client's flights from the key exchange on:
 * behind a proxy that delays what the server sends by DELAY_MS (and what the client sends not at all), a message
 * that had to wait for an answer reaches the proxy at least DELAY_MS after the client's previous one; messages sent
 * together arrive within a few milliseconds. ssh2 alone takes five flights from its key exchange message to a command
 * (key exchange; service request; login; channel; command); with the login pipelined, three (the service request,
 * the login and the channel together).
 */
const suite = sshAvailable() ? describe : describe.skip;
if (!sshAvailable()) console.warn('ssh-login tests skipped: /usr/sbin/sshd or ssh-keygen not available');

const DELAY_MS = 200;

/**
 * The client's flights from the chunk with its key exchange message (SSH_MSG_KEX_ECDH_INIT, type 30, found among the
 * plaintext packets after the identification line) to now. The flights before it depend on when the server's
 * identification line arrived, not on round trips the client chose to wait for.
 */
function flightsFromKex(proxy: SlowProxy): number {
  const chunks = proxy.clientChunks();
  const head = proxy.clientHead();
  let off = head.indexOf('\r\n') + 2;
  while (head[off + 5] !== 30) {
    if (off + 6 > head.length) throw new Error('no key exchange message from the client');
    off += 4 + head.readUInt32BE(off);
  }
  const first = chunks.filter((c) => c.offset <= off).length - 1;
  const times = chunks.slice(first).map((c) => c.at);
  return times.filter((t, i) => i === 0 || t - times[i - 1]! > DELAY_MS / 2).length;
}

suite('SSH login round trips', () => {
  let sshd: SshdHandle;
  let proxy: SlowProxy;
  beforeAll(async () => {
    sshd = await startSshd({ extraConfig: ['LogLevel DEBUG3'] });
  });
  beforeEach(async () => {
    proxy = await startProxy({ host: sshd.host, port: sshd.port }, { delayMs: DELAY_MS, upDelayMs: 0 });
  });
  afterEach(async () => {
    await proxy?.close();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const creds = (privateKey: string): SshCredentials => ({
    privateKey,
    knownHosts: parseKnownHosts(sshd.knownHostsLine.replace(`]:${sshd.port} `, `]:${proxy.port} `)),
    connectTimeoutMs: 10_000,
  });
  const target = () => ({ host: '127.0.0.1', port: proxy.port, user: sshd.user, name: `${sshd.user}@test` });

  test.each(['ed25519', 'rsa'] as const)(
    'with a %s key, the command goes in the third flight after the key exchange, on a channel opened with the login',
    async (type) => {
      const key = await clientKey(type);
      sshd.authorize(key.publicLine);
      const from = sshd.log().length;
      const transport = await connectSsh(target(), creds(key.privateKey));
      try {
        const first = await transport.start('echo first');
        expect(flightsFromKex(proxy)).toBe(3);
        expect((await collect(first)).stdout.toString()).toBe('first\n');
        // Later commands take the usual way: a channel of their own, then the command.
        const second = await transport.run('echo second');
        expect(second.stdout.toString()).toBe('second\n');
      } finally {
        await transport.close();
      }
      // The server read the pipelined messages in order, as the protocol allows: nothing was refused.
      expect(sshd.log().slice(from)).not.toMatch(/dispatch_protocol_error|protocol error/);
    },
  );

  test('an RSA key signs with the algorithm the server asks for even when its EXT_INFO comes in a read of its own', async () => {
    // The server's NEWKEYS and EXT_INFO (server-sig-algs) in 64-byte pieces: the login starts on EXT_INFO, never
    // before it (ssh2 would pick ssh-rsa, SHA-1, which OpenSSH refuses).
    await proxy.close();
    proxy = await startProxy({ host: sshd.host, port: sshd.port }, { delayMs: 20, upDelayMs: 0, downPieceBytes: 64 });
    const key = await clientKey('rsa');
    sshd.authorize(key.publicLine);
    const transport = await connectSsh(target(), creds(key.privateKey));
    try {
      expect((await transport.run('echo in')).stdout.toString()).toBe('in\n');
    } finally {
      await transport.close();
    }
  });

  test('a refused key still fails with the clear error', async () => {
    const key = await clientKey('ed25519');
    const error = await connectSsh(target(), creds(key.privateKey)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).kind).toBe('auth');
    expect((error as Error).message).toMatch(/the server refused the key SHA256:[A-Za-z0-9+/]{43} for user/);
  });

  test('a first deploy of the bundled action (dist/index.js) takes five flights from the key exchange to its end', async () => {
    const dp = join(tempDir('da-target-'), 'app');
    const host = `{ host: 127.0.0.1, port: ${proxy.port}, user: ${sshd.user} }`;
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      `environments:\n  production:\n    hosts: [${host}]\n    deploy_path: ${JSON.stringify(dp)}\n`,
    );
    const inputs = {
      ...sshInputs(sshd),
      'known-hosts': sshd.knownHostsLine.replace(`]:${sshd.port} `, `]:${proxy.port} `),
    };
    const r = await runAction({ inputs, workspace: ws.dir });
    expect({ code: r.code, out: r.code ? r.stdout.slice(-2000) : '' }).toEqual({ code: 0, out: '' });
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v1\n');
    // Key exchange; login and channel; the command with the first phase; the second phase (upload, switch); the end.
    expect(flightsFromKex(proxy)).toBe(5);
  });
});
