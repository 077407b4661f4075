/**
 * Host certificates: `@cert-authority <patterns> <CA key>` lines of known-hosts, checked as OpenSSH's ssh checks
 * them. For a host such a line matches, the certificate host key algorithms are offered first; a certificate is
 * accepted only if it is a host certificate signed by a listed CA (its signature checked here), valid now, with
 * the host's name (as written in the config) among its principals, and neither it, its key nor its CA revoked.
 * As ssh does, a certificate not accepted for any other reason than a revocation falls back to its plain key, which
 * a pinned line may still let in. Plain host keys go to verifyHostKey.
 */
import { caSignatureProblem } from './ca-signature.js';
import { type Certificate, certificateTime, describeCertificate, parseCertificateBlob } from './certificate.js';
import {
  entriesFor,
  fingerprintSha256,
  type HostKeyVerdict,
  KNOWN_HOSTS_INPUT,
  type KnownHostEntry,
  type KnownHosts,
  keyTypeOf,
  knownHostsName,
  pinnedHostKeyAlgorithms,
  serverKeyFile,
  verifyHostKey,
} from './known-hosts.js';

/** The certificate host key algorithms (the patched ssh2 supports them, never by default), in ssh's order. */
export const CERTIFICATE_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
];

/** ssh2's default plain host key algorithms: offered after the certificates when no plain key is pinned. */
const PLAIN_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * The ssh2 `algorithms.serverHostKey` list for host:port: the certificate algorithms first when a `@cert-authority`
 * line matches the host, then the plain ones pinned (all of them when none is: a plain key is then refused with its
 * own message). Undefined: ssh2's defaults (nothing matches; the verifier refuses anyway).
 */
export function hostKeyAlgorithms(kh: KnownHosts, host: string, port: number): string[] | undefined {
  const pinned = pinnedHostKeyAlgorithms(kh, host, port);
  const authorities = entriesFor(kh, host, port).some((e) => e.marker === '@cert-authority');
  return authorities ? [...CERTIFICATE_HOST_KEY_ALGORITHMS, ...(pinned ?? PLAIN_HOST_KEY_ALGORITHMS)] : pinned;
}

/** Checks the host key blob the server presented, a plain key or a certificate, against known-hosts. Fails closed. */
export function checkHostKey(
  kh: KnownHosts,
  host: string,
  port: number,
  blob: Buffer,
  now: Date = new Date(),
): HostKeyVerdict {
  let type: string;
  try {
    type = keyTypeOf(blob);
  } catch {
    return verifyHostKey(kh, host, port, blob);
  }
  if (!type.endsWith('-cert-v01@openssh.com')) return verifyHostKey(kh, host, port, blob);
  let cert: Certificate;
  try {
    cert = parseCertificateBlob(blob, 'the host certificate');
  } catch (error) {
    const fix = [
      "Check the host's HostCertificate file (ssh-keygen -L -f FILE on the host); sign the key again if needed.",
    ];
    return refusal(host, port, type, blob, { why: (error as Error).message, fix });
  }
  const problem = certificateProblem(kh, host, port, cert, now);
  if (!problem) return { ok: true };
  if (!problem.revoked && verifyHostKey(kh, host, port, cert.publicKey).ok) return { ok: true };
  return refusal(host, port, type, cert.publicKey, problem, cert);
}

interface Problem {
  /** Why, as a phrase after "…failed for host:port: ". */
  why: string;
  /** What to do, one line each. */
  fix: string[];
  revoked?: boolean;
}

/** The refusal of a certificate; `key` is the certified key (the certificate's blob if it could not be read). */
function refusal(
  host: string,
  port: number,
  type: string,
  key: Buffer,
  problem: Problem,
  cert?: Certificate,
): HostKeyVerdict {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const offered = cert
    ? [`  Offered: ${describeCertificate(cert)},`, `  signed by CA key ${keyName(cert.signatureKey)}`]
    : [];
  const lines = [
    `Host certificate verification failed for ${where}: ${problem.why}. Refusing to connect.`,
    ...offered,
    ...problem.fix,
  ];
  return {
    ok: false,
    reason: problem.revoked ? 'revoked' : 'certificate',
    keyType: type,
    fingerprint: fingerprintSha256(key),
    suggestedLine: `${knownHostsName(host, port)} ${keyName(key).split(' ')[0]} ${key.toString('base64')}`,
    message: lines.join('\n'),
  };
}

/** A key's type and fingerprint, e.g. `ssh-ed25519 SHA256:...`. */
function keyName(key: Buffer): string {
  let type = 'unknown';
  try {
    type = keyTypeOf(key);
  } catch {}
  return `${type} ${fingerprintSha256(key)}`;
}

const lineNumbers = (entries: KnownHostEntry[]) => entries.map((e) => e.line).join(', ');

/** What is wrong with a host certificate for host:port, as ssh's checks go; undefined if nothing is. */
function certificateProblem(
  kh: KnownHosts,
  host: string,
  port: number,
  cert: Certificate,
  now: Date,
): Problem | undefined {
  const source = kh.source ?? KNOWN_HOSTS_INPUT;
  const matching = entriesFor(kh, host, port);
  const name = host.toLowerCase();
  const keyFile = serverKeyFile(cert.keyType);
  const sign = (extra = '') => `  ssh-keygen -s CA_KEY -h -I ${name} -n ${name}${extra} ${keyFile}`;
  const resign = [
    'Sign the host key again on the machine that holds the CA key, for example',
    sign(' -V +52w'),
    `and point sshd's HostCertificate at the ${keyFile.replace(/\.pub$/, '-cert.pub')} it writes, then reload sshd.`,
  ];

  const revoked = (key: Buffer) => matching.find((e) => e.marker === '@revoked' && e.key.equals(key));
  const keyRevoked = revoked(cert.publicKey) ?? revoked(cert.blob);
  if (keyRevoked) {
    return {
      revoked: true,
      why: `the host's key ${fingerprintSha256(cert.publicKey)} is REVOKED (marked @revoked on ${source.line} ${keyRevoked.line})`,
      fix: ['Do not trust this key again: give the server a new host key and sign that one with the CA.'],
    };
  }
  const caRevoked = revoked(cert.signatureKey);
  if (caRevoked) {
    return {
      revoked: true,
      why: `the CA key that signed the host certificate is REVOKED (marked @revoked on ${source.line} ${caRevoked.line})`,
      fix: [
        'Sign the host key with a CA that is not revoked and list that CA in a @cert-authority line, for example',
        sign(),
      ],
    };
  }
  if (cert.kind !== 'host') {
    return {
      why: 'the server presented a USER certificate as its host key',
      fix: ['A host certificate is signed with ssh-keygen -h:', sign()],
    };
  }
  const authorities = matching.filter((e) => e.marker === '@cert-authority');
  if (!authorities.some((e) => e.key.equals(cert.signatureKey))) {
    const listed = authorities.length
      ? `the CA(s) of ${source.line}(s) ${lineNumbers(authorities)} (${authorities.map((e) => keyName(e.key)).join(', ')})`
      : `no @cert-authority line of ${source.name} for "${knownHostsName(name, port)}"`;
    return {
      why: `the host certificate is not signed by a CA listed for this host in ${source.name}: it is signed by CA key ${keyName(cert.signatureKey)}, and this host trusts ${listed}`,
      fix: [
        ...resign.map((l) => l.replace('CA_KEY', 'THE_LISTED_CA_KEY')),
        `or, if that CA is yours, add its public key (obtained out of band) to ${source.name}:`,
        `  @cert-authority ${knownHostsName(name, port)} <the CA's .pub>`,
      ],
    };
  }
  const bad = caSignatureProblem(cert.signatureKey, cert.signed, cert.signature);
  if (bad) {
    return {
      why: `the CA's signature on the host certificate is not valid: ${bad} (a forged or corrupt certificate)`,
      fix: ["Check that sshd's HostCertificate is the file ssh-keygen -s wrote, unmodified.", ...resign],
    };
  }
  if (cert.criticalOptions.length > 0) {
    return {
      why: 'the host certificate has critical options, which no host certificate may have',
      fix: ['Sign it again without -O options:', sign()],
    };
  }
  const seconds = BigInt(Math.floor(now.getTime() / 1000));
  const nowText = `now ${certificateTime(seconds)}`;
  if (seconds >= cert.validBefore) {
    return { why: `the host certificate expired on ${certificateTime(cert.validBefore)} (${nowText})`, fix: resign };
  }
  if (seconds < cert.validAfter) {
    return {
      why: `the host certificate is not valid before ${certificateTime(cert.validAfter)} (${nowText})`,
      fix: ['Check the clocks of this machine and of the CA, or', ...resign],
    };
  }
  if (cert.principals.length === 0) {
    return {
      why: 'the host certificate names no principals (valid for any host: ssh refuses such host certificates)',
      fix: resign,
    };
  }
  if (!cert.principals.includes(name)) {
    return {
      why: `principal ${JSON.stringify(name)} (the host as written in the config) is not in [${cert.principals.map((p) => JSON.stringify(p)).join(', ')}], the host certificate's principals`,
      fix: [
        'Connect with a name the certificate lists, or sign the host key again with every name the host is reached by',
        `(-n ${name},OTHER_NAME), for example`,
        sign(' -V +52w'),
      ],
    };
  }
  return undefined;
}
