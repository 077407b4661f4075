import { startSshd, type SshdHandle } from '../support/sshd.js';
import { runAction, type ActionResult } from '../support/action.js';
import { awkwardDeployPath, hostEntry, makeWorkspace, sshInputs } from '../support/workspace.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

function config(deployPath: string, extra = ''): string {
  return `name: shop
deploy_path: ${JSON.stringify(deployPath)}
hosts:
  - ${hostEntry(sshd)}
environments:
  production:
    url: https://shop.example.com
${extra}
`;
}

const run = (dir: string) => runAction({ inputs: sshInputs(sshd), workspace: dir });
const errorLines = (r: ActionResult) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));

describe('annotations', () => {
  test("a config error's annotation carries file, line and column", async () => {
    const ws = makeWorkspace(
      { 'index.html': 'v1\n' },
      config(awkwardDeployPath(), '    keep_releases: 0\n    writable_mode: sometimes'),
    );
    const r = await run(ws.dir);
    expect(r.code).not.toBe(0);
    expect(errorLines(r)).toEqual([
      '::error title=deploy config,file=deploy.yml,line=8,col=20::environments.production.keep_releases: must be an integer >= 1 (got 0)',
      expect.stringMatching(
        /^::error title=deploy config,file=deploy.yml,line=9,col=20::environments.production.writable_mode: /,
      ),
    ]);
  });

  test('a failure on a host is exactly one error annotation naming the host and the step', async () => {
    const ws = makeWorkspace(
      { 'index.html': 'v1\n' },
      config(awkwardDeployPath(), "    deploy: ['echo migrating; exit 4']"),
    );
    const r = await run(ws.dir);
    expect(r.code).not.toBe(0);
    const host = `${sshd.user}@${sshd.host}:${sshd.port}`;
    // Annotation properties escape ':' and ','.
    const title = `deploy failed on ${host} (step: hook "echo migrating; exit 4")`
      .replace(/:/g, '%3A')
      .replace(/,/g, '%2C');
    // One line, with the step's last words (here its only output) as the reason.
    expect(errorLines(r)).toEqual([
      `::error title=${title}::${host}: hook "echo migrating; exit 4": exited with code 4: migrating`,
    ]);
    // The hook's output is in the summary's failure tail and its collapsed hook output.
    expect(r.summary).toContain('<details><summary>Hook output on');
    expect(r.summary).toContain('$ echo migrating; exit 4\nmigrating');
  });
});
