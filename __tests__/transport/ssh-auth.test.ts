import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectSsh, ConnectError, type SshCredentials } from '../../src/transport/ssh.js';
import { parseKnownHosts } from '../../src/transport/known-hosts.js';
import { clientKey, sshAvailable, startSshd, type SshdHandle } from '../support/sshd.js';
import { runAction } from '../support/action.js';
import { hostEntry, makeWorkspace, sshInputs } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

/**
 * Public-key authentication against a real sshd: the signed request goes out at once (one round trip), which the
 * server's DEBUG2 log tells apart from ssh2's default of asking first ("querying public key").
 */
const suite = sshAvailable() ? describe : describe.skip;
if (!sshAvailable()) console.warn('ssh-auth tests skipped: /usr/sbin/sshd or ssh-keygen not available');

suite('SSH public-key authentication', () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    sshd = await startSshd({ extraConfig: ['LogLevel DEBUG2'] });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const creds = (privateKey: string, passphrase?: string): SshCredentials => ({
    privateKey,
    passphrase,
    knownHosts: parseKnownHosts(sshd.knownHostsLine),
    connectTimeoutMs: 10_000,
  });
  const target = () => ({ host: sshd.host, port: sshd.port, user: sshd.user, name: `${sshd.user}@test` });
  const logSince = (from: number) => sshd.log().slice(from);

  test.each(['ed25519', 'ecdsa', 'rsa'] as const)(
    'an authorized %s key logs in with a signed request, without asking first',
    async (type) => {
      const key = await clientKey(type);
      sshd.authorize(key.publicLine);
      const from = sshd.log().length;
      const transport = await connectSsh(target(), creds(key.privateKey));
      try {
        const r = await transport.run('echo logged-in');
        expect(r.stdout.toString()).toBe('logged-in\n');
      } finally {
        await transport.close();
      }
      const log = logSince(from);
      expect(log).toMatch(/attempting public key/);
      expect(log).not.toMatch(/querying public key/);
    },
  );

  test('the bundled action (dist/index.js) logs in the same way', async () => {
    const dp = join(tempDir('da-target-'), 'app');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      `environments:\n  production:\n    hosts: [${hostEntry(sshd)}]\n    deploy_path: ${JSON.stringify(dp)}\n`,
    );
    const from = sshd.log().length;
    const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir });
    expect({ code: r.code, out: r.code ? r.stdout.slice(-2000) : '' }).toEqual({ code: 0, out: '' });
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v1\n');
    const log = logSince(from);
    expect(log).toMatch(/attempting public key/);
    expect(log).not.toMatch(/querying public key/);
  });

  test('a key the server does not know is refused with the same clear error', async () => {
    const key = await clientKey('ed25519');
    const from = sshd.log().length;
    const error = await connectSsh(target(), creds(key.privateKey)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).kind).toBe('auth');
    // Named by its fingerprint as `ssh-keygen -lf` prints it (and sshd logs it): which key was offered.
    const pub = join(tempDir('da-pub-'), 'id.pub');
    writeFileSync(pub, `${key.publicLine}\n`);
    const fingerprint = execFileSync('ssh-keygen', ['-lf', pub], { encoding: 'utf8' }).split(' ')[1]!;
    expect((error as Error).message).toContain(`the server refused the key ${fingerprint} for user`);
    expect(logSince(from)).toMatch(/attempting public key/);
  });

  test('an encrypted key logs in with its passphrase', async () => {
    const key = await clientKey('ed25519', 'sesame');
    sshd.authorize(key.publicLine);
    const transport = await connectSsh(target(), creds(key.privateKey, 'sesame'));
    try {
      expect((await transport.run('echo ok')).stdout.toString()).toBe('ok\n');
    } finally {
      await transport.close();
    }
  });
});
