import type { Member } from '../../src/fleet/fleet.js';
import { withRollbackHooks } from '../../src/commands/rollback-hooks.js';
import type { SwitchPhases } from '../../src/commands/release-phases.js';
import { stepTitle } from '../../src/remote/steps/hooks.js';
import { load, yaml } from '../config/helpers.js';

const config = (...extra: string[]) =>
  load(yaml('environments:', '  production:', '    hosts: [deploy@web1]', '    deploy_path: /x/y', ...extra));

const m = {} as Member;
const base = (activate: boolean): SwitchPhases => ({
  switch: () => ({ name: 'switch', vars: { DA_RELEASE: 'a' }, steps: [] }),
  activate: () =>
    activate
      ? { name: 'activate', vars: { DA_RELEASE: 'a' }, steps: [{ id: 'activate-1', label: 'reload', body: 'true' }] }
      : undefined,
  revert: () => ({ name: 'revert', steps: [] }),
  env: () => ({ DEPLOY_RELEASE: 'a' }),
});

describe('rollback hooks in a rollback', () => {
  test('after the activate commands, in one phase, fenced, named as rollback hooks', () => {
    const phases = withRollbackHooks(config('    rollback: [./purge, { name: notify, run: ./notify }]'), base(true));
    const phase = phases.activate(m)!;
    expect(phase.name).toBe('activate');
    expect(phase.steps.map((s) => s.id)).toEqual(['activate-1', 'rollback-1', 'rollback-2']);
    expect(phase.steps.slice(1).every((s) => s.fenced && s.body.includes('cd -- current/'))).toBe(true);
    expect(phase.parts).toEqual([
      { name: 'activate', from: 'activate-1' },
      { name: 'rollback', from: 'rollback-1' },
    ]);
    expect(phase.vars).toEqual({ DA_RELEASE: 'a' });
    expect(stepTitle(phase.steps[2]!)).toBe('rollback hook "notify"');
    // The switch back runs what it ran before: the activate commands only.
    expect(phases.revert(m)).toEqual({ name: 'revert', steps: [] });
  });

  test('without activate commands the phase is `rollback`; without rollback hooks nothing changes', () => {
    const only = withRollbackHooks(config('    rollback: [./purge]'), base(false)).activate(m)!;
    expect(only.name).toBe('rollback');
    expect(only.steps.map((s) => s.id)).toEqual(['rollback-1']);
    const none = base(false);
    expect(withRollbackHooks(config(), none)).toBe(none);
  });

  test('`on` picks the hosts a rollback hook runs on, as for activate; a host it does not pick gets none', () => {
    const c = load(
      yaml(
        'environments:',
        '  production:',
        '    hosts: [{ host: web1, labels: [web] }, { host: worker1, labels: [worker] }]',
        '    user: deploy',
        '    deploy_path: /x/y',
        '    rollback: [{ run: ./restart-queue, on: label=worker }, ./purge]',
      ),
    );
    const on = (name: string) => ({ host: c.hosts.find((h) => h.host === name)! }) as Member;
    const phases = withRollbackHooks(c, base(false));
    expect(phases.activate(on('worker1'))!.steps.map((s) => s.body.includes('restart-queue'))).toEqual([true, false]);
    expect(phases.activate(on('web1'))!.steps.map((s) => s.id)).toEqual(['rollback-1']);
    expect(phases.activate(on('web1'))!.steps[0]!.body).toContain('./purge');
  });

  test('an `on` of a rollback hook that matches no host is a config error', () => {
    expect(() => config('    rollback: [{ run: ./x, on: label=nope }]')).toThrow(/`label=nope` matches no host/);
  });
});
