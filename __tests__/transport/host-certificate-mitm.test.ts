import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AddressInfo, createServer, connect as tcpConnect, type Server as NetServer, type Socket } from 'node:net';
import { type ParsedKey, Server, utils } from 'ssh2';
import { parseKnownHosts } from '../../src/transport/known-hosts.js';
import { type ConnectError, connectSsh } from '../../src/transport/ssh.js';
import { type HostCa, makeHostCa } from '../support/host-ca.js';

/**
 * A host certificate is public: anyone can present a copy of a host's certificate. What makes it the host's is the
 * key exchange's signature, which must be made by the key the certificate certifies (the patched ssh2 checks it).
 * Here an impostor presents the real host's certificate (valid, signed by the trusted CA, the right principal) and
 * signs the exchange with its own key; the connection must fail before any key of ours is offered. The control
 * case, the impostor presenting a certificate of its own key, gets through the handshake to authentication, which
 * shows the impostor's set-up is otherwise sound.
 *
 * The impostor is an ssh2 server whose host key presents the chosen certificate blob. ssh2's server names the
 * signature after the negotiated (certificate) algorithm, where OpenSSH names the plain one; a relay between it and
 * the client rewrites that one field of the (still unencrypted) key exchange reply, as an impostor's own server would
 * send it.
 */
const CERT = 'ssh-ed25519-cert-v01@openssh.com';
const KEX_ECDH_REPLY = 31;
const NEWKEYS = 21;

const sshString = (b: Buffer | string) => {
  const body = Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};

function readStrings(buf: Buffer, offset: number, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const len = buf.readUInt32BE(offset);
    out.push(buf.subarray(offset + 4, offset + 4 + len));
    offset += 4 + len;
  }
  return out;
}

/** An unencrypted SSH packet (block size 8, at least 4 bytes of padding). */
function packet(payload: Buffer): Buffer {
  let padding = 8 - ((5 + payload.length) % 8);
  if (padding < 4) padding += 8;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + payload.length + padding);
  head[4] = padding;
  return Buffer.concat([head, payload, Buffer.alloc(padding)]);
}

/** Server-to-client stream: the exchange reply's signature renamed to ssh-ed25519; everything else as it is. */
function relayServerStream(from: Socket, to: Socket): void {
  let buf = Buffer.alloc(0);
  let identDone = false;
  let raw = false;
  from.on('data', (chunk: Buffer) => {
    if (raw) return void to.write(chunk);
    buf = Buffer.concat([buf, chunk]);
    if (!identDone) {
      const end = buf.indexOf('\r\n');
      if (end < 0) return;
      to.write(buf.subarray(0, end + 2));
      buf = buf.subarray(end + 2);
      identDone = true;
    }
    while (!raw && buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const length = buf.readUInt32BE(0);
      const payload = buf.subarray(5, 4 + length - buf[4]!);
      const whole = buf.subarray(0, 4 + length);
      buf = buf.subarray(4 + length);
      if (payload[0] === KEX_ECDH_REPLY) {
        const [hostKey, serverPublic, signature] = readStrings(payload, 1, 3);
        const [, value] = readStrings(signature!, 0, 2);
        const renamed = sshString(Buffer.concat([sshString('ssh-ed25519'), sshString(value!)]));
        to.write(
          packet(
            Buffer.concat([Buffer.from([KEX_ECDH_REPLY]), sshString(hostKey!), sshString(serverPublic!), renamed]),
          ),
        );
      } else {
        to.write(whole);
      }
      if (payload[0] === NEWKEYS) raw = true;
    }
    if (raw && buf.length) to.write(buf);
  });
}

interface Impostor {
  port: number;
  /** Whether a client got as far as offering a key. */
  authAttempts: number;
  close(): void;
}

/** An ssh2 server with `signingKey`'s private half that presents `certificate` as its host key. */
async function impostor(signingKeyPath: string, certificate: Buffer): Promise<Impostor> {
  const parsed = utils.parseKey(readFileSync(signingKeyPath)) as ParsedKey;
  const hostKey = Object.create(parsed, { type: { value: CERT }, getPublicSSH: { value: () => certificate } });
  const state = { authAttempts: 0 };
  const ssh = new Server(
    { hostKeys: [{ key: hostKey }], algorithms: { serverHostKey: [CERT as 'ssh-ed25519'] } },
    (c) => {
      c.on('authentication', (ctx) => {
        state.authAttempts++;
        ctx.reject();
      });
      c.on('error', () => undefined);
    },
  );
  await new Promise<void>((done) => ssh.listen(0, '127.0.0.1', done));
  const sshPort = (ssh.address() as AddressInfo).port;
  const relay: NetServer = createServer((client) => {
    const upstream = tcpConnect(sshPort, '127.0.0.1');
    client.pipe(upstream);
    relayServerStream(upstream, client);
    for (const s of [client, upstream]) s.on('error', () => undefined);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((done) => relay.listen(0, '127.0.0.1', done));
  return {
    port: (relay.address() as AddressInfo).port,
    get authAttempts() {
      return state.authAttempts;
    },
    close() {
      relay.close();
      ssh.close();
    },
  };
}

describe('an impostor presenting a copy of a real host certificate', () => {
  let ca: HostCa;
  let clientKey: string;
  beforeAll(() => {
    ca = makeHostCa();
    const key = join(ca.dir, 'client');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    clientKey = readFileSync(key, 'utf8');
  });

  const attempt = async (im: Impostor) => {
    try {
      const transport = await connectSsh(
        { host: '127.0.0.1', port: im.port, user: 'deploy', name: 'deploy@127.0.0.1' },
        { privateKey: clientKey, knownHosts: parseKnownHosts(ca.line('*')), connectTimeoutMs: 10_000 },
      );
      await transport.close();
      return undefined;
    } catch (error) {
      return error as ConnectError;
    } finally {
      im.close();
    }
  };

  test('control: an impostor with a certificate of its own key gets as far as authentication', async () => {
    const own = ca.sign({ key: 'ed25519' });
    const im = await impostor(own.keyPath, own.blob);
    const error = await attempt(im);
    expect(error?.kind).toBe('auth');
    expect(im.authAttempts).toBeGreaterThan(0);
  });

  test("signing with another key than the certificate's is refused before authentication", async () => {
    const real = ca.sign({ key: 'ed25519' });
    const impostorKey = ca.sign({ key: 'ed25519' }).keyPath;
    const im = await impostor(impostorKey, real.blob);
    const error = await attempt(im);
    expect(error?.kind).toBe('host-key');
    expect(error?.message).toMatch(
      /: the host's key exchange signature was not made by the host key it presented: someone could be intercepting/,
    );
    expect(im.authAttempts).toBe(0);
  });
});
