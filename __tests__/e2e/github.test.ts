import { startSshd, type SshdHandle } from '../support/sshd.js';
import { runAction, type ActionResult } from '../support/action.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../support/github-api.js';
import { awkwardDeployPath, hostEntry, makeWorkspace, sshInputs, type Workspace } from '../support/workspace.js';

let sshd: SshdHandle;
let api: FakeGitHubApi;
beforeAll(async () => {
  [sshd, api] = await Promise.all([startSshd(), startFakeGitHubApi()]);
});
afterAll(async () => {
  await Promise.all([sshd?.stop(), api?.close()]);
});
beforeEach(() => {
  api.requests.length = 0;
  api.failWith = undefined;
});

const SHA = '0123456789abcdef0123456789abcdef01234567';
const TOKEN = 'ghs_fakeTokenForTheTestServer';
const RUN_URL = 'https://github.com/acme/shop/actions/runs/4242';

function config(deployPath: string, extra = ''): string {
  return `name: shop
deploy_path: ${JSON.stringify(deployPath)}
hosts:
  - ${hostEntry(sshd)}
environments:
  production:
    url: https://shop.example.com
${extra}
  staging:
    url: https://staging.shop.example.com
`;
}

function run(ws: Workspace, inputs: Record<string, string> = {}): Promise<ActionResult> {
  return runAction({
    inputs: sshInputs(sshd, { 'github-deployment': 'true', 'github-token': TOKEN, ...inputs }),
    workspace: ws.dir,
    env: { GITHUB_API_URL: api.url },
  });
}

/** The requests as [method, path, state or task], for sequence checks. */
const calls = () => api.requests.map((r) => [r.method, r.path, (r.body['state'] ?? r.body['task']) as string]);
const errorLines = (r: ActionResult) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));

describe('github-deployment: the Deployments API (a local server standing in for api.github.com)', () => {
  test('a deploy creates a deployment for the commit, then in_progress, then success with the URL and the run', async () => {
    const ws = makeWorkspace({ 'index.html': 'v1\n' }, config(awkwardDeployPath()));
    const r = await run(ws);
    expect({ code: r.code, warnings: r.stdout.split('\n').filter((l) => l.startsWith('::warning')) }).toEqual({
      code: 0,
      warnings: [],
    });
    expect(calls()).toEqual([
      ['POST', '/repos/acme/shop/deployments', 'deploy'],
      ['POST', '/repos/acme/shop/deployments/1000/statuses', 'in_progress'],
      ['POST', '/repos/acme/shop/deployments/1000/statuses', 'success'],
    ]);
    const [create, progress, success] = api.requests as [
      (typeof api.requests)[0],
      (typeof api.requests)[0],
      (typeof api.requests)[0],
    ];
    expect(create.body).toEqual({
      ref: SHA,
      task: 'deploy',
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: true,
      payload: { release: r.outputs['release'], previous: null, command: 'deploy' },
      description: `deploy ${r.outputs['release']}`,
    });
    expect(progress.body).toMatchObject({ state: 'in_progress', log_url: RUN_URL });
    expect(success.body).toMatchObject({
      state: 'success',
      log_url: RUN_URL,
      environment_url: 'https://shop.example.com',
      auto_inactive: true,
    });
    for (const req of api.requests) {
      expect(req.headers['authorization']).toBe(`token ${TOKEN}`);
      expect(req.headers['content-type']).toMatch(/^application\/json/);
    }
    // The token is masked in the log.
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);

    // A second deploy names the first as previous; redeploy and rollback record their own tasks; releases and
    // unlock record nothing.
    ws.write('index.html', 'v2\n');
    api.requests.length = 0;
    const second = await run(ws);
    expect(second.code).toBe(0);
    expect(api.requests[0]!.body['payload']).toEqual({
      release: second.outputs['release'],
      previous: r.outputs['release'],
      command: 'deploy',
    });
    // The job summary links the commit and the run and says how to roll back.
    expect(second.summary).toContain(`| [0123456](https://github.com/acme/shop/commit/${SHA}) |`);
    expect(second.summary).toContain(
      `  command: rollback\n  environment: "production"\n  release: "${r.outputs['release']}"`,
    );
    expect(second.summary).toContain(`[Logs of this run](${RUN_URL})`);

    api.requests.length = 0;
    const redeploy = await run(ws, { command: 'redeploy' });
    expect(redeploy.code).toBe(0);
    expect(calls().map((c) => c[2])).toEqual(['deploy:redeploy', 'in_progress', 'success']);
    expect(api.requests[0]!.body).toMatchObject({
      task: 'deploy:redeploy',
      ref: SHA,
      payload: { release: redeploy.outputs['release'], previous: second.outputs['release'], command: 'redeploy' },
    });

    api.requests.length = 0;
    const rollback = await run(ws, { command: 'rollback' });
    expect(rollback.code).toBe(0);
    expect(calls().map((c) => c[2])).toEqual(['deploy:rollback', 'in_progress', 'success']);
    expect(api.requests[0]!.body).toMatchObject({
      task: 'deploy:rollback',
      payload: { release: rollback.outputs['release'], previous: redeploy.outputs['release'], command: 'rollback' },
    });
    expect(rollback.outputs['release']).toBe(second.outputs['release']);

    api.requests.length = 0;
    for (const command of ['releases', 'unlock']) expect((await run(ws, { command })).code).toBe(0);
    expect((await run(ws, { 'dry-run': 'true' })).code).toBe(0);
    expect(api.requests).toEqual([]);
  });

  test('a failed deploy ends as failure; a staging environment is not a production environment', async () => {
    const ws = makeWorkspace({ 'index.html': 'v1\n' }, config(awkwardDeployPath(), '    deploy: [exit 9]'));
    const prod = await run(ws);
    expect(prod.code).not.toBe(0);
    expect(calls().map((c) => c[2])).toEqual(['deploy', 'in_progress', 'failure']);
    expect(api.requests[2]!.body).toMatchObject({ state: 'failure', log_url: RUN_URL });
    expect(api.requests[2]!.body).not.toHaveProperty('environment_url');

    api.requests.length = 0;
    const staging = await run(ws, { environment: 'staging' });
    expect(staging.code).toBe(0);
    expect(api.requests[0]!.body).toMatchObject({ environment: 'staging', production_environment: false });
    expect(api.requests[2]!.body).toMatchObject({
      state: 'success',
      environment_url: 'https://staging.shop.example.com',
    });
  });

  test('a failing API (500) only warns: the deploy succeeds', async () => {
    api.failWith = 500;
    const ws = makeWorkspace({ 'index.html': 'v1\n' }, config(awkwardDeployPath()));
    const r = await run(ws);
    expect(r.code).toBe(0);
    expect(errorLines(r)).toEqual([]);
    expect(r.stdout).toMatch(/::warning::github-deployment: could not create the deployment \(HTTP 500\)/);
    expect(r.outputs['release']).toMatch(/^\d{14}$/);
    // No status is set for a deployment that was never created.
    expect(calls()).toEqual([['POST', '/repos/acme/shop/deployments', 'deploy']]);
  });

  test('github-deployment: false (the default) makes no request', async () => {
    const ws = makeWorkspace({ 'index.html': 'v1\n' }, config(awkwardDeployPath()));
    for (const inputs of [{ 'github-deployment': 'false' }, { 'github-deployment': '' }]) {
      const r = await run(ws, inputs);
      expect(r.code).toBe(0);
    }
    expect(api.requests).toEqual([]);
  });
});
