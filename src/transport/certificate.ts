/**
 * OpenSSH certificates (PROTOCOL.certkeys in OpenSSH's source): a public key, signed by a certificate authority, with
 * a kind (user or host), principals and a validity period. User certificates log in where sshd trusts the CA
 * (`TrustedUserCAKeys`) without the key itself in authorized_keys.
 */

/** The certificate types this project logs in with, and the plain key type each one certifies. */
const CERT_TYPES: Record<string, { base: string; fields: number }> = {
  'ssh-ed25519-cert-v01@openssh.com': { base: 'ssh-ed25519', fields: 1 },
  'ssh-rsa-cert-v01@openssh.com': { base: 'ssh-rsa', fields: 2 },
  'ecdsa-sha2-nistp256-cert-v01@openssh.com': { base: 'ecdsa-sha2-nistp256', fields: 2 },
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': { base: 'ecdsa-sha2-nistp384', fields: 2 },
  'ecdsa-sha2-nistp521-cert-v01@openssh.com': { base: 'ecdsa-sha2-nistp521', fields: 2 },
};

export interface Certificate {
  /** The certificate's type, e.g. `ssh-ed25519-cert-v01@openssh.com`. */
  type: string;
  /** The certified key's type, e.g. `ssh-ed25519`. */
  keyType: string;
  /** The whole certificate (SSH wire format): what the login presents as its public key. */
  blob: Buffer;
  /** The certified public key (SSH wire format), as in a `.pub` file. */
  publicKey: Buffer;
  kind: 'user' | 'host';
  keyId: string;
  serial: bigint;
  /** Empty: valid for any principal. */
  principals: string[];
  /** Seconds since the epoch. */
  validAfter: bigint;
  /** Seconds since the epoch; 2^64-1 means forever. */
  validBefore: bigint;
  /** The CA's public key (SSH wire format). */
  signatureKey: Buffer;
  /** The critical options (SSH wire format; empty when there are none). */
  criticalOptions: Buffer;
  /** What the CA signed: the certificate up to its signature. */
  signed: Buffer;
  /** The CA's signature (SSH wire format: string algorithm, string signature). */
  signature: Buffer;
}

/** A certificate that cannot be used; the message names where it came from and what to do. */
export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

const FOREVER = 0xffff_ffff_ffff_ffffn;

/** Reads SSH wire format: uint32, uint64, string (uint32 length + bytes); throws 'truncated' past the end. */
export class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  get offset(): number {
    return this.pos;
  }
  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new Error('truncated');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  uint32(): number {
    return this.bytes(4).readUInt32BE(0);
  }
  uint64(): bigint {
    return this.bytes(8).readBigUInt64BE(0);
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
  text(): string {
    return this.string().toString('utf8');
  }
}

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length, 0);
  return Buffer.concat([len, body]);
}

/** Parses a certificate line (`ssh-ed25519-cert-v01@openssh.com AAAA... comment`, a `*-cert.pub` file's text). */
export function parseCertificate(text: string, source: string): Certificate {
  const fields = text.trim().split(/\s+/);
  const [type, data] = fields;
  if (!type || !data) throw new CertificateError(`${source} is empty: give the text of the key's -cert.pub file`);
  const spec = CERT_TYPES[type];
  if (!spec) {
    throw new CertificateError(
      `${source} is not a supported OpenSSH certificate (type "${type.slice(0, 60)}"; supported: ${Object.keys(CERT_TYPES).join(', ')}); give the text of the key's -cert.pub file`,
    );
  }
  return parseCertificateBlob(Buffer.from(data, 'base64'), source, type);
}

/**
 * Parses a certificate in SSH wire format (as a host presents it), of the given type or of any supported one.
 * Throws a CertificateError naming `source` if it is not one.
 */
export function parseCertificateBlob(blob: Buffer, source: string, expected?: string): Certificate {
  let type = expected ?? 'SSH';
  try {
    const r = new Reader(blob);
    const named = r.text();
    if (expected !== undefined && named !== expected) throw new Error('type mismatch');
    type = named;
    const spec = CERT_TYPES[type];
    if (!spec) throw new Error('unsupported type');
    r.string(); // nonce
    const keyStart = r.offset;
    for (let i = 0; i < spec.fields; i++) r.string();
    const publicKey = Buffer.concat([sshString(spec.base), blob.subarray(keyStart, r.offset)]);
    const serial = r.uint64();
    const kindCode = r.uint32();
    const keyId = r.text();
    const principalsReader = new Reader(r.string());
    const principals: string[] = [];
    for (let end = false; !end; ) {
      try {
        principals.push(principalsReader.text());
      } catch {
        end = true;
      }
    }
    const validAfter = r.uint64();
    const validBefore = r.uint64();
    const criticalOptions = r.string();
    r.string(); // extensions
    r.string(); // reserved
    const signatureKey = r.string();
    const signed = blob.subarray(0, r.offset);
    const signature = r.string();
    if (kindCode !== 1 && kindCode !== 2) throw new Error('unknown kind');
    return {
      type,
      keyType: spec.base,
      blob,
      publicKey,
      kind: kindCode === 1 ? 'user' : 'host',
      keyId,
      serial,
      principals,
      validAfter,
      validBefore,
      signatureKey,
      criticalOptions,
      signed,
      signature,
    };
  } catch {
    throw new CertificateError(`${source}: the ${type.slice(0, 60)} certificate is truncated or corrupt`);
  }
}

/** A validity bound as a UTC time, as people read it (`2026-12-06 15:31:00 UTC`, or `forever`). */
export function certificateTime(seconds: bigint): string {
  if (seconds >= FOREVER) return 'forever';
  const ms = Number(seconds) * 1000;
  if (!Number.isFinite(ms) || ms > 8.64e15) return 'forever';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** What a certificate says, for a debug line: type, id, serial, principals and validity. */
export function describeCertificate(cert: Certificate): string {
  const principals = cert.principals.length > 0 ? cert.principals.map((p) => JSON.stringify(p)).join(', ') : '(any)';
  return (
    `${cert.type} certificate ${JSON.stringify(cert.keyId)} (serial ${cert.serial}), principals: ${principals}, ` +
    `valid from ${certificateTime(cert.validAfter)} to ${certificateTime(cert.validBefore)}`
  );
}

/**
 * Checks a user certificate before any host is reached: a user certificate, valid now. `source` names it
 * ("the certificate in ssh-certificate", a file's path).
 */
export function checkUserCertificate(cert: Certificate, source: string, now: Date = new Date()): void {
  const renew = 'sign a new one with the CA (ssh-keygen -s CA_KEY -I ID -n USER -V +1h KEY.pub) and use its -cert.pub';
  if (cert.kind !== 'user') {
    throw new CertificateError(`${source} is a host certificate, not a user certificate: ${renew}`);
  }
  const seconds = BigInt(Math.floor(now.getTime() / 1000));
  if (seconds >= cert.validBefore) {
    throw new CertificateError(
      `${source} expired at ${certificateTime(cert.validBefore)} (id ${JSON.stringify(cert.keyId)}, now ${certificateTime(seconds)}): ${renew}`,
    );
  }
  if (seconds < cert.validAfter) {
    throw new CertificateError(
      `${source} is not valid yet: it is valid from ${certificateTime(cert.validAfter)} (id ${JSON.stringify(cert.keyId)}, now ${certificateTime(seconds)}); check the clock of this machine, or ${renew}`,
    );
  }
}

/** Checks that the certificate certifies the private key whose public half (SSH wire format) is given. */
export function checkCertificateKey(cert: Certificate, publicKey: Buffer, source: string, keyName: string): void {
  if (!cert.publicKey.equals(publicKey)) {
    throw new CertificateError(
      `${source} certifies another key than ${keyName} (the certificate is for a ${cert.keyType} key, id ${JSON.stringify(cert.keyId)}): give the -cert.pub file signed for this key's .pub`,
    );
  }
}

/**
 * The algorithm a login with this certificate names, from the signature algorithm chosen for the plain key
 * (`rsa-sha2-512` gives `rsa-sha2-512-cert-v01@openssh.com`).
 */
export function certificateAlgorithm(signatureAlgorithm: string): string {
  return `${signatureAlgorithm}-cert-v01@openssh.com`;
}

/** Wraps an SSH signature: string algorithm, string signature. */
export function signatureBlob(algorithm: string, signature: Buffer): Buffer {
  return Buffer.concat([sshString(algorithm), sshString(signature)]);
}

/** The SSH encoding of an ECDSA signature (string mpint r, mpint s) from its DER encoding; others pass unchanged. */
export function sshSignature(keyType: string, signature: Buffer): Buffer {
  if (!keyType.startsWith('ecdsa-')) return signature;
  const r = new Reader(signature);
  const derLength = (): number => {
    const first = r.bytes(1)[0]!;
    if (first < 0x80) return first;
    const bytes = r.bytes(first & 0x7f);
    return bytes.reduce((n, b) => n * 256 + b, 0);
  };
  const integer = (): Buffer => {
    if (r.bytes(1)[0] !== 0x02) throw new Error('not a DER integer');
    return r.bytes(derLength());
  };
  if (r.bytes(1)[0] !== 0x30) throw new Error('not a DER sequence');
  derLength();
  const rInt = integer();
  const sInt = integer();
  return Buffer.concat([sshString(rInt), sshString(sInt)]);
}
