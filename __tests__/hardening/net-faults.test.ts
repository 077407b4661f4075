/** Network faults (see net-fault-cases.ts): the deploy's connection CUT at each point. */
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { faultCase, POINTS } from './net-fault-cases.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

describe('connection cut', () => {
  for (const point of POINTS)
    test(
      `cut during ${point.name}`,
      () => faultCase(sshd, `connection cut cut during ${point.name}`, point, 'cut'),
      60_000,
    );
});
