/**
 * The one definition of deploy.yml's keys. The validator reads with these specs, the loader takes defaults from
 * them, and toJsonSchema() publishes them. Add a key here and everything else follows.
 */
import { expandable } from './deferred.js';
import { key, type KeySpecs } from './kind.js';
import { envMap } from './env-kind.js';
import { environmentMap } from './environments-kind.js';
import { healthcheck, healthcheckUrl, type HealthcheckKeys } from './healthcheck-kind.js';
import { hookList, hookName, type HookKeys } from './hook-kind.js';
import { hostList, hostName, type HostEntryKeys } from './host-kind.js';
import {
  absolutePath,
  applicationName,
  boolean,
  command,
  duration,
  integer,
  name,
  octalMode,
  oneOf,
  url,
} from './kinds.js';
import { globs, labels, relativePaths } from './list-kinds.js';
import { jumpChain } from './route-kind.js';
import { TARGETS } from './schema-targets.js';
import { smallKeys } from './schema-small.js';
import { MAINTENANCE_ENV_KEYS } from './schema-maintenance.js';
import { STAGE_KEYS } from './schema-stage.js';
import { FILES_KEYS } from './schema-files.js';
import { STRATEGIES, WRITABLE_MODES } from './types.js';

/** Keys of a host written as a mapping in `hosts:`. */
export const HOST_ENTRY_KEYS: HostEntryKeys = {
  host: key({
    kind: expandable(hostName),
    required: true,
    description:
      "Host name or IP address (IPv6 with or without brackets), or `local` for this machine without SSH. `${NAME}` is replaced from the step's environment (and masked).",
  }),
  user: key({
    kind: expandable(name('user name')),
    description: "SSH user for this host; overrides the environment's `user`. `${NAME}` is replaced as in `host`.",
  }),
  port: key({
    kind: expandable(integer(1, 65535)),
    default: 22,
    description: 'SSH port of this host. `${NAME}` is replaced as in `host` (it must then be a number).',
  }),
  deploy_path: key({
    kind: expandable(absolutePath),
    description:
      "Deploy path on this host; overrides the environment's `deploy_path`. `${NAME}` is replaced as in `host`.",
  }),
  labels: key({
    kind: labels,
    default: [],
    description:
      'Labels of this host (e.g. `web`, `worker`): letters, digits, `.`, `_` and `-`, starting with a letter or digit. Not for `local`.',
  }),
  jump: key({
    kind: jumpChain,
    description:
      "Jump host(s) for this host, overriding the environment's `jump`: `user@host:port` or a list (a chain, the first reached first); `[]` for a direct connection. `${NAME}` as in the environment's.",
  }),
  proxy_command: key({
    kind: expandable(command),
    description:
      "Command run on the runner whose stdin and stdout carry this host's SSH connection (`%h`, `%p`, `%r`: host, port, user); overrides the environment's. Not with `jump`.",
  }),
  ...TARGETS.host,
};

const RUN = key({ kind: command, required: true, description: 'The shell command.' });
const HOOK_NAME = key({
  kind: hookName,
  description:
    "The hook's name in the log and the job summary (one line, at most 60 characters); without it, the first line of `run`, shortened.",
});

/** Keys of a `build` or `activate` hook written as a mapping. */
export const HOOK_KEYS: HookKeys = { run: RUN, name: HOOK_NAME };

/** Keys of a `deploy` hook written as a mapping. */
export const DEPLOY_HOOK_KEYS = {
  run: RUN,
  name: HOOK_NAME,
  ...TARGETS.deploy,
} satisfies HookKeys;

const ONLY_DEPLOY = { once: '`once` is only meaningful for deploy hooks' };

/** One healthcheck attempt may take at most this long; `interval` is bounded the same. */
export const MAX_HEALTHCHECK_WAIT_MS = 10 * 60_000;

/** Keys of `healthcheck`. */
export const HEALTHCHECK_KEYS: HealthcheckKeys = {
  url: key({
    kind: healthcheckUrl,
    description:
      "http(s) URL requested from the runner after each host switches; `{host}` is replaced by the host's host name or IP address (`host`, without user or port). Give `url` or `command`, not both.",
  }),
  command: key({
    kind: command,
    description:
      'Shell command run on each host after its switch; it passes when it exits 0. Give `url` or `command`, not both.',
  }),
  expect_status: key({
    kind: integer(100, 599),
    default: 200,
    description: 'HTTP status the `url` must answer with (only with `url`).',
  }),
  timeout: key({
    kind: duration(1, MAX_HEALTHCHECK_WAIT_MS),
    default: 30_000,
    description: 'Timeout of one attempt: `30s`, `1500ms`, `2m`, or a bare integer meaning seconds; at most `10m`.',
  }),
  retries: key({ kind: integer(0), default: 5, description: 'Attempts after a failed one (attempts = retries + 1).' }),
  interval: key({
    kind: duration(0, MAX_HEALTHCHECK_WAIT_MS),
    default: 2_000,
    description: 'Pause between attempts, as a duration like `timeout`; at most `10m`.',
  }),
};

/** Keys of an environment. Each may also be written at the top level as a default for every environment. */
export const ENVIRONMENT_KEYS = {
  hosts: key({
    kind: hostList(HOST_ENTRY_KEYS),
    required: true,
    description:
      'Hosts to deploy to: `user@host[:port]`, `host`, `[v6addr]:port`, `local` (this machine, no SSH), or a mapping with `host`, `user`, `port`, `deploy_path` and `labels`. `${NAME}` in an entry or its fields is replaced from the step\'s environment and masked (`- "${DEPLOY_HOST}"` may hold `user@host:port`).',
  }),
  user: key({
    kind: expandable(name('user name')),
    description:
      "Default SSH user for hosts that do not name one. Required unless every remote host names its user. `${NAME}` is replaced from the step's environment.",
  }),
  jump: key({
    kind: jumpChain,
    description:
      "Jump host for every host (OpenSSH's ProxyJump): `user@host:port` (user: the host's, port: 22 when not written) or a list, a chain reached in order. Each hop's host key must be in `known-hosts`. `${NAME}` in a hop is replaced from the step's environment and masked (shown as `***`).",
  }),
  proxy_command: key({
    kind: expandable(command),
    description:
      'Command run on the runner whose stdin and stdout carry each SSH connection, e.g. `cloudflared access ssh --hostname %h` (`%h`, `%p`, `%r`: host, port, user, quoted). Not with `jump`. Each `${NAME}` in it must be set (checked before connecting) and is masked; bash expands it.',
  }),
  deploy_path: key({
    kind: expandable(absolutePath),
    description:
      "Absolute path holding `releases/`, `shared/` and the `current` symlink. Required unless every host sets its own. System directories and home directory roots are refused. `${NAME}` is replaced from the step's environment.",
  }),
  connect_retries: key({
    kind: integer(0, 10),
    default: 2,
    description:
      'How many times a connection that fails before authentication (refused, timed out, reset, a name that does not resolve) is tried again, after 1 s, 2 s, 4 s…; within `connect-timeout` × tries in all. A refused key or host key is never retried.',
  }),
  url: key({ kind: url, description: 'Public URL of the environment: the `url` output and the job summary show it.' }),
  keep_releases: key({
    kind: integer(1),
    default: 5,
    description: 'How many releases to keep on each host (the current one included).',
  }),
  exclude: key({ kind: globs, default: [], description: 'Glob patterns of files not to upload.' }),
  shared_dirs: key({
    kind: relativePaths,
    default: [],
    description: 'Directories kept in `shared/` and symlinked into every release.',
  }),
  shared_files: key({
    kind: relativePaths,
    default: [],
    description: 'Files kept in `shared/` and symlinked into every release.',
  }),
  writable_dirs: key({
    kind: relativePaths,
    default: [],
    description: 'Directories the web server must be able to write.',
  }),
  writable_mode: key({
    kind: oneOf(WRITABLE_MODES),
    default: 'acl',
    description: 'How `writable_dirs` are made writable: `acl` (setfacl), `chmod`, `chown`, `chgrp`, or `skip`.',
  }),
  writable_use_sudo: key({ kind: boolean, default: false, description: 'Run the writable commands with sudo.' }),
  writable_recursive: key({ kind: boolean, default: false, description: 'Apply the writable mode recursively.' }),
  writable_chmod_mode: key({
    kind: octalMode,
    default: '0755',
    description: 'Mode for `writable_mode: chmod`, as octal digits (`"0755"`, `"775"`).',
  }),
  http_user: key({
    kind: name('user name'),
    description: 'User the web server runs as; detected on the host when unset.',
  }),
  http_group: key({ kind: name('group name'), description: 'Group the web server runs as (for `chgrp`).' }),
  clear_paths: key({
    kind: relativePaths,
    default: [],
    description: 'Paths removed from each release before it goes live.',
  }),
  clear_use_sudo: key({ kind: boolean, default: false, description: 'Remove `clear_paths` with sudo.' }),
  hook_timeout: key({
    kind: duration(1_000, 24 * 3_600_000),
    default: 1_800_000,
    description:
      'How long one deploy or activate command (or an `exec` command) may run before it is stopped and the deploy fails (nothing is activated), as a duration (`30s`, `10m`, `2h`, or seconds). Default `30m`.',
  }),
  full_upload: key({
    kind: boolean,
    default: false,
    description:
      "Always ship the whole build. By default a host with a live release gets only what changed (compared with the live release's manifest), checked against the build before anything goes live.",
  }),
  env: key({
    kind: envMap,
    default: [],
    description:
      "Environment variables for hooks. `${NAME}` is replaced from the step's environment (and masked); `$${NAME}` is a literal `${NAME}`. Names starting with `DEPLOY_` are reserved.",
  }),
  strategy: key({
    kind: oneOf(STRATEGIES),
    default: 'all-at-once',
    description:
      'How hosts switch to the new release: `all-at-once` (together, once every host is staged) or `rolling` (in batches of `batch_size`).',
  }),
  max_parallel: key({
    kind: integer(1),
    default: 10,
    description: 'How many hosts are connected to, staged and run their deploy hooks at once.',
  }),
  batch_size: key({
    kind: integer(1),
    default: 1,
    description: 'With `strategy: rolling`, how many hosts switch per batch (may exceed the number of hosts).',
  }),
  build: key({
    kind: hookList(HOOK_KEYS, { misplaced: TARGETS.buildMisplaced }),
    default: [],
    description:
      'Shell commands run on the runner in the build copy before upload: strings, or mappings with `run` (and `name`).',
  }),
  deploy: key({
    kind: hookList(DEPLOY_HOOK_KEYS),
    default: [],
    description:
      'Shell commands run on each host in the new release before the switch: strings, or mappings with `run`, `name`, `on` (the hosts it runs on: names or `label=NAME`) and `once` (`true` or where: it runs on one host only, before any host switches).',
  }),
  activate: key({
    kind: hookList({ ...HOOK_KEYS, ...TARGETS.activate }, { misplaced: ONLY_DEPLOY }),
    default: [],
    description:
      'Shell commands run on each host right after its switch (e.g. reload php-fpm): strings, or mappings with `run` (and `name`, `on`: the hosts it runs on).',
  }),
  healthcheck: key({
    kind: healthcheck(HEALTHCHECK_KEYS),
    description:
      'Checks each host after its switch: `url` (requested from the runner, answering `expect_status`) or `command` (run on the host, exit 0), retried `retries` times `interval` apart, each attempt limited to `timeout`.',
  }),
  ...smallKeys({ ...HOOK_KEYS, ...TARGETS.activate }, ONLY_DEPLOY),
  ...MAINTENANCE_ENV_KEYS,
  ...STAGE_KEYS,
  ...FILES_KEYS,
} satisfies KeySpecs;

/** Keys only valid at the top level; every environment key is valid there too. */
export const TOP_LEVEL_ONLY_KEYS = {
  name: key({
    kind: applicationName,
    description: 'Application name. Defaults to the name of the directory holding the config file.',
  }),
  environments: key({
    kind: environmentMap(ENVIRONMENT_KEYS, {
      name: '`name` is only allowed at the top level',
      environments: '`environments` is only allowed at the top level',
    }),
    required: true,
    description: 'The environments (e.g. `production`, `staging`), each a mapping of the environment keys.',
  }),
} satisfies KeySpecs;

export const TOP_LEVEL_KEYS = { ...TOP_LEVEL_ONLY_KEYS, ...ENVIRONMENT_KEYS } satisfies KeySpecs;

export type EnvironmentSpecs = typeof ENVIRONMENT_KEYS;
export type TopLevelSpecs = typeof TOP_LEVEL_KEYS;
