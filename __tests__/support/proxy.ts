import net from 'node:net';

export interface Proxy {
  port: number;
  /** Bytes that went client → server so far. */
  upstreamBytes(): number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a test server: limits the client → server rate (bytes per second, 0 = unlimited) so
 * a test can act in the middle of an upload, and/or delays every chunk by `delayMs` in both directions (a
 * round trip of 2 × delayMs), since kernel netem is not available here. Chunks keep their order.
 */
export async function startProxy(
  target: { host: string; port: number },
  opts: { upBytesPerSecond?: number; delayMs?: number } = {},
): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let sent = 0;
  const rate = opts.upBytesPerSecond ?? 0;
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ port: target.port, host: target.host, allowHalfOpen: true });
    // A link, not a sender: forward every chunk as it comes (no Nagle delays of the proxy's own making).
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    const delay = opts.delayMs ?? 0;
    const after = (fn: () => void) => (delay ? setTimeout(fn, delay) : fn());
    const later = (to: net.Socket, chunk: Buffer) => after(() => to.destroyed || to.write(chunk));
    // An orderly close travels like data (after what is still in flight); an error drops both sides at once.
    client.on('error', drop).on('end', () => after(() => upstream.end()));
    upstream.on('error', drop).on('end', () => after(() => client.end()));
    client.on('close', (hadError) => hadError && drop());
    upstream.on('close', (hadError) => hadError && drop());
    upstream.on('data', (chunk: Buffer) => later(client, chunk));
    let budget = rate;
    const refill = rate ? setInterval(() => ((budget = rate / 10), client.resume()), 100) : undefined;
    upstream.on('close', () => clearInterval(refill));
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      later(upstream, chunk);
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
