/** `maintenance:`: the commands that put the app into maintenance and back, and whether every deploy uses them. */
import { key, objectSchema, type KeySpecs, type Kind } from './kind.js';
import { boolean, command } from './kinds.js';
import { readMapping } from './mapping.js';
import type { MaintenanceConfig } from './types.js';

/** Keys of `maintenance`. */
export const MAINTENANCE_KEYS = {
  on: key({
    kind: command,
    required: true,
    description:
      'Shell command that turns maintenance on (e.g. `php artisan down`), run on each host in the live release (`current/`).',
  }),
  off: key({
    kind: command,
    required: true,
    description:
      'Shell command that turns maintenance off (e.g. `php artisan up`), run in `current/`: after the switch, or after a failed deploy wherever `on` ran.',
  }),
  deploy: key({
    kind: boolean,
    default: false,
    description:
      "Turn maintenance on for every deploy and redeploy: `on` before the deploy hooks, `off` after each host's switch and activate. The `maintenance` input (CLI: `--maintenance`, `--no-maintenance`) overrides it.",
  }),
} satisfies KeySpecs;

const maintenance: Kind<MaintenanceConfig> = {
  label: 'mapping with `on` and `off`',
  jsonSchema: objectSchema(MAINTENANCE_KEYS),
  read(node, at) {
    const mapping = readMapping(node, at, MAINTENANCE_KEYS, { requiredFrom: MAINTENANCE_KEYS });
    const v = mapping?.values;
    if (v?.on === undefined || v.off === undefined) return undefined;
    return { on: v.on, off: v.off, deploy: v.deploy ?? false };
  },
  toJson: (m) => ({ on: m.on, off: m.off, deploy: m.deploy }),
};

/** The environment key (spread into ENVIRONMENT_KEYS). */
export const MAINTENANCE_ENV_KEYS = {
  maintenance: key({
    kind: maintenance,
    description:
      "Maintenance mode: `on` and `off` commands run on each host in `current/`, with the environment's `env` and within `hook_timeout`; `deploy: true` (or the `maintenance` input) wraps deploys in it, and the `maintenance` command switches it by hand.",
  }),
} satisfies KeySpecs;
