import { connect, type Socket } from 'node:net';
import { coalesceWrites } from '../coalesce-writes.js';

/**
 * The TCP connection to a host. Phases are small messages that wait for an answer, so TCP_NODELAY is on (Nagle's
 * algorithm would hold each one back until the previous segment is acknowledged: a delayed ACK, up to 40 ms per
 * round trip). Without Nagle every write would leave on its own, and ssh2 writes each packet in pieces (length,
 * ciphertext, MAC): what is written within one tick leaves in one system call and one segment.
 */
function openTcp(host: string, port: number): Socket {
  const sock = connect({ host, port });
  sock.setNoDelay(true);
  // ssh2 listens for errors once it has the socket; until then (and after it lets go) they must not be fatal.
  sock.on('error', () => undefined);
  return coalesceWrites(sock);
}

/**
 * This client's software version in its SSH identification line (RFC 4253 §4.2), given to ssh2 as its `ident`: an
 * early connection sends the line before ssh2 is loaded, so both must be the same bytes (the line is part of the key
 * exchange's hash).
 */
export const CLIENT_IDENT = 'deploy-action_ssh2js';
const IDENT_LINE = Buffer.from(`SSH-2.0-${CLIENT_IDENT}\r\n`);

/** Connections opened ahead of their SSH handshake, by `host:port`, with when they were opened. */
const early = new Map<string, { sock: Socket; at: number }>();
const key = (host: string, port: number) => `${host}\0${port}`;
/** An early connection older than this is not used: the handshake it was opened for did not follow. */
const EARLY_MAX_AGE_MS = 10_000;

/**
 * Opens a TCP connection now, for an SSH handshake that starts a moment later (once ssh2 is loaded), and sends the
 * identification line as soon as it is up: the TCP round trip and the server's answer (its identification and
 * key exchange offer, which an SSH server sends once it has the client's line) overlap with the loading. Until it
 * is taken the connection does not keep the process alive. Only for a handshake that follows at once: sshd closes
 * connections that do not log in within its LoginGraceTime.
 */
export function connectEarly(host: string, port: number): void {
  if (early.has(key(host, port))) return;
  const sock = openTcp(host, port).unref();
  sock.once('connect', () => sock.write(IDENT_LINE));
  early.set(key(host, port), { sock, at: Date.now() });
}

/** Closes the early connections nobody took (the fleet could not open, or the run stopped before it connected). */
export function dropEarly(): void {
  for (const { sock } of early.values()) sock.destroy();
  early.clear();
}

/**
 * The connection to use for a handshake: the one opened early if it is still good (it counts as a reference to
 * the process again), else a new one, which reports its own failure the usual way.
 */
export function takeTcp(host: string, port: number): Socket {
  const entry = early.get(key(host, port));
  early.delete(key(host, port));
  // A failed connection is destroyed by its error.
  if (entry && !entry.sock.destroyed && Date.now() - entry.at < EARLY_MAX_AGE_MS)
    return skipIdentWrite(entry.sock.ref());
  entry?.sock.destroy();
  return openTcp(host, port);
}

/**
 * On a connection that sends the identification line itself (connectEarly), ssh2's own first write, the same line,
 * is dropped: the server must see it once.
 */
function skipIdentWrite(sock: Socket): Socket {
  const write = sock.write;
  sock.write = function (this: Socket, chunk: unknown, ...rest: unknown[]): boolean {
    sock.write = write;
    if (Buffer.isBuffer(chunk) && chunk.equals(IDENT_LINE)) {
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (done) process.nextTick(done);
      return true;
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Socket['write'];
  return sock;
}
