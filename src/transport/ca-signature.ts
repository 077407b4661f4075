/**
 * A certificate authority's signature over a certificate (PROTOCOL.certkeys), checked with node:crypto: ed25519,
 * ECDSA (nistp256/384/521) and RSA with SHA-2 (rsa-sha2-256/512). `ssh-rsa` (SHA-1) signatures are refused, as
 * OpenSSH's default CASignatureAlgorithms does.
 */
import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import { Reader } from './certificate.js';

const CURVES: Record<string, { crv: string; hash: string; size: number }> = {
  'ecdsa-sha2-nistp256': { crv: 'P-256', hash: 'sha256', size: 32 },
  'ecdsa-sha2-nistp384': { crv: 'P-384', hash: 'sha384', size: 48 },
  'ecdsa-sha2-nistp521': { crv: 'P-521', hash: 'sha512', size: 66 },
};

/** The hash of each signature algorithm an RSA CA key may sign with. */
const RSA_HASH: Record<string, string> = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' };

const base64url = (b: Buffer) => b.toString('base64url');
/** An SSH mpint's magnitude without the leading zero bytes. */
function unsigned(b: Buffer): Buffer {
  const first = b.findIndex((x) => x !== 0);
  return b.subarray(first < 0 ? b.length : first);
}

/** A public key in SSH wire format as a node:crypto key. Throws on a type it does not know. */
function publicKeyObject(blob: Buffer): { type: string; key: KeyObject } {
  const r = new Reader(blob);
  const type = r.string().toString('latin1');
  let jwk: JsonWebKey;
  if (type === 'ssh-ed25519') {
    jwk = { kty: 'OKP', crv: 'Ed25519', x: base64url(r.string()) };
  } else if (type === 'ssh-rsa') {
    const e = unsigned(r.string());
    jwk = { kty: 'RSA', e: base64url(e), n: base64url(unsigned(r.string())) };
  } else if (CURVES[type]) {
    const { crv, size } = CURVES[type];
    r.string(); // the curve's name
    const point = r.string();
    if (point[0] !== 0x04 || point.length !== 1 + 2 * size) throw new Error('not an uncompressed point');
    jwk = { kty: 'EC', crv, x: base64url(point.subarray(1, 1 + size)), y: base64url(point.subarray(1 + size)) };
  } else {
    throw new Error(`unsupported CA key type ${type.slice(0, 60)}`);
  }
  return { type, key: createPublicKey({ key: jwk, format: 'jwk' }) };
}

/** r and s of an SSH ECDSA signature (string mpint r, mpint s) as IEEE P1363 (r || s, each padded to size). */
function p1363(signature: Buffer, size: number): Buffer {
  const r = new Reader(signature);
  const pad = (n: Buffer) => {
    const magnitude = unsigned(n);
    if (magnitude.length > size) throw new Error('ECDSA signature value too long');
    return Buffer.concat([Buffer.alloc(size - magnitude.length), magnitude]);
  };
  return Buffer.concat([pad(r.string()), pad(r.string())]);
}

/**
 * Whether `signature` (SSH wire format: string algorithm, string signature) is the CA key's (SSH wire format)
 * signature of `signed`. Undefined if it is; otherwise why not, as a phrase.
 */
export function caSignatureProblem(caKey: Buffer, signed: Buffer, signature: Buffer): string | undefined {
  try {
    const { type, key } = publicKeyObject(caKey);
    const r = new Reader(signature);
    const algorithm = r.string().toString('latin1');
    const value = r.string();
    const mismatch = () =>
      `it names the signature algorithm ${algorithm.slice(0, 60)}, which a ${type} CA key cannot use`;
    let ok: boolean;
    if (type === 'ssh-ed25519') {
      if (algorithm !== type) return mismatch();
      ok = verify(null, signed, key, value);
    } else if (type === 'ssh-rsa') {
      if (algorithm === 'ssh-rsa')
        return 'it is an ssh-rsa (SHA-1) signature, which OpenSSH no longer accepts from a CA';
      const hash = RSA_HASH[algorithm];
      if (!hash) return mismatch();
      ok = verify(hash, signed, key, value);
    } else {
      const curve = CURVES[type]!;
      if (algorithm !== type) return mismatch();
      ok = verify(curve.hash, signed, { key, dsaEncoding: 'ieee-p1363' }, p1363(value, curve.size));
    }
    return ok ? undefined : 'the signature does not verify with the CA key it names';
  } catch (error) {
    return `it cannot be checked (${error instanceof Error ? error.message : String(error)})`;
  }
}
