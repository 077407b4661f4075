import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '../../src/transport/certificate.js';
import { parseKnownHosts } from '../../src/transport/known-hosts.js';
import { connectThrough } from '../../src/transport/jump.js';
import { type ConnectError, connectSsh, type SshCredentials } from '../../src/transport/ssh.js';
import { makeCa, type Signed } from '../support/ca.js';
import { type HostCa, makeHostCa } from '../support/host-ca.js';
import { sshAvailable, startSshd, type SshdHandle } from '../support/sshd.js';

/**
 * Logging in with an OpenSSH user certificate against a real sshd that trusts only the CA (TrustedUserCAKeys) and
 * has no authorized_keys at all: the plain key alone is refused there.
 */
const suite = sshAvailable() ? describe : describe.skip;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ConnectError,
  );

suite('SSH login with a user certificate', () => {
  let sshd: SshdHandle;
  let ca: ReturnType<typeof makeCa>;
  beforeAll(async () => {
    ca = makeCa();
    sshd = await startSshd({
      extraConfig: [`TrustedUserCAKeys ${ca.caPub}`, 'AuthorizedKeysFile none', 'LogLevel DEBUG2'],
    });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const target = () => ({ host: sshd.host, port: sshd.port, user: sshd.user, name: `${sshd.user}@test` });
  const creds = (s: Signed, certificate?: string): SshCredentials => ({
    privateKey: s.privateKey,
    ...(certificate ? { certificate: parseCertificate(certificate, 'the certificate in ssh-certificate') } : {}),
    knownHosts: parseKnownHosts(sshd.knownHostsLine),
    connectTimeoutMs: 10_000,
  });

  test.each(['ed25519', 'ecdsa', 'ecdsa521', 'rsa'])(
    'a %s key with its certificate logs in (the plain key alone is refused)',
    async (type) => {
      const signed = ca.sign(type, '+1h');
      const plain = await failure(connectSsh(target(), creds(signed)));
      expect(plain?.kind).toBe('auth');
      const from = sshd.log().length;
      const transport = await connectSsh(target(), creds(signed, signed.certificate));
      try {
        expect((await transport.run('echo logged-in')).stdout.toString()).toBe('logged-in\n');
      } finally {
        await transport.close();
      }
      const log = sshd.log().slice(from);
      expect(log).toMatch(/-cert-v01@openssh.com/);
      expect(log).not.toMatch(/querying public key/);
    },
  );

  test('a certificate without the login user among its principals is refused with what to check', async () => {
    const signed = ca.sign('ed25519', '+1h', 'someone-else');
    const error = await failure(connectSsh(target(), creds(signed, signed.certificate)));
    expect(error?.kind).toBe('auth');
    expect(error?.message).toMatch(
      /refused the certificate in ssh-certificate for user "root" \(principals: someone-else\)/,
    );
    expect(error?.message).toMatch(/TrustedUserCAKeys/);
  });

  test('a certificate of another key is refused before connecting', async () => {
    const a = ca.sign('ed25519', '+1h');
    const b = ca.sign('ed25519', '+1h');
    const before = sshd.connections();
    const error = await failure(connectSsh(target(), creds(a, b.certificate)));
    expect(error?.message).toMatch(/the certificate in ssh-certificate certifies another key than ssh-private-key/);
    expect(sshd.connections()).toBe(before);
  });

  test('a file that is no certificate says so', () => {
    const signed = ca.sign('ed25519', '+1h');
    expect(() =>
      parseCertificate(readFileSync(`${signed.keyPath}.pub`, 'utf8'), 'the certificate in ssh-certificate'),
    ).toThrow(/is not a supported OpenSSH certificate \(type "ssh-ed25519"/);
  });
});

suite('host certificates (@cert-authority), against a real sshd with HostCertificate', () => {
  let sshd: SshdHandle;
  let ca: HostCa;
  let caLine: string;
  beforeAll(async () => {
    ca = makeHostCa();
    const host = ca.sign({ key: 'ecdsa' });
    sshd = await startSshd({ extraConfig: [`HostKey ${host.keyPath}`, `HostCertificate ${host.certPath}`] });
    caLine = ca.line(`[${sshd.host}]:${sshd.port}`);
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const target = () => ({ host: sshd.host, port: sshd.port, user: sshd.user, name: `${sshd.user}@test` });
  const creds = (knownHosts: string): SshCredentials => ({
    privateKey: sshd.privateKey,
    knownHosts: parseKnownHosts(knownHosts),
    connectTimeoutMs: 10_000,
  });

  test('OpenSSH accepts the host by its certificate with only the @cert-authority line (the set-up is right)', () => {
    const file = join(ca.dir, 'known_hosts');
    writeFileSync(file, `${caLine}\n`);
    const options = ['-o', `UserKnownHostsFile=${file}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes'];
    const out = execFileSync('ssh', [
      ...options,
      '-i',
      sshd.plainKeyPath,
      '-p',
      String(sshd.port),
      `${sshd.user}@${sshd.host}`,
      'echo ok',
    ]);
    expect(out.toString()).toBe('ok\n');
  });

  test('with only the @cert-authority line the host is reached by its certificate', async () => {
    const from = sshd.log().length;
    const transport = await connectSsh(target(), creds(caLine));
    try {
      expect((await transport.run('echo in')).stdout.toString()).toBe('in\n');
    } finally {
      await transport.close();
    }
    expect(sshd.log().slice(from)).toMatch(/Accepted publickey/);
  });

  test('a jump host is checked by the same certificate rules (the host as its own hop)', async () => {
    const hop = { host: sshd.host, port: sshd.port, user: sshd.user };
    const transport = await connectThrough(target(), [hop], creds(caLine));
    try {
      expect((await transport.run('echo through')).stdout.toString()).toBe('through\n');
    } finally {
      await transport.close();
    }
    const wrongCa = makeHostCa().line('*');
    const error = await failure(connectThrough(target(), [hop], creds(wrongCa)));
    expect(error?.kind).toBe('host-key');
    expect(error?.message).toMatch(
      new RegExp(`^jump host root@127\\.0\\.0\\.1:${sshd.port} \\(hop 1 of 1\\): Host certificate verification failed`),
    );
    expect(error?.message).toMatch(/is not signed by a CA listed for this host/);
  });

  test('a certificate the CA line does not vouch for is refused before authentication, saying why', async () => {
    const from = sshd.log().length;
    const error = await failure(connectSsh(target(), creds(`${caLine}\n@revoked * ${ca.publicLine}`)));
    expect(error?.kind).toBe('host-key');
    expect(error?.message).toMatch(
      /^Host certificate verification failed for 127\.0\.0\.1:\d+: the CA key that signed the host certificate is REVOKED/,
    );
    expect(sshd.log().slice(from)).not.toMatch(/publickey|Accepted/);
  });
});
