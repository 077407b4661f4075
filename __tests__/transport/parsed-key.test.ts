import ssh2 from 'ssh2';
import { parseKnownHosts } from '../../src/transport/known-hosts.js';
import { connectSsh } from '../../src/transport/ssh.js';
import { clientKey, sshAvailable, startSshd, type SshdHandle } from '../support/sshd.js';

/**
 * A passphrase-protected key is decrypted once per run, not once per host: ssh2 parses the key text it is given at
 * every connection, and an encrypted OpenSSH key costs a bcrypt KDF in JavaScript each time (0.6-1 s of CPU here),
 * which a 100-host deploy paid a hundred times.
 */
const suite = sshAvailable() ? describe : describe.skip;
if (!sshAvailable()) console.warn('parsed-key tests skipped: /usr/sbin/sshd or ssh-keygen not available');

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

suite('an encrypted private key', () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  test('is decrypted once for many connections, each of which logs in', async () => {
    const key = await clientKey('ed25519', 'correct horse');
    sshd.authorize(key.publicLine);
    const connect = async () => {
      const transport = await connectSsh(
        { host: sshd.host, port: sshd.port, user: sshd.user, name: `${sshd.user}@test` },
        {
          privateKey: key.privateKey,
          passphrase: 'correct horse',
          knownHosts: parseKnownHosts(sshd.knownHostsLine),
          connectTimeoutMs: 20_000,
        },
      );
      try {
        expect((await transport.run('echo in')).stdout.toString()).toBe('in\n');
      } finally {
        await transport.close();
      }
    };
    await connect();
    // What one decryption costs on this machine now.
    const t0 = cpuMs();
    ssh2.utils.parseKey(key.privateKey, 'correct horse');
    const oneParse = cpuMs() - t0;
    const t1 = cpuMs();
    for (let i = 0; i < 4; i++) await connect();
    const fourConnections = cpuMs() - t1;
    expect(fourConnections).toBeLessThan(oneParse);
  }, 60_000);
});
