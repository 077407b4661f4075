import { readFileSync } from 'node:fs';
import {
  CertificateError,
  certificateTime,
  checkUserCertificate,
  describeCertificate,
  parseCertificate,
} from '../../src/transport/certificate.js';
import { fingerprintSha256 } from '../../src/transport/known-hosts.js';
import { makeCa, signHostKey } from '../support/ca.js';

/** Certificates made by ssh-keygen, read and checked on the runner (no host involved). */
describe('OpenSSH certificates', () => {
  const ca = makeCa();
  const SOURCE = 'the certificate in ssh-certificate';

  test('a user certificate: its key, principals, validity and CA, as ssh-keygen -L shows them', () => {
    const signed = ca.sign('ed25519', '20260101000000:20260101010000', 'deploy,root');
    const cert = parseCertificate(signed.certificate, SOURCE);
    const pub = readFileSync(`${signed.keyPath}.pub`, 'utf8').split(' ')[1]!;
    expect(cert.publicKey.toString('base64')).toBe(pub);
    expect(cert).toMatchObject({ kind: 'user', keyType: 'ssh-ed25519', principals: ['deploy', 'root'] });
    expect(certificateTime(cert.validAfter)).toBe('2026-01-01 00:00:00 UTC');
    expect(certificateTime(cert.validBefore)).toBe('2026-01-01 01:00:00 UTC');
    const caBlob = Buffer.from(readFileSync(ca.caPub, 'utf8').split(' ')[1]!, 'base64');
    expect(fingerprintSha256(cert.signatureKey)).toBe(fingerprintSha256(caBlob));
    expect(describeCertificate(cert)).toMatch(
      /^ssh-ed25519-cert-v01@openssh.com certificate "deploy-\d+" \(serial 0\), principals: "deploy", "root", valid from 2026-01-01 00:00:00 UTC to 2026-01-01 01:00:00 UTC$/,
    );
  });

  test('valid now, expired, not yet valid, forever', () => {
    const cert = parseCertificate(ca.sign('ed25519', '20260101000000:20260101010000').certificate, SOURCE);
    expect(() => checkUserCertificate(cert, SOURCE, new Date('2026-01-01T00:30:00Z'))).not.toThrow();
    expect(() => checkUserCertificate(cert, SOURCE, new Date('2026-01-01T01:00:00Z'))).toThrow(
      /^the certificate in ssh-certificate expired at 2026-01-01 01:00:00 UTC \(id "deploy-\d+", now 2026-01-01 01:00:00 UTC\): sign a new one/,
    );
    expect(() => checkUserCertificate(cert, SOURCE, new Date('2025-12-31T23:00:00Z'))).toThrow(
      /is not valid yet: it is valid from 2026-01-01 00:00:00 UTC .*check the clock of this machine/,
    );
    const forever = parseCertificate(ca.sign('ed25519', 'always:forever').certificate, SOURCE);
    expect(describeCertificate(forever)).toMatch(/valid from 1970-01-01 00:00:00 UTC to forever$/);
    expect(() => checkUserCertificate(forever, SOURCE)).not.toThrow();
  });

  test('a host certificate is not a user certificate; garbage and truncation are named', () => {
    const host = parseCertificate(readFileSync(signHostKey(ca, 'ed25519', 'web1').certPath, 'utf8'), SOURCE);
    expect(host).toMatchObject({ kind: 'host', principals: ['web1'] });
    expect(() => checkUserCertificate(host, SOURCE)).toThrow(/is a host certificate, not a user certificate/);
    const line = ca.sign('ed25519', '+1h').certificate.split(' ');
    const truncated = `${line[0]} ${Buffer.from(line[1]!, 'base64').subarray(0, 80).toString('base64')}`;
    expect(() => parseCertificate(truncated, SOURCE)).toThrow(CertificateError);
    expect(() => parseCertificate(truncated, SOURCE)).toThrow(
      /the ssh-ed25519-cert-v01@openssh.com certificate is truncated or corrupt/,
    );
    expect(() => parseCertificate('  ', SOURCE)).toThrow(/is empty/);
  });
});
