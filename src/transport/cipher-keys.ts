import { createSecretKey, type KeyObject } from 'node:crypto';
import type { Client } from 'ssh2';

/** An AES-GCM cipher or decipher as ssh2 makes them (undocumented; ssh2 is pinned): its algorithm and key. */
interface GcmCipher {
  _encSSLName?: unknown;
  _encKey?: Buffer | KeyObject;
  _decipherSSLName?: unknown;
  _decipherKey?: Buffer | KeyObject;
}

/**
 * ssh2 makes a new AES-GCM cipher for every packet it sends or receives (each packet has its own nonce), from the
 * key's bytes, and Node turns those bytes into a key every time. Given a key object, made once per key exchange,
 * it skips that: in the scale bench (100 hosts, about 2,400 packets in), the runner's main thread spent 16-28 ms in
 * `createDecipheriv` instead of 106 ms. This hands every AES-GCM cipher ssh2 installs (after each key exchange, in
 * both directions) its key as a key object; the encryption is the same. Returns false, changing nothing, when ssh2
 * is shaped differently. Call it right after `client.connect()`, before the key exchange ends.
 */
export function gcmKeyObjects(client: Client): boolean {
  const proto = (client as unknown as { _protocol?: Record<string, unknown> })._protocol;
  if (!proto || !('_cipher' in proto) || !('_decipher' in proto)) return false;
  for (const field of ['_cipher', '_decipher']) {
    let installed = proto[field];
    Object.defineProperty(proto, field, {
      configurable: true,
      enumerable: true,
      get: () => installed,
      set: (cipher: unknown) => {
        installed = cipher;
        withKeyObject(cipher as GcmCipher | undefined);
      },
    });
  }
  return true;
}

function withKeyObject(cipher: GcmCipher | undefined): void {
  if (!cipher) return;
  if (isGcm(cipher._encSSLName) && Buffer.isBuffer(cipher._encKey)) cipher._encKey = createSecretKey(cipher._encKey);
  if (isGcm(cipher._decipherSSLName) && Buffer.isBuffer(cipher._decipherKey))
    cipher._decipherKey = createSecretKey(cipher._decipherKey);
}

const isGcm = (name: unknown): boolean => typeof name === 'string' && /^aes-(128|256)-gcm$/.test(name);
