/** deploy.yml: loading, strict validation with positions, defaults, `${NAME}` expansion, and its JSON Schema. */
export { ConfigError, formatProblem, type ConfigProblem, type SourcePosition } from './errors.js';
export { loadConfig, MAX_ALIAS_COUNT, type LoadConfigOptions } from './load.js';
export type { Surface } from './missing.js';
export { parseHostSpec, hostDisplayName } from './hosts.js';
export { hopName, routeText } from './route-kind.js';
export { parseDuration } from './duration.js';
export { couldBeSecret, secretPieces, type PieceOptions } from './masking.js';
export { toJsonSchema } from './jsonschema.js';
export {
  DEPLOY_HOOK_KEYS,
  ENVIRONMENT_KEYS,
  HEALTHCHECK_KEYS,
  HOOK_KEYS,
  HOST_ENTRY_KEYS,
  MAX_HEALTHCHECK_WAIT_MS,
  TOP_LEVEL_KEYS,
  TOP_LEVEL_ONLY_KEYS,
} from './schema.js';
export { HOST_PLACEHOLDER } from './healthcheck-kind.js';
export { hookLabel } from './hook-kind.js';
export { hookHosts, selectedBy, selectorFor, type Selectable, type Selector } from './host-selector.js';
export { hostEnv } from './targets.js';
export {
  STRATEGIES,
  WRITABLE_MODES,
  type EnvironmentConfig,
  type HealthcheckConfig,
  type FileConfig,
  type HookConfig,
  type HookTarget,
  type HostConfig,
  type HostSpec,
  type JumpHost,
  type MaintenanceConfig,
  type Strategy,
  type WritableMode,
} from './types.js';
