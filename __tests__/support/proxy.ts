import net from 'node:net';

export interface Proxy {
  port: number;
  /** Bytes that went client → server so far. */
  upstreamBytes(): number;
  /**
   * Client → server chunks in order: when each reached the proxy (performance.now()) and where it starts in the
   * client's byte stream (all connections' streams one after another); `head` holds the stream's first 64 KiB.
   */
  clientChunks(): { at: number; offset: number }[];
  clientHead(): Buffer;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a test server: limits the client → server rate (bytes per second, 0 = unlimited) so
 * a test can act in the middle of an upload, and/or delays every chunk by `delayMs` in both directions (a
 * round trip of 2 × delayMs), since kernel netem is not available here; `upDelayMs` sets the client → server delay
 * apart. `downPieceBytes` cuts what the server sends into pieces of that size, 5 ms apart (a path with small
 * segments: the client reads them one by one). Chunks keep their order.
 */
export async function startProxy(
  target: { host: string; port: number },
  opts: { upBytesPerSecond?: number; delayMs?: number; upDelayMs?: number; downPieceBytes?: number } = {},
): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let sent = 0;
  const chunks: { at: number; offset: number }[] = [];
  const head: Buffer[] = [];
  const HEAD_BYTES = 65536;
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
    const down = opts.delayMs ?? 0;
    const up = opts.upDelayMs ?? down;
    const after = (delay: number, fn: () => void) => (delay ? setTimeout(fn, delay) : fn());
    const later = (to: net.Socket, chunk: Buffer) =>
      after(to === client ? down : up, () => to.destroyed || to.write(chunk));
    // An orderly close travels like data (after what is still in flight); an error drops both sides at once.
    client.on('error', drop).on('end', () => after(up, () => upstream.end()));
    upstream.on('error', drop).on('end', () => after(down, () => client.end()));
    client.on('close', (hadError) => hadError && drop());
    upstream.on('close', (hadError) => hadError && drop());
    let nextPieceAt = 0;
    upstream.on('data', (chunk: Buffer) => {
      const piece = opts.downPieceBytes;
      if (!piece) return later(client, chunk);
      for (let i = 0; i < chunk.length; i += piece) {
        nextPieceAt = Math.max(performance.now() + down, nextPieceAt + 5);
        const bytes = chunk.subarray(i, i + piece);
        setTimeout(() => client.destroyed || client.write(bytes), nextPieceAt - performance.now());
      }
    });
    let budget = rate;
    const refill = rate
      ? setInterval(() => {
          budget = rate / 10;
          client.resume();
        }, 100)
      : undefined;
    upstream.on('close', () => clearInterval(refill));
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      chunks.push({ at: performance.now(), offset: sent - chunk.length });
      if (sent - chunk.length < HEAD_BYTES) head.push(chunk.subarray(0, HEAD_BYTES - (sent - chunk.length)));
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
    clientChunks: () => chunks.map((c) => ({ ...c })),
    clientHead: () => Buffer.concat(head),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
