/**
 * Network faults against a real sshd, through a proxy that CUTS (both sides destroyed) or STALLS (nothing
 * forwarded, sockets kept open) the deploy's connection at a chosen point. After each case, the post step runs
 * when the main step left it work (as the runner does), then every invariant is checked. The cases:
 * net-faults.test.ts (cut) and net-stalls.test.ts (stall; each waits out the keepalives, so they run concurrently).
 */
import type { RunningAction } from '../support/action.js';
import type { SshdHandle } from '../support/sshd.js';
import { startFaultProxy, type FaultAction, type FaultProxy } from './fault-proxy.js';
import { doneWithin, makeCase, postIfNeeded, type CaseOptions } from './harness.js';
import { record } from './invariants.js';

const BIG = 2 * 1024 * 1024;
/** Client → server rate while uploading, so that 10 % and 90 % of the upload are distinct moments. */
const RATE = 2 * 1024 * 1024;

export interface Point {
  name: string;
  opts: CaseOptions;
  /** Arms the fault on the running deploy. */
  arm(run: RunningAction, proxy: FaultProxy, action: FaultAction): Promise<void>;
}

const at = (text: string) => async (run: RunningAction, proxy: FaultProxy, action: FaultAction) => {
  await run.waitFor(text);
  action === 'cut' ? proxy.cut() : proxy.stall();
};

const upload = (fraction: number) => async (run: RunningAction, proxy: FaultProxy, action: FaultAction) => {
  // The runner sends the stage script (a few KB) and the archive only once the inspect phase has ended, so the
  // bytes seen while it runs are the offset the archive starts after; the archive then flows at RATE.
  await run.waitFor('▶ prepare');
  proxy.armAt(proxy.upstreamBytes() + 6000 + Math.round(BIG * fraction), action);
};

export const POINTS: Point[] = [
  // Client banner + KEXINIT are ~1.5 KB: 300 bytes is in the middle of the key exchange.
  { name: 'connect (key exchange)', opts: {}, arm: async (_r, p, a) => p.armAt(300, a) },
  // Past the key exchange (~2.3 KB), while the client authenticates.
  { name: 'auth', opts: {}, arm: async (_r, p, a) => p.armAt(2600, a) },
  { name: 'stage: upload at 10%', opts: { bigBytes: BIG }, arm: upload(0.1) },
  { name: 'stage: upload at 90%', opts: { bigBytes: BIG }, arm: upload(0.9) },
  { name: 'deploy hook', opts: { deploy: ['sleep 1.5'] }, arm: at('▶ sleep 1.5') },
  // A slow activate command keeps the switch provisional long enough to hit it.
  { name: 'switch (provisional, during activate)', opts: { activate: ['sleep 1.5'] }, arm: at('▶ symlink') },
  { name: 'cleanup', opts: {}, arm: at('▶ cleanup') },
];

/** One case: a deploy through a fault proxy, the fault armed at `point`, then the post step and every invariant. */
export async function faultCase(sshd: SshdHandle, caseName: string, point: Point, action: FaultAction): Promise<void> {
  const proxy = await startFaultProxy({ host: sshd.host, port: sshd.port });
  try {
    const c = await makeCase(sshd, { ...point.opts, port: proxy.port });
    if (point.opts.bigBytes) proxy.throttle(RATE);
    const t0 = Date.now();
    const run = c.start();
    await point.arm(run, proxy, action);
    const main = await doneWithin(run, 80_000);
    const ms = Date.now() - t0;
    // The fault really happened while the run was on (else the case proves nothing).
    const firedAt = await Promise.race([proxy.fired, new Promise<number>((r) => setTimeout(() => r(-1), 10))]);
    expect(firedAt).toBeGreaterThanOrEqual(0);
    const post = await postIfNeeded(c, main);
    const errorLine = main.stdout.split('\n').find((l) => l.startsWith('::error')) ?? '(none)';
    record({
      name: caseName,
      invariants: '------',
      note:
        `fault at ${firedAt} B; ` +
        `${main.code === 0 ? 'completed' : 'failed'} in ${(ms / 1000).toFixed(1)} s${post ? ', post step ran' : ''}: ${errorLine.replace(/^::error::/, '').slice(0, 160)}`,
    });
    // A stalled connection must end the run in bounded time (keepalive 10 s x 3, or the connect timeout).
    if (action === 'stall') expect(ms).toBeLessThan(60_000);
    await c.check(main, { post, caseName });
    if (main.code !== 0) {
      // The message says what happened to the connection, not only that the session ended.
      expect(errorLine).toMatch(
        action === 'stall' ? /stopped answering|no SSH connection within/ : /connect|lost|closed|reset|ended/i,
      );
    }
  } finally {
    await proxy.close();
  }
}
