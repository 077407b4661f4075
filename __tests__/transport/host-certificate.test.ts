import {
  CERTIFICATE_HOST_KEY_ALGORITHMS,
  checkHostKey,
  hostKeyAlgorithms,
} from '../../src/transport/host-certificate.js';
import { type HostKeyVerdict, parseKnownHosts } from '../../src/transport/known-hosts.js';
import { type HostCa, makeHostCa } from '../support/host-ca.js';

/**
 * The checker of host certificates against `@cert-authority` lines, on certificates made by ssh-keygen (the
 * handshake itself, against a real sshd, is in certificate.test.ts and e2e/host-certificate.test.ts).
 */
const HOST = '127.0.0.1';
const PORT = 2222;
let ca: HostCa;
let other: HostCa;

beforeAll(() => {
  ca = makeHostCa();
  other = makeHostCa();
});

const check = (knownHosts: string, blob: Buffer, host = HOST, now?: Date): HostKeyVerdict =>
  checkHostKey(parseKnownHosts(knownHosts), host, PORT, blob, now);

function refused(v: HostKeyVerdict): Extract<HostKeyVerdict, { ok: false }> {
  if (v.ok) throw new Error('expected the certificate to be refused');
  return v;
}

describe('checkHostKey with @cert-authority lines', () => {
  test.each([
    ['ed25519', 'ed25519', 'default'],
    ['ecdsa', 'ed25519', 'default'],
    ['rsa', 'ed25519', 'default'],
    ['ed25519', 'ecdsa', 'default'],
    ['ed25519', 'ecdsa384', 'default'],
    ['ed25519', 'rsa', 'default'],
    ['ed25519', 'rsa', 'rsa-sha2-256'],
  ] as const)('accepts a %s host key signed by a %s CA (signature: %s)', (key, caType, signatureAlgorithm) => {
    const authority = caType === 'ed25519' ? ca : makeHostCa(caType);
    const cert = authority.sign({ key, ...(signatureAlgorithm !== 'default' ? { signatureAlgorithm } : {}) });
    expect(check(authority.line(`[${HOST}]:${PORT}`), cert.blob)).toEqual({ ok: true });
    expect(check(authority.line('[127.0.0.*]:*'), cert.blob)).toEqual({ ok: true });
    expect(check(authority.line('*'), cert.blob, 'localhost')).toEqual({ ok: true });
  });

  test('refuses a CA signature made with ssh-rsa (SHA-1), as OpenSSH does', () => {
    const rsa = makeHostCa('rsa');
    const v = refused(check(rsa.line('*'), rsa.sign({ signatureAlgorithm: 'ssh-rsa' }).blob));
    expect(v.message).toMatch(/the CA's signature on the host certificate is not valid: it is an ssh-rsa \(SHA-1\)/);
  });

  test('an expired certificate: when it expired, and how to renew it', () => {
    const cert = ca.sign({ validity: '-2h:-1h' });
    const v = refused(check(ca.line('*'), cert.blob));
    expect(v.reason).toBe('certificate');
    expect(v.message).toMatch(
      /^Host certificate verification failed for 127\.0\.0\.1:2222: the host certificate expired on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(now [^)]+\)\. Refusing to connect\.\n/,
    );
    expect(v.message).toMatch(/Offered: ssh-ed25519-cert-v01@openssh.com certificate "host-\d+"/);
    expect(v.message).toContain(
      'ssh-keygen -s CA_KEY -h -I 127.0.0.1 -n 127.0.0.1 -V +52w /etc/ssh/ssh_host_ed25519_key.pub',
    );
    expect(v.message).toContain('HostCertificate at the /etc/ssh/ssh_host_ed25519_key-cert.pub');
  });

  test('a certificate not yet valid: the clocks', () => {
    const cert = ca.sign({ validity: '+1d:+2d' });
    expect(refused(check(ca.line('*'), cert.blob)).message).toMatch(
      /the host certificate is not valid before \d{4}-.* UTC \(now .*\)\. Refusing[\s\S]*Check the clocks/,
    );
    // Valid inside its window.
    expect(check(ca.line('*'), cert.blob, HOST, new Date(Date.now() + 36 * 3600_000))).toEqual({ ok: true });
  });

  test('a certificate signed by another CA than the listed one', () => {
    const cert = other.sign();
    const v = refused(check(ca.line('*'), cert.blob));
    expect(v.message).toMatch(
      /the host certificate is not signed by a CA listed for this host in the `known-hosts` input: it is signed by CA key ssh-ed25519 SHA256:\S+, and this host trusts the CA\(s\) of known-hosts line\(s\) 1 \(ssh-ed25519 SHA256:/,
    );
    expect(v.message).toContain("@cert-authority [127.0.0.1]:2222 <the CA's .pub>");
  });

  test('a CA listed for other hosts only does not vouch for this one', () => {
    const cert = ca.sign();
    const v = refused(check(`${ca.line('*.example.com')}\n${other.line('*')}`, cert.blob));
    expect(v.message).toMatch(/this host trusts the CA\(s\) of known-hosts line\(s\) 2 /);
  });

  test('a principal mismatch names the host as written and the principals', () => {
    const cert = ca.sign({ principals: ['web1.example.com', 'web1'] });
    const v = refused(check(ca.line('*'), cert.blob));
    expect(v.message).toContain(
      'principal "127.0.0.1" (the host as written in the config) is not in ["web1.example.com", "web1"], the host certificate\'s principals',
    );
    expect(v.message).toContain('-n 127.0.0.1,OTHER_NAME');
    expect(check(ca.line('*'), cert.blob, 'web1')).toEqual({ ok: true });
    expect(check(ca.line('*'), cert.blob, 'WEB1')).toEqual({ ok: true });
  });

  test('a host certificate without principals is refused, as ssh does', () => {
    const v = refused(check(ca.line('*'), ca.sign({ principals: [] }).blob));
    expect(v.message).toMatch(/the host certificate names no principals/);
  });

  test('a user certificate presented as a host key is refused', () => {
    const v = refused(check(ca.line('*'), ca.sign({ user: true }).blob));
    expect(v.message).toMatch(/the server presented a USER certificate as its host key/);
    expect(v.message).toMatch(/signed with ssh-keygen -h/);
  });

  test('a revoked CA, a revoked host key: refused as revoked, even when the key is also pinned', () => {
    const cert = ca.sign();
    const pinned = `[${HOST}]:${PORT} ${cert.publicLine}`;
    const caRevoked = refused(check(`${ca.line('*')}\n@revoked * ${ca.publicLine}\n${pinned}`, cert.blob));
    expect(caRevoked.reason).toBe('revoked');
    expect(caRevoked.message).toMatch(
      /the CA key that signed the host certificate is REVOKED \(marked @revoked on known-hosts line 2\)/,
    );
    const keyRevoked = refused(check(`${ca.line('*')}\n${pinned}\n@revoked * ${cert.publicLine}`, cert.blob));
    expect(keyRevoked.reason).toBe('revoked');
    expect(keyRevoked.message).toMatch(
      /the host's key SHA256:\S+ is REVOKED \(marked @revoked on known-hosts line 3\)/,
    );
  });

  test('a tampered certificate (a principal changed after signing) fails the CA signature', () => {
    const cert = ca.sign({ principals: ['127.0.0.2'] });
    const forged = Buffer.from(cert.blob);
    const at = forged.indexOf(Buffer.from('127.0.0.2'));
    forged[at + 8] = '1'.charCodeAt(0);
    const v = refused(check(ca.line('*'), forged));
    expect(v.message).toMatch(/the CA's signature on the host certificate is not valid: the signature does not verify/);
  });

  test('a truncated certificate is refused', () => {
    const cert = ca.sign();
    const v = refused(check(ca.line('*'), cert.blob.subarray(0, 120)));
    expect(v.message).toMatch(/the host certificate: the ssh-ed25519-cert-v01@openssh.com certificate is truncated/);
    expect(v.message).toMatch(/Check the host's HostCertificate file/);
  });

  test('a certificate refused (not revoked) falls back to its key, which a pinned line still lets in', () => {
    const cert = ca.sign({ validity: '-2h:-1h' });
    expect(check(`${ca.line('*')}\n[${HOST}]:${PORT} ${cert.publicLine}`, cert.blob)).toEqual({ ok: true });
    expect(check(`[${HOST}]:${PORT} ${cert.publicLine}`, cert.blob)).toEqual({ ok: true });
  });

  test('plain keys are checked as before', () => {
    const cert = ca.sign();
    const v = refused(check(ca.line('*'), cert.publicKey));
    expect(v.reason).toBe('unknown');
    expect(v.message).toMatch(/\(@cert-authority\) match this host, but it presented a plain host key/);
    expect(check(`[${HOST}]:${PORT} ${cert.publicLine}`, cert.publicKey)).toEqual({ ok: true });
  });
});

describe('hostKeyAlgorithms', () => {
  test('certificates first where a @cert-authority line matches, then the pinned (or every plain) algorithm', () => {
    const cert = ca.sign();
    const kh = parseKnownHosts(
      `${ca.line('*.example.com')}\nweb.example.com ${cert.publicLine}\nplain.org ${cert.publicLine}`,
    );
    expect(hostKeyAlgorithms(kh, 'web.example.com', 22)).toEqual([...CERTIFICATE_HOST_KEY_ALGORITHMS, 'ssh-ed25519']);
    expect(hostKeyAlgorithms(kh, 'db.example.com', 22)).toEqual([
      ...CERTIFICATE_HOST_KEY_ALGORITHMS,
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(hostKeyAlgorithms(kh, 'plain.org', 22)).toEqual(['ssh-ed25519']);
    expect(hostKeyAlgorithms(kh, 'nothing.org', 22)).toBeUndefined();
  });
});
