import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { connectEarly, takeTcp } from '../../src/transport/tcp.js';

/** A TCP server that counts the connections it accepts and greets each one like sshd does. */
async function greeter(port = 0): Promise<{ server: Server; port: number; accepted: () => number }> {
  let accepted = 0;
  const server = createServer((s) => {
    accepted++;
    s.end('SSH-2.0-test\r\n');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, accepted: () => accepted };
}

const greeting = (sock: Socket) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    sock.on('data', (d: Buffer) => (text += d.toString())).on('end', () => resolve(text)).on('error', reject);
  });
const close = (server: Server) => new Promise((r) => server.close(r));

describe('early TCP connections', () => {
  test('the connection opened early is the one the handshake gets, with what the server sent meanwhile', async () => {
    const g = await greeter();
    connectEarly('127.0.0.1', g.port);
    await new Promise((r) => setTimeout(r, 50)); // the server's greeting arrives before anyone reads
    const sock = takeTcp('127.0.0.1', g.port);
    expect(await greeting(sock)).toBe('SSH-2.0-test\r\n');
    expect(g.accepted()).toBe(1);
    // Taken once: the next handshake to that host opens its own.
    const again = takeTcp('127.0.0.1', g.port);
    await greeting(again);
    expect(g.accepted()).toBe(2);
    await close(g.server);
  });

  test('an early connection that failed is replaced by a new one', async () => {
    const probe = await greeter();
    const port = probe.port;
    await close(probe.server); // nothing listens there now: the early connection is refused
    connectEarly('127.0.0.1', port);
    await new Promise((r) => setTimeout(r, 50));
    const g = await greeter(port);
    const sock = takeTcp('127.0.0.1', port);
    expect(await greeting(sock)).toBe('SSH-2.0-test\r\n');
    expect(g.accepted()).toBe(1);
    await close(g.server);
  });
});
