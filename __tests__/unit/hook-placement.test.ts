/** Where the release flow puts each deploy and activate hook, and what each host's hooks get in their environment. */
import type { Member } from '../../src/fleet/fleet.js';
import type { HostFacts } from '../../src/remote/steps/inspect.js';
import { releasePhases, switchPhases } from '../../src/commands/release-phases.js';
import { load, yaml } from '../config/helpers.js';

const config = load(
  yaml(
    'environments:',
    '  production:',
    '    user: deploy',
    '    deploy_path: /srv/app',
    '    env: { APP_ENV: production, REGION: none }',
    '    hosts:',
    '      - { host: db1, labels: [db], vars: { NODE: db1 } }',
    '      - { host: web1, labels: [web], env: { REGION: eu }, vars: { NODE: web1 } }',
    '      - { host: web2, labels: [web, db], vars: { NODE: web2 } }',
    '      - { host: worker1, labels: [worker], vars: { NODE: worker1, WORKER_ID: 3 } }',
    '    deploy:',
    '      - { name: migrate, run: m, once: label=db }',
    '      - { name: first, run: f, once: true }',
    '      - { name: warm, run: w, on: label=web }',
    '      - { name: first web, run: fw, on: label=web, once: true }',
    '      - { name: each, run: e }',
    '    activate:',
    '      - { name: reload, run: r }',
    '      - { name: restart queue, run: q, on: "label=worker,db1" }',
  ),
);

/** Members of a run over `hosts` (indexes into the config's hosts), with empty facts. */
function run(...indexes: number[]) {
  const members = indexes.map((i) => ({ host: config.hosts[i]! }) as Member);
  const facts = new Map(members.map((m) => [m, { live: undefined, liveTarget: '' } as unknown as HostFacts]));
  const phases = releasePhases({ config, run: { sha: 'abc' } as never }, facts, 'r1', {
    event: 'deploy',
    fill: () => ({ steps: [], kind: 'full' }),
    sha: () => 'abc',
  });
  const labels = (p: { steps: { label: string }[] } | undefined) => p?.steps.map((s) => s.label) ?? [];
  return {
    members,
    phases,
    hooks: members.map((m) => labels(phases.hooks(m))),
    activate: members.map((m) => labels(phases.activate(m))),
    revert: members.map((m) => labels(phases.revert(m)).filter((l) => l !== 'switch back')),
  };
}

describe('hook placement', () => {
  test('every host of the run: on, once and once: label=db each where they belong', () => {
    const { hooks, activate, revert } = run(0, 1, 2, 3);
    expect(hooks).toEqual([['migrate', 'first', 'each'], ['warm', 'first web', 'each'], ['warm', 'each'], ['each']]);
    expect(activate).toEqual([['reload', 'restart queue'], ['reload'], ['reload'], ['reload', 'restart queue']]);
    // A switch back runs the activate commands of that host again, the same ones.
    expect(revert.map((r) => r.filter((l) => l !== 'revert'))).toEqual(activate);
  });

  test('a run over some hosts: `once` goes to the first of them that it picks', () => {
    const { hooks } = run(2, 3);
    expect(hooks).toEqual([['migrate', 'first', 'warm', 'first web', 'each'], ['each']]);
  });

  test("each host's hooks get the environment's env, the host's env over it, and the host's vars", () => {
    const { members, phases } = run(0, 1, 2, 3);
    expect(phases.env(members[1]!)).toMatchObject({ APP_ENV: 'production', REGION: 'eu', NODE: 'web1' });
    expect(phases.env(members[3]!)).toMatchObject({ REGION: 'none', NODE: 'worker1', WORKER_ID: '3' });
    expect(phases.env(members[0]!)).not.toHaveProperty('WORKER_ID');
    const body = phases.hooks(members[3]!)!.steps.find((s) => s.label === 'each')!.body;
    expect(body).toMatch(/^export WORKER_ID=3$/m);
    // Rollback's switch phases place activate hooks alike.
    const rollback = switchPhases(config, new Map(), 'r0', (m) => phases.env(m));
    expect(rollback.activate(members[1]!)!.steps.map((s) => s.label)).toEqual(['reload']);
  });
});
