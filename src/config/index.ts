/** deploy.yml: loading, strict validation with positions, defaults, `${NAME}` expansion, and its JSON Schema. */
export { ConfigError, formatProblem, type ConfigProblem, type SourcePosition } from './errors.js';
export { loadConfig, MAX_ALIAS_COUNT, type LoadConfigOptions } from './load.js';
export { parseHostSpec, hostDisplayName } from './hosts.js';
export { toJsonSchema } from './jsonschema.js';
export { ENVIRONMENT_KEYS, HOST_ENTRY_KEYS, TOP_LEVEL_KEYS, TOP_LEVEL_ONLY_KEYS } from './schema.js';
export {
  WRITABLE_MODES,
  type EnvironmentConfig,
  type HookConfig,
  type HostConfig,
  type HostSpec,
  type WritableMode,
} from './types.js';
