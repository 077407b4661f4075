import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deploymentObserver } from '../../src/action/github/deployments.js';
import { RunReport } from '../../src/report/report.js';

const base = { token: 't', repository: 'acme/shop', environment: 'production', sha: 'abc', runUrl: '' } as const;

describe('deploymentObserver', () => {
  test('records nothing for commands that change nothing', () => {
    for (const command of ['releases', 'unlock'] as const)
      expect(deploymentObserver({ ...base, command })).toBeUndefined();
  });

  test('without a repository or a token: a warning, no observer', () => {
    const warnings: string[] = [];
    expect(
      deploymentObserver({ ...base, command: 'deploy', repository: '', warn: (m) => warnings.push(m) }),
    ).toBeUndefined();
    expect(
      deploymentObserver({ ...base, command: 'deploy', token: '', warn: (m) => warnings.push(m) }),
    ).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringContaining('GITHUB_REPOSITORY is not set'),
      expect.stringContaining('github-token is empty'),
    ]);
  });

  test('an API that does not answer is given up on after the timeout, with a warning', async () => {
    const server = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const warnings: string[] = [];
      const observer = deploymentObserver({
        ...base,
        command: 'deploy',
        apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        timeoutMs: 300,
        warn: (m) => warnings.push(m),
      })!;
      const t0 = Date.now();
      await observer.started({ release: 'r1' });
      await observer.finished(new RunReport('deploy', 'production', 'shop'));
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(warnings).toEqual([expect.stringMatching(/^github-deployment: could not create the deployment/)]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
