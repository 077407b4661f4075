import type { Client } from 'ssh2';

/** The parts of ssh2's key objects and protocol this module relies on. */
interface SigningKey {
  type: string;
  isPrivateKey(): boolean;
  sign(data: Buffer, hash?: string): Buffer | Error;
}
type Signer = (data: Buffer, done: (signature: Buffer) => void) => void;
type AuthPK = (username: string, key: unknown, keyAlgo?: string, sign?: Signer) => void;

/** The hash each RSA signature algorithm signs with (the other key types have one hash each). */
const RSA_HASH: Record<string, string> = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512', 'ssh-rsa': 'sha1' };

function isSigningKey(key: unknown): key is SigningKey {
  const k = key as Partial<SigningKey> | null;
  return !!k && typeof k.sign === 'function' && typeof k.isPrivateKey === 'function' && k.isPrivateKey();
}

/**
 * Public-key authentication in one round trip instead of two. ssh2 always asks the server first whether a key
 * would be accepted (a request without a signature) and signs only after the server says yes. RFC 4252 §7 lets the
 * client send the signed request straight away; the server answers it exactly as it answers a query, success or
 * failure, so nothing else changes: a refused key fails the same way, an RSA key signs with the algorithm ssh2 picked
 * for the server (rsa-sha2-256/512 or ssh-rsa), and keys held by an agent (which signs only on request) keep asking
 * first.
 *
 * This wraps the `authPK` method of the connection's protocol object, which ssh2 does not document. ssh2 is
 * pinned by package-lock.json and bundled into dist/; if a later version is shaped differently, this does nothing
 * and authentication takes its usual two round trips (the tests in __tests__/transport/ssh-auth.test.ts notice).
 * Call it right after `client.connect()`, before the handshake completes.
 */
export function signWithoutAsking(client: Client): boolean {
  const proto = (client as unknown as { _protocol?: { authPK?: AuthPK } })._protocol;
  const authPK = proto?.authPK;
  if (!proto || typeof authPK !== 'function' || authPK.length !== 4) return false;
  proto.authPK = function (this: unknown, username, key, keyAlgo, sign) {
    if (sign || !isSigningKey(key)) return authPK.call(this, username, key, keyAlgo, sign);
    const hash = key.type === 'ssh-rsa' ? RSA_HASH[keyAlgo ?? 'ssh-rsa'] : undefined;
    return authPK.call(this, username, key, keyAlgo, (data, done) => {
      const signature = key.sign(data, hash);
      // A key that cannot sign: ask first after all, and ssh2 reports the failure its own way when it signs.
      if (signature instanceof Error) authPK.call(this, username, key, keyAlgo);
      else done(signature);
    });
  };
  return true;
}
