/**
 * Signals to the runner at every phase (SIGINT, SIGTERM; SIGKILL then the post step), through a proxy that can slow
 * the upload. Split from host-faults.test.ts so the two files take about the same time. Every case is followed by
 * the invariant check on the host.
 */
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { startFaultProxy } from './fault-proxy.js';
import { doneWithin, makeCase, postIfNeeded, type CaseOptions } from './harness.js';
import { record } from './invariants.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

type Sig = 'SIGINT' | 'SIGTERM' | 'SIGKILL';
// `mayFinish`: the step is the run's last and takes milliseconds, so the signal can land after the run has
// committed and ended its sessions; then there is nothing left for the post step.
const PHASES: { name: string; opts: CaseOptions; at: string; throttle?: number; mayFinish?: boolean }[] = [
  { name: 'upload', opts: { bigBytes: 2 * 1024 * 1024 }, at: '▶ upload', throttle: 1024 * 1024 },
  { name: 'deploy hook', opts: { deploy: ['sleep 30'] }, at: '▶ sleep 30' },
  { name: 'switch (provisional)', opts: { activate: ['sleep 2'] }, at: '▶ symlink' },
  { name: 'cleanup', opts: {}, at: '▶ cleanup', mayFinish: true },
];

describe('signals to the runner', () => {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGKILL'] as Sig[]) {
    for (const phase of PHASES) {
      test(`${sig} during ${phase.name}${sig === 'SIGKILL' ? ', then the post step' : ''}`, async () => {
        const proxy = await startFaultProxy({ host: sshd.host, port: sshd.port });
        try {
          const c = await makeCase(sshd, { ...phase.opts, port: proxy.port });
          if (phase.throttle) proxy.throttle(phase.throttle);
          const run = c.start();
          await run.waitFor(phase.at);
          const t0 = Date.now();
          run.child.kill(sig);
          const r = await doneWithin(run, 30_000);
          const ms = Date.now() - t0;
          // The runner kills a cancelled step 7.5 s after SIGINT; the hosts must be done by then.
          if (sig !== 'SIGKILL') expect(ms).toBeLessThan(7500);
          const post = await postIfNeeded(c, r);
          if (sig === 'SIGKILL')
            expect(post !== undefined || (phase.mayFinish === true && r.state['remote'] === 'done')).toBe(true);
          record({ invariants: '------', note: `ended ${ms} ms after the signal${post ? ', post step ran' : ''}` });
          await c.check(r, { post, cancelled: sig !== 'SIGKILL', killed: sig === 'SIGKILL' });
        } finally {
          await proxy.close();
        }
      });
    }
  }
});
