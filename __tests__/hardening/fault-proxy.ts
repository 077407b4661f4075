import net from 'node:net';

/**
 * A TCP proxy in front of a test sshd that can break a connection on purpose:
 *  - CUT: destroy both sides (the runner sees a reset, the host sees EOF);
 *  - STALL: stop forwarding in both directions and keep both sockets open (a black-holed network: nobody sees
 *    EOF, nothing arrives any more).
 * A fault hits the connections open when it fires: at once (`cut()`, `stall()`), or when the client → server
 * byte count of the connection reaches a threshold (`armAt`). Connections opened after a fault pass untouched,
 * so the action's side connections and the post step still reach the host.
 */
export type FaultAction = 'cut' | 'stall';

export interface FaultProxy {
  port: number;
  /** Client → server bytes over every connection so far. */
  upstreamBytes(): number;
  /** Connections accepted so far. */
  connections(): number;
  /** Cuts or stalls every open connection now. */
  cut(): void;
  stall(): void;
  /** Fires `action` on the connection whose client → server byte count (since it opened) reaches `bytes`. */
  armAt(bytes: number, action: FaultAction): void;
  /** Client → server bytes per second for connections opened from now on (0 = unlimited). */
  throttle(bytesPerSecond: number): void;
  /** Resolves when a fault has fired (with the connection's upstream byte count at that moment). */
  fired: Promise<number>;
  close(): Promise<void>;
}

interface Conn {
  client: net.Socket;
  upstream: net.Socket;
  up: number;
  stalled: boolean;
  cut(): void;
  stall(): void;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const open = new Set<Conn>();
  const all = new Set<net.Socket>();
  let total = 0;
  let accepted = 0;
  let rate = 0;
  let armed: { bytes: number; action: FaultAction } | undefined;
  let onFired: (n: number) => void = () => undefined;
  const fired = new Promise<number>((resolve) => (onFired = resolve));

  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(target.port, target.host);
    all.add(client).add(upstream);
    const conn: Conn = {
      client,
      upstream,
      up: 0,
      stalled: false,
      cut() {
        open.delete(conn);
        client.resetAndDestroy?.() ?? client.destroy();
        upstream.resetAndDestroy?.() ?? upstream.destroy();
      },
      stall() {
        conn.stalled = true;
        open.delete(conn);
        client.pause();
        upstream.pause();
      },
    };
    open.add(conn);
    const drop = () => {
      if (conn.stalled) return; // a black hole: the other side never learns
      open.delete(conn);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.on('data', (chunk: Buffer) => {
      if (!conn.stalled) client.write(chunk);
    });
    const connRate = rate;
    let budget = connRate / 10;
    const refill = connRate
      ? setInterval(() => {
          budget = connRate / 10;
          if (!conn.stalled) client.resume();
        }, 100)
      : undefined;
    refill?.unref();
    const stopRefill = () => clearInterval(refill);
    client.on('close', stopRefill);
    client.on('data', (chunk: Buffer) => {
      if (conn.stalled || !open.has(conn)) return;
      const data = chunk;
      if (armed && conn.up + data.length >= armed.bytes) {
        const { bytes, action } = armed;
        armed = undefined;
        const head = data.subarray(0, Math.max(0, bytes - conn.up));
        conn.up += head.length;
        total += head.length;
        const fire = () => {
          if (action === 'cut') conn.cut();
          else conn.stall();
          onFired(conn.up);
        };
        if (head.length) upstream.write(head, fire);
        else fire();
        if (action === 'stall') conn.stall();
        return;
      }
      conn.up += data.length;
      total += data.length;
      upstream.write(data);
      if (connRate) {
        budget -= data.length;
        if (budget <= 0) client.pause();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const now = (action: FaultAction) => {
    const conns = [...open];
    for (const c of conns) action === 'cut' ? c.cut() : c.stall();
    onFired(conns[0]?.up ?? 0);
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    upstreamBytes: () => total,
    connections: () => accepted,
    cut: () => now('cut'),
    stall: () => now('stall'),
    armAt(bytes, action) {
      armed = { bytes, action };
    },
    throttle(bytesPerSecond) {
      rate = bytesPerSecond;
    },
    fired,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of all) s.destroy();
        server.close(() => resolve());
      }),
  };
}
