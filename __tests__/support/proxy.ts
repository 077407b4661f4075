import net from 'node:net';

export interface Proxy {
  port: number;
  /** Bytes that went client → server so far. */
  upstreamBytes(): number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a test server: limits the client → server rate (bytes per second, 0 = unlimited) so
 * a test can act in the middle of an upload.
 */
export async function startProxy(target: { host: string; port: number }, opts: { upBytesPerSecond?: number } = {}): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let sent = 0;
  const rate = opts.upBytesPerSecond ?? 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.pipe(client);
    let budget = rate;
    const refill = rate ? setInterval(() => ((budget = rate / 10), client.resume()), 100) : undefined;
    upstream.on('close', () => clearInterval(refill));
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      upstream.write(chunk);
      if (rate) {
        budget -= chunk.length;
        if (budget <= 0) client.pause();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    upstreamBytes: () => sent,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
