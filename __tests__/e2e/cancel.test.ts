import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { runAction, runPost, startAction } from '../support/action.js';
import { awkwardDeployPath, hostEntry, makeWorkspace, sshInputs } from '../support/workspace.js';
import { join } from 'node:path';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

/** A hook that takes long enough to be cancelled in the middle; its odd duration makes its process findable. */
const SLOW = `sleep 37.${process.pid}`;

function config(dp: string, hook: string): string {
  return `name: shop
environments:
  production:
    hosts: [${hostEntry(sshd)}]
    deploy_path: ${JSON.stringify(dp)}
    shared_dirs: [storage]
    deploy:
      - ${JSON.stringify(hook)}
`;
}

function slowHookRunning(): boolean {
  try {
    execFileSync('pgrep', ['-f', SLOW]);
    return true;
  } catch {
    return false;
  }
}

async function deployedOnce(dp: string) {
  const ws = makeWorkspace({ VERSION: 'v1\n', 'storage/data.txt': 'keep me\n' }, config(dp, 'true'));
  const first = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir });
  expect(first.code).toBe(0);
  ws.write('VERSION', 'v2\n');
  ws.write('../deploy.yml', config(dp, SLOW));
  return { ws, first };
}

function expectAsBefore(dp: string, release: string): void {
  expect(readlinkSync(join(dp, 'current'))).toBe(`releases/${release}`);
  expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v1\n');
  expect(readdirSync(join(dp, 'releases'))).toEqual([release]);
  expect(readFileSync(join(dp, 'shared/storage/data.txt'), 'utf8')).toBe('keep me\n');
  expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
  expect(readdirSync(join(dp, '.deploy/pending'))).toEqual([]);
}

describe('cancellation', () => {
  test("SIGINT in the middle of a deploy hook: the host undoes the run within the runner's grace period", async () => {
    const dp = awkwardDeployPath();
    const { ws, first } = await deployedOnce(dp);
    const run = startAction({ inputs: sshInputs(sshd), workspace: ws.dir });
    await run.waitFor(`▶ ${SLOW}`);
    const t0 = Date.now();
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(Date.now() - t0).toBeLessThan(7500);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('SIGINT received');
    expect(r.stdout).toContain('cancelled');
    expect(r.state['remote']).toBe('done');
    expectAsBefore(dp, first.outputs['release']!);
    expect(slowHookRunning()).toBe(false);
    // The post step has nothing left to do, and the next deploy succeeds.
    const post = await runPost(r, { inputs: sshInputs(sshd), workspace: ws.dir });
    expect(post.code).toBe(0);
    expect(post.stdout).not.toContain('finishing it now');
    ws.write('../deploy.yml', config(dp, 'true'));
    expect((await runAction({ inputs: sshInputs(sshd), workspace: ws.dir })).code).toBe(0);
  });

  test('SIGKILL in the middle of a deploy hook, then the post step: lock released, partial release gone, hook stopped', async () => {
    const dp = awkwardDeployPath();
    const { ws, first } = await deployedOnce(dp);
    const run = startAction({ inputs: sshInputs(sshd), workspace: ws.dir });
    await run.waitFor(`▶ ${SLOW}`);
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.state['remote']).toBe('started');
    expect(killed.state['owner']).toMatch(/^[0-9a-f]{16}$/);
    const post = await runPost(killed, { inputs: sshInputs(sshd), workspace: ws.dir });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('finishing it now');
    expect(post.stdout).toContain("stopping this run's earlier session");
    expectAsBefore(dp, first.outputs['release']!);
    expect(slowHookRunning()).toBe(false);
    ws.write('../deploy.yml', config(dp, 'true'));
    expect((await runAction({ inputs: sshInputs(sshd), workspace: ws.dir })).code).toBe(0);
  });
});
