import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { startProxy } from '../support/proxy.js';
import { runAction, startAction, type ActionResult } from '../support/action.js';
import { awkwardDeployPath, hostEntry, makeWorkspace, sshInputs, type Workspace } from '../support/workspace.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

function config(dp: string, host = hostEntry(sshd)): string {
  return `name: shop
environments:
  production:
    hosts: [${host}]
    deploy_path: ${JSON.stringify(dp)}
    keep_releases: 5
    shared_files: [.env]
    deploy:
      - cp .env ENV_AT_HOOK_TIME && echo "$DEPLOY_RELEASE" >> HOOK_RUNS
`;
}

const release = (r: ActionResult) => r.outputs['release']!;
const liveVersion = (dp: string) => readFileSync(join(dp, 'current/VERSION'), 'utf8').trim();

async function deployVersions(ws: Workspace, versions: string[]): Promise<ActionResult[]> {
  const out: ActionResult[] = [];
  for (const v of versions) {
    ws.write('VERSION', `${v}\n`);
    const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir });
    expect({ v, code: r.code, out: r.code ? r.stdout.slice(-2000) : '' }).toEqual({ v, code: 0, out: '' });
    out.push(r);
  }
  return out;
}

const run = (ws: Workspace, inputs: Record<string, string>) =>
  runAction({ inputs: sshInputs(sshd, inputs), workspace: ws.dir });

describe('lifecycle commands through dist/index.js', () => {
  test('redeploy: a new release copied from the live one picks up a changed shared file and runs the hooks', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n', '.env': 'A=1\n' }, config(dp));
    const [first] = await deployVersions(ws, ['v1']);
    writeFileSync(join(dp, 'shared/.env'), 'A=2\n');
    ws.write('VERSION', 'v-not-shipped\n');
    const execBefore = sshd.execRequests();
    const r = await run(ws, { command: 'redeploy' });
    expect({ code: r.code, out: r.code ? r.stdout.slice(-2000) : '' }).toEqual({ code: 0, out: '' });
    expect(sshd.execRequests() - execBefore).toBe(1);
    expect(release(r)).not.toBe(release(first!));
    expect(r.outputs['previous-release']).toBe(release(first!));
    expect(readlinkSync(join(dp, 'current'))).toBe(`releases/${release(r)}`);
    expect(liveVersion(dp)).toBe('v1');
    expect(readFileSync(join(dp, 'current/ENV_AT_HOOK_TIME'), 'utf8')).toBe('A=2\n');
    expect(readFileSync(join(dp, 'current/HOOK_RUNS'), 'utf8')).toBe(`${release(first!)}\n${release(r)}\n`);
    expect(readlinkSync(join(dp, 'current/.env'))).toBe('../../shared/.env');
    expect(readFileSync(join(dp, 'current/REVISION'), 'utf8')).toBe(
      readFileSync(join(dp, 'releases', release(first!), 'REVISION'), 'utf8'),
    );
    expect(r.summary).toContain('Redeploy of shop to production succeeded');
    const last = readFileSync(join(dp, '.deploy/history.jsonl'), 'utf8').trim().split('\n').pop()!;
    expect(JSON.parse(last)).toMatchObject({ event: 'redeploy', release: release(r), previous: release(first!) });
  });

  test('rollback twice goes one further back each time and skips the release rolled back from; a plain deploy afterwards works', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const [a, b, c] = await deployVersions(ws, ['v1', 'v2', 'v3']);
    const r1 = await run(ws, { command: 'rollback' });
    expect(r1.code).toBe(0);
    expect(liveVersion(dp)).toBe('v2');
    expect(r1.outputs['release']).toBe(release(b!));
    expect(r1.outputs['previous-release']).toBe(release(c!));
    expect(r1.summary).toContain(`current → releases/${release(b!)}`);
    const r2 = await run(ws, { command: 'rollback' });
    expect(r2.code).toBe(0);
    expect(liveVersion(dp)).toBe('v1');
    expect(r2.outputs['release']).toBe(release(a!));
    const r3 = await run(ws, { command: 'rollback' });
    expect(r3.code).not.toBe(0);
    expect(r3.stdout).toContain('no release to roll back to');
    expect(liveVersion(dp)).toBe('v1');
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
    // The releases listing shows the bad ones.
    const list = await run(ws, { command: 'releases' });
    expect(list.code).toBe(0);
    expect(list.summary).toMatch(new RegExp(`\\| \\*\\*${release(a!)}\\*\\* \\|.*live`));
    expect(list.summary).toMatch(new RegExp(`\\| ${release(c!)} \\|.*\\| bad \\|`));
    expect(list.summary).toMatch(new RegExp(`\\| ${release(b!)} \\|.*\\| bad \\|`));
    const again = await deployVersions(ws, ['v4']);
    expect(liveVersion(dp)).toBe('v4');
    expect(again[0]!.outputs['previous-release']).toBe(release(a!));
  });

  test('rollback to a named release, and to one that does not exist (nothing changes)', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const [a] = await deployVersions(ws, ['v1', 'v2', 'v3']);
    const missing = await run(ws, { command: 'rollback', release: '19990101000000' });
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toContain('release 19990101000000 does not exist on');
    expect(liveVersion(dp)).toBe('v3');
    const named = await run(ws, { command: 'rollback', release: release(a!) });
    expect(named.code).toBe(0);
    expect(liveVersion(dp)).toBe('v1');
  });

  test('rollback runs the activate commands for the release it makes live, with its commit as DEPLOY_SHA', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      `${config(dp)}    activate:\n      - echo "$DEPLOY_RELEASE $DEPLOY_SHA" >> ../../activations\n`,
    );
    const [a, b] = await deployVersions(ws, ['v1', 'v2']);
    const r = await run(ws, { command: 'rollback' });
    expect(r.code).toBe(0);
    const lines = readFileSync(join(dp, 'activations'), 'utf8').trim().split('\n');
    expect(lines).toEqual([
      `${release(a!)} 0123456789abcdef0123456789abcdef01234567`,
      `${release(b!)} 0123456789abcdef0123456789abcdef01234567`,
      `${release(a!)} 0123456789abcdef0123456789abcdef01234567`,
    ]);
  });

  test('rollback with nothing to roll back to is a clean error', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const empty = await run(ws, { command: 'rollback' });
    expect(empty.code).not.toBe(0);
    expect(empty.stdout).toContain('no release to roll back to');
    expect(empty.stdout).not.toMatch(/TypeError|at .*\.js:\d+/);
    await deployVersions(ws, ['v1']);
    const one = await run(ws, { command: 'rollback' });
    expect(one.code).not.toBe(0);
    expect(one.stdout).toContain('no release to roll back to');
    expect(liveVersion(dp)).toBe('v1');
  });

  test('unlock removes a foreign lock and says whose it was and how old; releases lists each release', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const [a, b] = await deployVersions(ws, ['v1', 'v2']);
    mkdirSync(join(dp, '.deploy/lock'));
    const since = new Date(Date.now() - 90 * 60000).toISOString();
    writeFileSync(
      join(dp, '.deploy/lock/info.json'),
      `{"repository":"acme/shop","run_id":"77","actor":"mona","run_url":"https://github.com/acme/shop/actions/runs/77","started_at":"${since}","pid":999999,"boot_id":"gone"}\n`,
    );
    writeFileSync(join(dp, '.deploy/lock/owner'), 'dead-run\n');
    const blocked = await deployVersions(ws, []).then(() => run(ws, {}));
    expect(blocked.code).not.toBe(0);
    const dry = await run(ws, { command: 'unlock', 'dry-run': 'true' });
    expect(dry.code).toBe(0);
    expect(dry.summary).toContain('would remove the lock of acme/shop run 77 by mona');
    expect(existsSync(join(dp, '.deploy/lock/owner'))).toBe(true);
    const r = await run(ws, { command: 'unlock' });
    expect(r.code).toBe(0);
    expect(r.summary).toContain('removed the lock of acme/shop run 77 by mona');
    expect(r.summary).toMatch(/\(2 h old\)|\(90 min old\)/);
    expect(r.summary).toContain('no longer running');
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
    const nothing = await run(ws, { command: 'unlock' });
    expect(nothing.summary).toContain('there was no deploy lock');
    const list = await run(ws, { command: 'releases' });
    expect(list.code).toBe(0);
    expect(list.outputs['release']).toBe(release(b!));
    expect(list.summary).toMatch(
      new RegExp(`\\| \\*\\*${release(b!)}\\*\\* \\| [0-9T:.-]+Z \\| 0123456789ab \\| octocat \\| 🟢 live \\|`),
    );
    expect(list.summary).toMatch(new RegExp(`\\| ${release(a!)} \\| .* \\| previous \\|`));
  });

  test('dry run: reads the hosts, prints the plan, changes nothing', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n', 'a.txt': 'x' }, config(dp));
    const fresh = await run(ws, { 'dry-run': 'true' });
    expect(fresh.code).toBe(0);
    expect(existsSync(dp)).toBe(false);
    expect(fresh.summary).toContain('dry run: nothing was changed');
    expect(fresh.summary).toContain('Live release: none (nothing deployed here yet)');
    await deployVersions(ws, ['v1', 'v2', 'v3', 'v4', 'v5']);
    const before = readdirSync(join(dp, 'releases')).sort();
    const history = readFileSync(join(dp, '.deploy/history.jsonl'), 'utf8');
    const plan = await run(ws, { 'dry-run': 'true' });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Ships: 2 files');
    expect(plan.stdout).toContain(`Live release: ${before[4]}`);
    expect(plan.stdout).toContain('Lock: free');
    expect(plan.stdout).toContain(
      'Steps: prepare → lock → inspect → release → upload → path check → shared → cp .env ENV_AT_HOOK_TIME',
    );
    expect(plan.stdout).toContain(`Cleanup would remove: ${before[0]}`);
    expect(readdirSync(join(dp, 'releases')).sort()).toEqual(before);
    expect(readFileSync(join(dp, '.deploy/history.jsonl'), 'utf8')).toBe(history);
    for (const command of ['rollback', 'redeploy']) {
      const r = await run(ws, { command, 'dry-run': 'true' });
      expect({ command, code: r.code }).toEqual({ command, code: 0 });
      expect(readdirSync(join(dp, 'releases')).sort()).toEqual(before);
      expect(readlinkSync(join(dp, 'current'))).toBe(`releases/${before[4]}`);
    }
  });

  test('SIGINT in the middle of the upload: nothing partial is left and the next deploy succeeds', async () => {
    const proxy = await startProxy({ host: sshd.host, port: sshd.port }, { upBytesPerSecond: 1_000_000 });
    try {
      const dp = awkwardDeployPath();
      const viaProxy = `{ host: 127.0.0.1, user: ${sshd.user}, port: ${proxy.port} }`;
      const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp, viaProxy));
      const inputs = sshInputs(sshd, {
        'known-hosts': sshd.knownHostsLine.replace(`]:${sshd.port} `, `]:${proxy.port} `),
      });
      const first = await runAction({ inputs, workspace: ws.dir });
      expect({ code: first.code, out: first.code ? first.stdout.slice(-1500) : '' }).toEqual({ code: 0, out: '' });
      ws.write('VERSION', 'v2\n');
      ws.write('blob.bin', randomBytes(6_000_000).toString('base64'));
      const action = startAction({ inputs, workspace: ws.dir });
      await action.waitFor('▶ upload');
      const sentAtUploadStart = proxy.upstreamBytes();
      await new Promise((r) => setTimeout(r, 1500));
      expect(proxy.upstreamBytes() - sentAtUploadStart).toBeGreaterThan(200_000);
      const t0 = Date.now();
      action.child.kill('SIGINT');
      const r = await action.done;
      // Well inside the runner's 7.5 s before SIGTERM, although megabytes of upload were still buffered.
      expect(Date.now() - t0).toBeLessThan(4000);
      expect(r.code).not.toBe(0);
      expect(r.stdout).not.toContain('✓ upload');
      expect(readlinkSync(join(dp, 'current'))).toBe(`releases/${release(first)}`);
      expect(readdirSync(join(dp, 'releases'))).toEqual([release(first)]);
      expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
      ws.write('blob.bin', 'small now');
      expect((await runAction({ inputs, workspace: ws.dir })).code).toBe(0);
      expect(liveVersion(dp)).toBe('v2');
    } finally {
      await proxy.close();
    }
  });
});
