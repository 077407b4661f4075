import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { CLIENT_IDENT, connectEarly, dropEarly, takeTcp } from '../../src/transport/tcp.js';

/**
 * A TCP server that counts the connections it accepts, greets each one like sshd does (and keeps it open), and keeps
 * what the clients sent.
 */
async function greeter(port = 0): Promise<{
  server: Server;
  port: number;
  accepted: () => number;
  received: () => string;
  close: () => Promise<void>;
}> {
  let accepted = 0;
  let received = '';
  const open = new Set<Socket>();
  const server = createServer((s) => {
    accepted++;
    open.add(s);
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => (received += d.toString()));
    s.write('SSH-2.0-test\r\n');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    received: () => received,
    close: () => {
      for (const s of open) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** The first line the server sent on this connection (fails after 2 s rather than at jest's timeout). */
const greeting = (sock: Socket) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no greeting within 2 s')), 2000);
    let text = '';
    sock.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.endsWith('\r\n')) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });

describe('early TCP connections', () => {
  afterEach(() => dropEarly());

  test('the connection opened early is the one the handshake gets, with what the server sent meanwhile', async () => {
    const g = await greeter();
    connectEarly('127.0.0.1', g.port);
    await new Promise((r) => setTimeout(r, 50)); // the server's greeting arrives before anyone reads
    expect(g.accepted()).toBe(1);
    const sock = takeTcp('127.0.0.1', g.port);
    expect(await greeting(sock)).toBe('SSH-2.0-test\r\n');
    expect(g.accepted()).toBe(1);
    // Taken once: the next handshake to that host opens its own.
    const again = takeTcp('127.0.0.1', g.port);
    await greeting(again);
    expect(g.accepted()).toBe(2);
    sock.destroy();
    again.destroy();
    await g.close();
  });

  test('an early connection sends the identification line once it is up, and the copy the handshake writes is dropped', async () => {
    const g = await greeter();
    const line = `SSH-2.0-${CLIENT_IDENT}\r\n`;
    connectEarly('127.0.0.1', g.port);
    await new Promise((r) => setTimeout(r, 50));
    expect(g.received()).toBe(line); // before anyone took the connection
    const sock = takeTcp('127.0.0.1', g.port);
    // What ssh2 writes first on the connection it is given: the same line, then its key exchange offer.
    let written = false;
    sock.write(Buffer.from(line), () => (written = true));
    sock.write(Buffer.from('KEXINIT'));
    await new Promise((r) => setTimeout(r, 50));
    expect(g.received()).toBe(`${line}KEXINIT`);
    expect(written).toBe(true);
    // A connection opened at handshake time sends nothing of its own.
    const fresh = takeTcp('127.0.0.1', g.port);
    fresh.write(Buffer.from(line));
    await new Promise((r) => setTimeout(r, 50));
    expect(g.received()).toBe(`${line}KEXINIT${line}`);
    sock.destroy();
    fresh.destroy();
    await g.close();
  });

  test('an early connection that failed is replaced by a new one', async () => {
    const probe = await greeter();
    const port = probe.port;
    await probe.close(); // nothing listens there now: the early connection is refused
    connectEarly('127.0.0.1', port);
    await new Promise((r) => setTimeout(r, 50));
    const g = await greeter(port);
    const sock = takeTcp('127.0.0.1', port);
    expect(await greeting(sock)).toBe('SSH-2.0-test\r\n');
    expect(g.accepted()).toBe(1);
    sock.destroy();
    await g.close();
  });

  test('early connections nobody took are closed by dropEarly', async () => {
    const g = await greeter();
    let closed = 0;
    g.server.on('connection', (s: Socket) => s.on('close', () => closed++));
    connectEarly('127.0.0.1', g.port);
    await new Promise((r) => setTimeout(r, 50));
    dropEarly();
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(1);
    await g.close();
  });
});
