/** Keys of per-host settings (`env`, `vars` of a host) and of where a hook runs (`on`, `once`): see targets.ts. */
import { key } from './kind.js';
import { hookOn, hookOnce, hostEnvMap, hostVarsMap } from './target-kind.js';

/** A host entry's own environment variables and values. */
export const HOST_TARGET_KEYS = {
  env: key({
    kind: hostEnvMap,
    description:
      "Environment variables for this host's hooks and health check command, over the environment's `env` (the host's value wins). `${NAME}` is replaced from the step's environment and masked, as in `env`.",
  }),
  vars: key({
    kind: hostVarsMap,
    description:
      "Plain values for this host's hooks, exported as environment variables (e.g. `WORKER_ID: 2`, `REGION: eu`). Shown in a dry run's plan: no `${NAME}`, no secrets (use `env`). A name may not also be in `env`.",
  }),
};

const ON = key({
  kind: hookOn,
  description:
    'Hosts this hook runs on, as the `hosts` input selects them: host names, `label=NAME`, a list of them or a comma-separated string. Without it, every host. Each must match a host of the environment.',
});

/** Where an activate hook runs. */
export const ACTIVATE_HOOK_TARGET_KEYS = { on: ON };

/** Where a deploy hook runs. */
export const DEPLOY_HOOK_TARGET_KEYS = {
  on: ON,
  once: key({
    kind: hookOnce,
    default: false,
    description:
      'Run on one host only, before any host switches (e.g. database migrations): `true` for the first deployed host (of those `on` picks), or where, as in `on` (`once: label=db`: the first deployed host with label `db`). A deploy whose selected hosts include none of them fails before connecting.',
  }),
};

/** Why `build` hooks refuse these keys. */
export const BUILD_MISPLACED = {
  once: '`once` is only meaningful for deploy hooks',
  on: '`on` is only meaningful for deploy, activate and rollback hooks: build hooks run on the runner',
};

/** The above, for one import in schema.ts. */
export const TARGETS = {
  host: HOST_TARGET_KEYS,
  deploy: DEPLOY_HOOK_TARGET_KEYS,
  activate: ACTIVATE_HOOK_TARGET_KEYS,
  buildMisplaced: BUILD_MISPLACED,
};
