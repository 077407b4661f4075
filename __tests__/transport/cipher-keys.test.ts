import { createHash, KeyObject } from 'node:crypto';
import { parseKnownHosts } from '../../src/transport/known-hosts.js';
import { connectSsh } from '../../src/transport/ssh.js';
import { sshAvailable, startSshd, type SshdHandle } from '../support/sshd.js';

/**
 * ssh2 makes an AES-GCM cipher per packet; the runner hands it the key as a key object, made once per key exchange
 * (src/transport/cipher-keys.ts), so Node does not build the key from its bytes for every packet. The connection
 * must work as before, in both directions, over many packets.
 */
const suite = sshAvailable() ? describe : describe.skip;
if (!sshAvailable()) console.warn('cipher-keys tests skipped: /usr/sbin/sshd or ssh-keygen not available');

interface Internals {
  ssh: {
    connection: {
      _protocol: {
        _cipher: { _encSSLName?: string; _encKey?: unknown };
        _decipher: { _decipherSSLName?: string; _decipherKey?: unknown };
      };
    };
  };
}

suite('AES-GCM keys as key objects', () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    sshd = await startSshd({ extraConfig: ['Ciphers aes128-gcm@openssh.com,aes256-gcm@openssh.com'] });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  test("both directions' keys are key objects, and many packets each way arrive intact", async () => {
    const transport = await connectSsh(
      { host: sshd.host, port: sshd.port, user: sshd.user, name: `${sshd.user}@test` },
      { privateKey: sshd.privateKey, knownHosts: parseKnownHosts(sshd.knownHostsLine), connectTimeoutMs: 10_000 },
    );
    try {
      const proto = (transport as unknown as Internals).ssh.connection._protocol;
      expect(proto._cipher._encSSLName).toMatch(/^aes-(128|256)-gcm$/);
      expect(proto._cipher._encKey).toBeInstanceOf(KeyObject);
      expect(proto._decipher._decipherSSLName).toMatch(/^aes-(128|256)-gcm$/);
      expect(proto._decipher._decipherKey).toBeInstanceOf(KeyObject);
      // About 100 packets each way: what goes in comes back hashed by the host, and 3 MiB come out whole.
      const sent = Buffer.alloc(3 << 20, 'deploy-action ');
      const proc = await transport.start('sha256sum | cut -c1-64; head -c 3145728 /dev/zero | wc -c');
      const out: Buffer[] = [];
      proc.stdout.on('data', (d: Buffer) => out.push(d));
      proc.stdin.end(sent);
      expect((await proc.exited).code).toBe(0);
      expect(Buffer.concat(out).toString()).toBe(`${createHash('sha256').update(sent).digest('hex')}\n3145728\n`);
      const many = await transport.start('head -c 3145728 /dev/urandom | tee /dev/stderr | sha256sum | cut -c1-64');
      const body: Buffer[] = [];
      const sum: Buffer[] = [];
      many.stderr.on('data', (d: Buffer) => body.push(d));
      many.stdout.on('data', (d: Buffer) => sum.push(d));
      many.stdin.end();
      expect((await many.exited).code).toBe(0);
      expect(Buffer.concat(body).length).toBe(3 << 20);
      expect(Buffer.concat(sum).toString()).toBe(`${createHash('sha256').update(Buffer.concat(body)).digest('hex')}\n`);
    } finally {
      await transport.close();
    }
  });
});
