/**
 * The two stage-then-switch workflows of examples/workflows, job by job, through dist/index.js as the runner runs
 * it: each job's deploy-action step with its `with:` evaluated, and outputs passed to the next job through `needs`
 * as Actions passes them (a matrix job's output: the value its legs set).
 */
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fleetOfSshd } from '../support/fleet-hosts.js';
import { makeWorkspace } from '../support/workspace.js';
import { loadWorkflow, matrixLegs, runJob } from '../support/workflow-jobs.js';
import { tempDir } from '../support/temp-dirs.js';

const WORKFLOWS = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../examples/workflows');
const hosts = fleetOfSshd(3);

function fleet(): { base: string; dir: string } {
  const base = tempDir('da-workflows-');
  const entries = hosts
    .map((h, i) => `      - { host: ${h.host}, user: ${h.user}, port: ${h.port}, deploy_path: ${join(base, `h${i}`)} }`)
    .join('\n');
  const config = `name: shop
preview_link: preview
exclude: [deploy.yml]
environments:
  production:
    hosts:
${entries}
    deploy:
      - run: echo "$DEPLOY_PATH" >> ${join(base, 'MIGRATED')}
        once: true
`;
  return { base, dir: makeWorkspace({ VERSION: 'v1\n' }, config).dir };
}

const context = () => ({
  secrets: { DEPLOY_KEY: hosts[0]!.privateKey },
  vars: { DEPLOY_KNOWN_HOSTS: hosts.map((h) => h.knownHostsLine).join('\n') },
});
const live = (base: string, i: number) => readlinkSync(join(base, `h${i}`, 'current'));
const ok = (r: { code: number | null; stdout: string }) =>
  expect({ code: r.code, out: r.code ? r.stdout.slice(-3000) : '' }).toEqual({ code: 0, out: '' });

describe('example workflows, job by job', () => {
  test('approval.yml: stage, then (approved) switch makes the staged release live on every host', async () => {
    const { base, dir } = fleet();
    const { jobs } = loadWorkflow(join(WORKFLOWS, 'approval.yml'));
    const stage = await runJob(jobs['stage']!, context(), dir);
    ok(stage.result);
    const release = stage.outputs['release']!;
    expect(release).toBe('run-4242');
    for (const i of [0, 1, 2]) {
      expect(existsSync(join(base, `h${i}`, 'current'))).toBe(false); // nothing live before the approval
      expect(readlinkSync(join(base, `h${i}`, 'preview'))).toContain(release);
    }
    const sw = await runJob(jobs['switch']!, { ...context(), needs: { stage } }, dir);
    ok(sw.result);
    for (const i of [0, 1, 2]) {
      expect(live(base, i)).toBe(`releases/${release}`);
      expect(existsSync(join(base, `h${i}`, 'preview'))).toBe(false);
    }
    expect(readFileSync(join(base, 'MIGRATED'), 'utf8')).toBe(`${join(base, 'h0')}\n`);
  });

  test('approval.yml: a rejected switch, then discard, leaves nothing staged and nothing live', async () => {
    const { base, dir } = fleet();
    const { jobs } = loadWorkflow(join(WORKFLOWS, 'approval.yml'));
    const stage = await runJob(jobs['stage']!, context(), dir);
    ok(stage.result);
    expect(String(jobs['discard']!['if'])).toMatch(/failure\(\) \|\| cancelled\(\)/);
    const discard = await runJob(jobs['discard']!, { ...context(), needs: { stage } }, dir);
    ok(discard.result);
    for (const i of [0, 1, 2]) {
      expect(existsSync(join(base, `h${i}`, 'releases', 'run-4242'))).toBe(false);
      expect(existsSync(join(base, `h${i}`, 'preview'))).toBe(false);
      expect(existsSync(join(base, `h${i}`, '.deploy/lock'))).toBe(false);
    }
  });

  test('sharded.yml: 8 stage legs (3 hosts: some legs hold none) at once, then one switch', async () => {
    const { base, dir } = fleet();
    const { jobs } = loadWorkflow(join(WORKFLOWS, 'sharded.yml'));
    const legs = matrixLegs(jobs['stage']!);
    expect(legs).toHaveLength(8);
    const staged = await Promise.all(legs.map((matrix) => runJob(jobs['stage']!, { ...context(), matrix }, dir)));
    for (const s of staged) ok(s.result);
    // Slices of 3 hosts in 8: legs 1, 3 and 6 hold one each; the other five stage nothing and say so.
    expect(staged.filter((s) => s.result.stdout.includes('this shard holds no host of production'))).toHaveLength(5);
    // Every leg names the same release: whichever sets the matrix job's output last, the switch gets it.
    expect(new Set(staged.map((s) => s.outputs['release']))).toEqual(new Set(['run-4242']));
    const sw = await runJob(jobs['switch']!, { ...context(), needs: { stage: staged.at(-1)! } }, dir);
    ok(sw.result);
    for (const i of [0, 1, 2]) expect(live(base, i)).toBe('releases/run-4242');
    expect(readFileSync(join(base, 'MIGRATED'), 'utf8')).toBe(`${join(base, 'h0')}\n`);
  }, 120_000);
});
