/**
 * From a parsed deploy.yml to one environment's settings: reads every key of every environment (so a typo in
 * `staging` is caught while deploying `production`), merges top-level defaults, checks what spans keys (users,
 * duplicate hosts, deploy_path, overlapping shared paths), and expands `${NAME}` for the chosen environment.
 */
import { isScalar } from 'yaml';
import { Cursor, type Located, type Source } from './cursor.js';
import { Problems, type SourcePosition } from './errors.js';
import { checkReferences, expandValue } from './expand.js';
import { isDeferred, written } from './deferred.js';
import { expandEntry, HostExpander } from './host-expand.js';
import { withFiles } from './files-expand.js';
import { hostDisplayName, userProblem } from './hosts.js';
import type { HostEntry } from './host-kind.js';
import { readMapping } from './mapping.js';
import { checkRequired, Merged } from './merged.js';
import { environmentRoute, expandRoute, hostRoute, writtenRoute, type WrittenRoute } from './routes.js';
import { checkHookTargets, hostSettings, inEnvironment } from './targets.js';
import { deployPathProblem, sharedOverlapProblems, type PathEntry } from './paths.js';
import { ENVIRONMENT_KEYS, TOP_LEVEL_KEYS, TOP_LEVEL_ONLY_KEYS } from './schema.js';
import type { EnvironmentConfig, HostConfig } from './types.js';

export interface ValidateOptions {
  environment: string;
  env: Readonly<Record<string, string | undefined>>;
  /** How messages name where `env` comes from (default: the step's environment). */
  envSource?: string;
  /** Expand `env` (a command that runs hooks); false: leave it empty, its `${NAME}` need not be set. */
  expandEnv: boolean;
  /** Application name when the file has no `name:`. */
  defaultName: string;
  /** The user of a host for which deploy.yml names none (the CLI: its ssh_config `User`). */
  userFor?: (host: string) => string | undefined;
}

interface ResolvedHosts {
  hosts: HostConfig[];
  /** The environment's own deploy_path, expanded ('' when every host has its own). */
  deployPath: string;
}

/**
 * The environment's hosts with its `user` and `deploy_path` applied. For the chosen environment (`x` given) the
 * `${NAME}` fields are expanded and checked; in another one an entry with `${NAME}` is only checked as written.
 */
function resolveHosts(
  merged: Merged,
  at: Cursor,
  position: SourcePosition,
  x?: HostExpander,
  userFor?: ValidateOptions['userFor'],
): ResolvedHosts {
  const entries: HostEntry[] = merged.get('hosts') ?? [];
  const userValue = merged.get('user');
  const pathValue = merged.get('deploy_path');
  const user = isDeferred(userValue) && x ? x.expand(userValue, 'user name', userProblem)?.value : userValue;
  const deployPath =
    isDeferred(pathValue) && x ? x.expand(pathValue, 'deploy_path', deployPathProblem)?.value : pathValue;
  const retries = merged.or('connect_retries');
  const seen = new Map<string, SourcePosition>();
  const hosts: HostConfig[] = [];
  let missingPath = false;
  const envRoute = environmentRoute(merged.get('jump'), merged.get('proxy_command'), (m) => at.problemAt(position, m));
  // `${NAME}` in a route: expanded for the chosen environment (once for the environment's), else left as written.
  const route = x ? expandRoute(envRoute, x) : writtenRoute(envRoute);
  for (const entry of entries) {
    const { path } = entry;
    const ownRoute: WrittenRoute = {
      ...(entry.jump === undefined ? {} : { jump: entry.jump }),
      ...(entry.proxyCommand === undefined ? {} : { proxyCommand: entry.proxyCommand }),
    };
    const hostAt = new Cursor(at.source, path);
    const expanded = x ? expandEntry(entry, x) : { spec: entry.spec, deployPath: entry.deployPath, secret: false };
    if (!expanded) continue;
    const { spec, deployPath: own, secret } = expanded;
    const mine = ownRoute.jump || ownRoute.proxyCommand ? ownRoute : undefined;
    const reach = mine ? (x ? expandRoute(mine, x) : writtenRoute(mine)) : route;
    if (reach === undefined) continue;
    const hostUser = spec.local ? undefined : (spec.user ?? user ?? userFor?.(spec.host));
    // A user from `${NAME}` that was wrong has been reported; an entry of another environment may name its user.
    const userFailed = isDeferred(userValue) && !!x && user === undefined;
    if (!spec.local && hostUser === undefined && !userFailed && !(entry.deferred?.whole && !x)) {
      const shown = secret ? '***' : spec.name;
      hostAt.problemAt(
        spec.position,
        `no user for host \`${shown}\`: write \`user@${shown}\`, add \`user:\` to the host, or set \`user:\` for the environment${inEnvironment(path, at)}`,
      );
      continue;
    }
    const name = spec.local ? spec.name : hostDisplayName(spec.host, written(hostUser ?? ''), spec.port);
    const earlier = seen.get(name);
    if (earlier) {
      hostAt.problemAt(
        spec.position,
        `duplicate host \`${secret ? '***' : name}\` (also at line ${earlier.line})${inEnvironment(path, at)}`,
      );
      continue;
    }
    // An entry of another environment with `${NAME}` in it is not known yet: it cannot be a duplicate.
    if (x || !entry.deferred) seen.set(name, spec.position);
    if (entry.deployPath === undefined && pathValue === undefined) missingPath = true;
    if (!x) continue;
    const hostPath = typeof own === 'string' ? own : typeof deployPath === 'string' ? deployPath : '';
    if (secret) x.add(name);
    hosts.push({
      ...spec,
      name,
      user: hostUser === undefined ? undefined : written(hostUser),
      deployPath: hostPath,
      // Only when not the default (fleet/connect.ts applies it): a host reads as it always did.
      ...(retries === ENVIRONMENT_KEYS.connect_retries.default ? {} : { connectRetries: retries }),
      ...(secret ? { masked: true } : {}),
      ...hostSettings(entry, x, merged.or('env')),
      ...(spec.local ? {} : hostRoute(reach, hostUser === undefined ? undefined : written(hostUser))),
    });
  }
  if (missingPath && !merged.written('deploy_path')) {
    at.problemAt(position, 'missing required key `deploy_path` (set it for the environment, or on every host)');
  }
  return { hosts, deployPath: typeof deployPath === 'string' ? deployPath : '' };
}

function checkShared(merged: Merged, at: Cursor): void {
  const dirs = merged.or('shared_dirs');
  const files = merged.or('shared_files');
  const located: Located<string>[] = [...dirs, ...files];
  const entries: PathEntry<'dir' | 'file'>[] = [
    ...dirs.map((d) => ({ value: d.value, tag: 'dir' as const })),
    ...files.map((f) => ({ value: f.value, tag: 'file' as const })),
  ];
  for (const [index, message] of sharedOverlapProblems(entries)) {
    const entry = located[index];
    new Cursor(at.source, entry.path).problemAt(entry.position, `${message}${inEnvironment(entry.path, at)}`);
  }
}

/** `${NAME}` references that are wrong whatever the step's environment holds: checked in every environment. */
function checkEnvReferences(merged: Merged, at: Cursor): void {
  for (const entry of merged.or('env')) {
    for (const problem of checkReferences(entry.value, {}).problems)
      new Cursor(at.source, entry.path).problemAt(entry.position, problem);
  }
}

type LoadedEnv = Pick<EnvironmentConfig, 'env' | 'secrets' | 'envSkipped'>;

/**
 * The chosen environment's `env` with `${NAME}` expanded; an unset variable is a problem. For a command that runs
 * no hook nothing is expanded and nothing need be set: the unset references are only listed (a dry run tells them).
 */
function expandEnv(merged: Merged, at: Cursor, options: ValidateOptions): LoadedEnv {
  if (!options.expandEnv) {
    const unset = new Problems();
    for (const entry of merged.or('env')) {
      for (const message of checkReferences(entry.value, options.env, options.envSource).unset)
        unset.add(entry.position, entry.path, message);
    }
    return { env: {}, secrets: [], envSkipped: { unset: unset.list } };
  }
  const out: Record<string, string> = {};
  const secrets = new Set<string>();
  for (const entry of merged.or('env')) {
    const expansion = expandValue(entry.value, options.env, options.envSource);
    for (const problem of expansion.problems) new Cursor(at.source, entry.path).problemAt(entry.position, problem);
    out[entry.name] = expansion.value;
    for (const secret of expansion.secrets) secrets.add(secret);
  }
  return { env: out, secrets: [...secrets] };
}

const strings = (values: Located<string>[]): string[] => values.map((v) => v.value);

function buildConfig(
  merged: Merged,
  { hosts, deployPath }: ResolvedHosts,
  loadedEnv: LoadedEnv,
  names: { application: string; environment: string; file: string },
): Omit<EnvironmentConfig, 'files' | 'requireSharedFiles'> {
  return {
    ...names,
    hosts,
    deployPath,
    connectRetries: merged.or('connect_retries'),
    ...(merged.get('url') === undefined ? {} : { url: merged.get('url') }),
    keepReleases: merged.or('keep_releases'),
    exclude: strings(merged.or('exclude')),
    ...(merged.get('exclude_from') === undefined ? {} : { excludeFrom: merged.get('exclude_from') }),
    sharedDirs: strings(merged.or('shared_dirs')),
    sharedFiles: strings(merged.or('shared_files')),
    writableDirs: strings(merged.or('writable_dirs')),
    writableMode: merged.or('writable_mode'),
    writableUseSudo: merged.or('writable_use_sudo'),
    writableRecursive: merged.or('writable_recursive'),
    writableChmodMode: merged.or('writable_chmod_mode'),
    ...(merged.get('http_user') === undefined ? {} : { httpUser: merged.get('http_user') }),
    ...(merged.get('http_group') === undefined ? {} : { httpGroup: merged.get('http_group') }),
    clearPaths: strings(merged.or('clear_paths')),
    clearUseSudo: merged.or('clear_use_sudo'),
    fullUpload: merged.or('full_upload'),
    hookTimeoutMs: merged.or('hook_timeout'),
    stageTtlMs: merged.or('stage_ttl'),
    ...(merged.get('preview_link') === undefined ? {} : { previewLink: merged.get('preview_link') }),
    ...loadedEnv,
    build: merged.or('build'),
    deploy: merged.or('deploy'),
    strategy: merged.or('strategy'),
    maxParallel: merged.or('max_parallel'),
    batchSize: merged.or('batch_size'),
    activate: merged.or('activate'),
    rollback: merged.or('rollback'),
    ...(merged.get('healthcheck') === undefined ? {} : { healthcheck: merged.get('healthcheck') }),
    ...(merged.get('maintenance') === undefined ? {} : { maintenance: merged.get('maintenance') }),
  };
}

/** Validates the whole document and returns the chosen environment's settings; problems go to source.problems. */
export function validateDocument(source: Source, options: ValidateOptions): EnvironmentConfig | undefined {
  const root = new Cursor(source, '');
  const contents = source.doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    root.problemAt(root.position(null), 'the file is empty: expected a mapping with `environments`');
    return undefined;
  }
  const top = readMapping(contents, root, TOP_LEVEL_KEYS, {
    requiredFrom: TOP_LEVEL_ONLY_KEYS,
    requiredAt: root.position(null),
  });
  if (!top) return undefined;
  const environments = top.values.environments ?? [];
  let chosen: EnvironmentConfig | undefined;
  for (const environment of environments) {
    if (!environment.mapping) continue;
    const at = new Cursor(source, environment.path);
    const merged = new Merged(top, environment.mapping);
    checkRequired(merged, at, environment.position);
    const isChosen = environment.name === options.environment;
    const x = isChosen ? new HostExpander(source, { ...options, source: options.envSource }) : undefined;
    const hosts = resolveHosts(merged, at, environment.position, x, options.userFor);
    checkShared(merged, at);
    checkEnvReferences(merged, at);
    checkHookTargets(
      at,
      merged.get('hosts'),
      x && hosts.hosts,
      merged.or('deploy'),
      merged.or('activate'),
      merged.or('rollback'),
    );
    if (isChosen && x) {
      const loadedEnv = expandEnv(merged, at, options);
      // The hosts' values are masked whether or not the command runs hooks: every command reaches the hosts.
      loadedEnv.secrets = [...new Set([...loadedEnv.secrets, ...x.secrets])];
      loadedEnv.envSkipped?.unset.push(...x.unset);
      const built = buildConfig(merged, hosts, loadedEnv, {
        application: top.values.name ?? options.defaultName,
        environment: environment.name,
        file: source.file,
      });
      chosen = withFiles(built, merged.or('files'), merged.or('require_shared_files'), source, options);
    }
  }
  if (top.values.environments && !environments.some((e) => e.name === options.environment)) {
    const names = environments.map((e) => `\`${e.name}\``).join(', ');
    root
      .child('environments')
      .problemAt(
        top.keys.environments ?? root.position(null),
        `environment \`${options.environment}\` not found; ${names ? `defined: ${names}` : 'none is defined'}`,
      );
  }
  return chosen;
}
