import { type EnvironmentConfig, selectedBy } from '../config/index.js';
import { fenced } from '../remote/phase.js';
import { AFTER_ROLLBACK, hookSteps } from '../remote/steps/hooks.js';
import type { SwitchPhases } from './release-phases.js';

/**
 * A rollback's phases with the `rollback` hooks after each host's activate commands, in the same phase: they run
 * before the health check, and one that fails fails the host's activation (the rollout switches the switched hosts
 * back and runs their activate commands again; the rollback is not recorded). The switch back does not run them.
 */
export function withRollbackHooks(c: EnvironmentConfig, phases: SwitchPhases): SwitchPhases {
  if (c.rollback.length === 0) return phases;
  return {
    ...phases,
    activate(m) {
      const activate = phases.activate(m);
      // Those whose `on` picks this host; every one without `on`.
      const mine = c.rollback.filter((h) => !h.on || selectedBy(h.on.items, m.host));
      if (mine.length === 0) return activate;
      const hooks = fenced(hookSteps(mine, phases.env(m), AFTER_ROLLBACK, c.hookTimeoutMs));
      const own = activate?.steps ?? [];
      return {
        name: own.length ? 'activate' : 'rollback',
        vars: { ...phases.switch(m).vars, ...activate?.vars },
        steps: [...own, ...hooks],
        ...(own.length
          ? {
              parts: [
                { name: 'activate', from: own[0]!.id },
                { name: 'rollback', from: hooks[0]!.id },
              ],
            }
          : {}),
      };
    },
  };
}
