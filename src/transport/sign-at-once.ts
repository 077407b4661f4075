import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import ssh2, { type Client, type ParsedKey } from 'ssh2';
import {
  certificateAlgorithm,
  checkCertificateKey,
  signatureBlob,
  sshSignature,
  type Certificate,
} from './certificate.js';

// ssh2 is CommonJS: its named exports are not visible to Node's ESM loader (the bench runs this file unbundled).
const { utils } = ssh2;

/**
 * A private key as ssh2 parses it, once per run for each key text and passphrase: ssh2 parses the text again for every
 * connection it is given it to, and an encrypted OpenSSH key costs a bcrypt KDF in JavaScript each time (0.6-1 s
 * of the runner's CPU per host here). Undefined when the text is no private key ssh2 can read with this passphrase:
 * the caller then gives ssh2 the text, which reports the problem its own way.
 */
export function parsedPrivateKey(privateKey: string, passphrase?: string): ParsedKey | undefined {
  const id = `${passphrase ?? ''}\0${privateKey}`;
  if (!parsedKeys.has(id)) {
    const parsed = utils.parseKey(privateKey, passphrase);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (parsedKeys.size >= 4) parsedKeys.clear();
    parsedKeys.set(id, key && !(key instanceof Error) && key.isPrivateKey() ? key : undefined);
  }
  return parsedKeys.get(id);
}
const parsedKeys = new Map<string, ParsedKey | undefined>();

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
 * ssh2's key objects sign with their private key as PEM text, which OpenSSL decodes again for every signature: about
 * 2 ms of the runner's CPU per login (an Ed25519 signature itself takes under 0.1 ms), paid by every host. The
 * decoded key is kept per PEM text (one per credential, so this holds one or two), and ssh2's own sign() runs with
 * it in place of the text: the same algorithm and hash, the same signature. A key whose PEM ssh2 does not keep
 * under that symbol (a later ssh2) signs as before.
 */
const decoded = new Map<string, KeyObject>();
const PRIV_PEM = 'Private key PEM';

function signFast(key: SigningKey, data: Buffer, hash?: string): Buffer | Error {
  const symbol = Object.getOwnPropertySymbols(key).find((s) => s.description === PRIV_PEM);
  const pem = symbol ? (key as unknown as Record<symbol, unknown>)[symbol] : undefined;
  if (!symbol || typeof pem !== 'string') return key.sign(data, hash);
  let object = decoded.get(pem);
  if (!object) {
    try {
      object = createPrivateKey(pem);
    } catch {
      return key.sign(data, hash);
    }
    if (decoded.size >= 4) decoded.clear();
    decoded.set(pem, object);
  }
  return key.sign.call(Object.create(key, { [symbol]: { value: object } }), data, hash);
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
      const signature = signFast(key, data, hash);
      // A key that cannot sign: ask first after all, and ssh2 reports the failure its own way when it signs.
      if (signature instanceof Error) authPK.call(this, username, key, keyAlgo);
      else done(signature);
    });
  };
  return true;
}

/** The parts of ssh2's protocol object a certificate login writes its request with (undocumented; ssh2 is pinned). */
interface PacketProtocol {
  authPK?: AuthPK;
  _authsQueue?: string[];
  _kexinit?: unknown;
  _queue?: Buffer[];
  _cipher?: { encrypt(packet: Buffer): void };
  _packetRW?: { write?: { allocStart: number; alloc(size: number): Buffer; finalize(packet: Buffer): Buffer } };
}

/**
 * Logs in with an OpenSSH user certificate, which ssh2 does not support (mscdex/ssh2 issue 551): the publickey
 * request names the certificate's algorithm (`ssh-ed25519-cert-v01@openssh.com`, `rsa-sha2-512-cert-v01@openssh.com`)
 * and carries the certificate as its public key; the private key signs the usual session data (RFC 4252 §7) and the
 * signature names the plain algorithm (`ssh-ed25519`, `rsa-sha2-512`), as OpenSSH's client does. The signed request
 * goes out at once. ssh2 builds the data to sign; this writes the request itself, because ssh2 would name the
 * signature with the certificate's algorithm. Returns false when ssh2 is shaped differently (the caller refuses to
 * go on: without the certificate the login would only fail later, less clearly). Call it after signWithoutAsking.
 */
export function presentCertificate(client: Client, certificate: Certificate): boolean {
  const proto = (client as unknown as { _protocol?: PacketProtocol })._protocol;
  const authPK = proto?.authPK;
  const writer = proto?._packetRW?.write;
  if (!proto || typeof authPK !== 'function' || authPK.length !== 4 || !Array.isArray(proto._authsQueue)) return false;
  if (!writer || typeof writer.alloc !== 'function' || typeof writer.finalize !== 'function') return false;
  if (typeof proto._cipher?.encrypt !== 'function') return false;
  proto.authPK = function (this: PacketProtocol, username, key, keyAlgo, sign) {
    if (sign || !isSigningKey(key) || key.type !== certificate.keyType) {
      return authPK.call(this, username, key, keyAlgo, sign);
    }
    const algorithm = keyAlgo ?? key.type;
    const hash = key.type === 'ssh-rsa' ? RSA_HASH[algorithm] : undefined;
    // ssh2 writes the request's fields with the certificate in place of the key and hands over the data to sign.
    const presented = Object.create(key, { getPublicSSH: { value: () => certificate.blob } }) as unknown;
    return authPK.call(this, username, presented, certificateAlgorithm(algorithm), (data) => {
      const signature = signFast(key, data, hash);
      if (signature instanceof Error) throw new Error(`the private key could not sign the login: ${signature.message}`);
      const sessionIdLength = data.readUInt32BE(0);
      const blob = signatureBlob(algorithm, sshSignature(key.type, signature));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(blob.length, 0);
      const payload = Buffer.concat([data.subarray(4 + sessionIdLength), length, blob]);
      send(this, payload);
    });
  };
  return true;
}

/** Sends one packet as ssh2's own methods do: queued during a key re-exchange, else encrypted and written. */
function send(proto: PacketProtocol, payload: Buffer): void {
  const writer = proto._packetRW!.write!;
  const packet = writer.alloc(payload.length);
  packet.set(payload, writer.allocStart);
  const finalized = writer.finalize(packet);
  proto._authsQueue!.push('publickey');
  if (proto._kexinit === undefined) {
    proto._cipher!.encrypt(finalized);
    return;
  }
  proto._queue ??= [];
  proto._queue.push(finalized);
}

/**
 * The fingerprint of a private key's public half as OpenSSH prints it (`SHA256:…`, as `ssh-keygen -lf` and sshd's
 * log show it), or undefined when the key cannot be read here.
 */
export function keyFingerprint(privateKey: string, passphrase?: string): string | undefined {
  const key = parsedPrivateKey(privateKey, passphrase);
  if (!key) return undefined;
  return `SHA256:${createHash('sha256').update(key.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Why the certificate cannot be used with this private key (it certifies another key), or undefined. A key that
 * cannot be read is left to the login, which reports it its own way.
 */
export function certificateMismatch(
  certificate: Certificate,
  privateKey: string,
  passphrase: string | undefined,
  names: { certificate: string; key: string },
): string | undefined {
  const key = parsedPrivateKey(privateKey, passphrase);
  if (!key) return undefined;
  try {
    checkCertificateKey(certificate, key.getPublicSSH(), names.certificate, names.key);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
