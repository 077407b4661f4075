/**
 * The one definition of deploy.yml's keys. The validator reads with these specs, the loader takes defaults from
 * them, and toJsonSchema() publishes them. Add a key here and everything else follows.
 */
import { key, type KeySpecs } from './kind.js';
import { envMap } from './env-kind.js';
import { environmentMap } from './environments-kind.js';
import { hostList, hostName, type HostEntryKeys } from './host-kind.js';
import { absolutePath, applicationName, boolean, integer, name, octalMode, oneOf, url } from './kinds.js';
import { commands, globs, relativePaths } from './list-kinds.js';
import { WRITABLE_MODES } from './types.js';

/** Keys of a host written as a mapping in `hosts:`. */
export const HOST_ENTRY_KEYS: HostEntryKeys = {
  host: key({ kind: hostName, required: true, description: 'Host name or IP address (IPv6 with or without brackets), or `local` for this machine without SSH.' }),
  user: key({ kind: name('user name'), description: 'SSH user for this host; overrides the environment\'s `user`.' }),
  port: key({ kind: integer(1, 65535), default: 22, description: 'SSH port of this host.' }),
  deploy_path: key({ kind: absolutePath, description: 'Deploy path on this host; overrides the environment\'s `deploy_path`.' }),
};

/** Keys of an environment. Each may also be written at the top level as a default for every environment. */
export const ENVIRONMENT_KEYS = {
  hosts: key({
    kind: hostList(HOST_ENTRY_KEYS),
    required: true,
    description:
      'Hosts to deploy to: `user@host[:port]`, `host`, `[v6addr]:port`, `local` (this machine, no SSH), or a mapping with `host`, `user`, `port` and `deploy_path`.',
  }),
  user: key({ kind: name('user name'), description: 'Default SSH user for hosts that do not name one. Required unless every remote host names its user.' }),
  deploy_path: key({
    kind: absolutePath,
    description:
      'Absolute path holding `releases/`, `shared/` and the `current` symlink. Required unless every host sets its own. System directories and home directory roots are refused.',
  }),
  url: key({ kind: url, description: 'Public URL of the environment (shown in the job summary and deployment).' }),
  keep_releases: key({ kind: integer(1), default: 5, description: 'How many releases to keep on each host (the current one included).' }),
  exclude: key({ kind: globs, default: [], description: 'Glob patterns of files not to upload.' }),
  shared_dirs: key({ kind: relativePaths, default: [], description: 'Directories kept in `shared/` and symlinked into every release.' }),
  shared_files: key({ kind: relativePaths, default: [], description: 'Files kept in `shared/` and symlinked into every release.' }),
  writable_dirs: key({ kind: relativePaths, default: [], description: 'Directories the web server must be able to write.' }),
  writable_mode: key({ kind: oneOf(WRITABLE_MODES), default: 'acl', description: 'How `writable_dirs` are made writable: `acl` (setfacl), `chmod`, `chown`, `chgrp`, or `skip`.' }),
  writable_use_sudo: key({ kind: boolean, default: false, description: 'Run the writable commands with sudo.' }),
  writable_recursive: key({ kind: boolean, default: false, description: 'Apply the writable mode recursively.' }),
  writable_chmod_mode: key({ kind: octalMode, default: '0755', description: 'Mode for `writable_mode: chmod`, as octal digits (`"0755"`, `"775"`).' }),
  http_user: key({ kind: name('user name'), description: 'User the web server runs as; detected on the host when unset.' }),
  http_group: key({ kind: name('group name'), description: 'Group the web server runs as (for `chgrp`).' }),
  clear_paths: key({ kind: relativePaths, default: [], description: 'Paths removed from each release before it goes live.' }),
  clear_use_sudo: key({ kind: boolean, default: false, description: 'Remove `clear_paths` with sudo.' }),
  env: key({
    kind: envMap,
    default: [],
    description:
      'Environment variables for hooks. `${NAME}` is replaced from the step\'s environment (and masked); `$${NAME}` is a literal `${NAME}`. Names starting with `DEPLOY_` are reserved.',
  }),
  build: key({ kind: commands, default: [], description: 'Shell commands run on the runner in the build copy before upload.' }),
  deploy: key({ kind: commands, default: [], description: 'Shell commands run on each host in the new release before the switch.' }),
} satisfies KeySpecs;

/** Keys only valid at the top level; every environment key is valid there too. */
export const TOP_LEVEL_ONLY_KEYS = {
  name: key({ kind: applicationName, description: 'Application name. Defaults to the name of the directory holding the config file.' }),
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
