import { parseKnownHosts } from '../../src/transport/known-hosts.js';
import { connectSsh } from '../../src/transport/ssh.js';
import { sshAvailable, startSshd, type SshdHandle } from '../support/sshd.js';

/**
 * sshd announces its host keys after the login (`hostkeys-00@openssh.com`). The host key is pinned before the login
 * and never updated from a connection, so the runner does not ask the server to prove the keys it announces (ssh2
 * would, by default: one more request per connection, a signature per host key on the host, a verification each on
 * the runner). sshd's DEBUG1 log names each global request it receives.
 */
const suite = sshAvailable() ? describe : describe.skip;
if (!sshAvailable()) console.warn('host-keys-update tests skipped: /usr/sbin/sshd or ssh-keygen not available');

suite("sshd's host keys announcement", () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    sshd = await startSshd({ extraConfig: ['LogLevel DEBUG1'] });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  test('is not answered with a request to prove the keys; the connection works as before', async () => {
    const from = sshd.log().length;
    const transport = await connectSsh(
      { host: sshd.host, port: sshd.port, user: sshd.user, name: `${sshd.user}@test` },
      { privateKey: sshd.privateKey, knownHosts: parseKnownHosts(sshd.knownHostsLine), connectTimeoutMs: 10_000 },
    );
    try {
      expect((await transport.run('echo one')).stdout.toString()).toBe('one\n');
      expect((await transport.run('echo two')).stdout.toString()).toBe('two\n');
    } finally {
      await transport.close();
    }
    const log = sshd.log().slice(from);
    expect(log).toMatch(/Accepted publickey/);
    expect(log).not.toMatch(/hostkeys-prove-00@openssh\.com/);
  });
});
