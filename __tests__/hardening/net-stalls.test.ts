/**
 * Network faults (see net-fault-cases.ts): the deploy's connection STALLED at each point. A stall is noticed by the
 * SSH keepalives (about 40 s), so the cases run concurrently (jest.config.js maxConcurrency: all of them at once).
 */
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { faultCase, POINTS } from './net-fault-cases.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

describe('connection stalled', () => {
  for (const point of POINTS)
    test.concurrent(
      `stall during ${point.name}`,
      () => faultCase(sshd, `connection stalled stall during ${point.name}`, point, 'stall'),
      120_000,
    );
});
