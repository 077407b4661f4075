import { hookHosts, hostEnv, selectedBy, type EnvironmentConfig, type HostConfig } from '../config/index.js';
import type { Member } from '../fleet/fleet.js';
import { HostFailure } from '../fleet/failures.js';
import { checkReleaseName, uniqueReleaseName } from '../releases/name.js';
import { existingName } from './release-name.js';
import { releasesToRemove } from '../releases/retention.js';
import { contain } from '../remote/contain.js';
import { fenced, type Phase, type Step } from '../remote/phase.js';
import type { Payload } from '../remote/session.js';
import { cleanup } from '../remote/steps/cleanup.js';
import { clearPaths } from '../remote/steps/clear-paths.js';
import { files, requiredSharedFiles } from '../remote/steps/files.js';
import { logHistory } from '../remote/steps/history.js';
import { maintenanceLeft, maintenanceOff, maintenanceOn, maintenancePhase } from '../remote/steps/maintenance.js';
import { hookSteps, IN_CURRENT, IN_RELEASE } from '../remote/steps/hooks.js';
import type { HostFacts } from '../remote/steps/inspect.js';
import { revert } from '../remote/steps/revert.js';
import { unlock } from '../remote/steps/lock.js';
import { release } from '../remote/steps/release.js';
import { shared } from '../remote/steps/shared.js';
import { symlink } from '../remote/steps/symlink.js';
import { needsHttpUser, writable } from '../remote/steps/writable.js';
import { runRecord } from '../run-info.js';
import type { CommandContext } from './context.js';
import { deployMaintenance, maintenanceCommands } from './maintenance.js';

/** How a host's new release directory gets its files: the steps, the bytes they read, their variables. */
export interface Fill {
  steps: Step[];
  payload?: Payload;
  vars?: Record<string, string>;
  /** For the summary: a full upload, a delta from the live release, or a copy made on the host. */
  kind: 'full' | 'delta' | 'copy';
}

/** Where a new release's files come from: the runner's build (deploy) or the live release (redeploy). */
export interface ReleaseSource {
  event: 'deploy' | 'redeploy';
  fill(m: Member): Fill;
  /** What to do instead when the filled release did not verify (a step stopped the phase): ship everything. */
  restage?(m: Member): Fill;
  /** Gets the restage fills ready (packing takes time) before `restage` is asked for them. */
  prepareRestage?(members: Member[]): Promise<void>;
  /** The commit the release is built from, per host. */
  sha(m: Member): string;
}

/** The phases that make a release live on a host and check it (a deploy's, a redeploy's and a rollback's). */
export interface SwitchPhases {
  switch(m: Member): Phase;
  activate(m: Member): Phase | undefined;
  /** Switches back to the previous release and runs the activate commands again. */
  revert(m: Member): Phase;
  /** The environment of hooks and command health checks on that host. */
  env(m: Member): Record<string, string>;
}

/** The phases that make a new release live on a host, built once so a dry run can show exactly what would run. */
export interface ReleasePhases extends SwitchPhases {
  name: string;
  stage(m: Member): { phase: Phase; payload?: Payload };
  /** Stages again from scratch after the first staging stopped (see ReleaseSource.restage). */
  restage(m: Member): { phase: Phase; payload?: Payload } | undefined;
  prepareRestage(members: Member[]): Promise<void>;
  hooks(m: Member): Phase | undefined;
  /** Maintenance `on`, between the stage and the hooks, when the run asks for it (`off` ends `activate`). */
  maintenanceOn(m: Member): Phase | undefined;
  finish(m: Member): Phase;
  /** Releases cleanup will remove on that host. */
  removed(m: Member): string[];
  /** How the host's release gets its files (for the summary). */
  fillKind(m: Member): Fill['kind'];
}

/**
 * The new release's name: the one asked for (never reused: with `release-name-exists: suffix` the first free
 * `NAME-2`, `NAME-3`… on every host instead of failing), or a fresh one from the run's start time.
 */
export function chooseName(
  ctx: Pick<CommandContext, 'releaseName' | 'releaseNameExists' | 'run' | 'surface' | 'log'>,
  facts: Map<Member, HostFacts>,
): string {
  const taken = new Set<string>();
  for (const f of facts.values()) {
    for (const d of f.dirs) taken.add(d);
    for (const h of f.history) taken.add(h.release);
  }
  if (ctx.releaseName) {
    const name = checkReleaseName(ctx.releaseName, 'release-name');
    return taken.has(name) ? existingName(ctx, facts, name, taken) : name;
  }
  return uniqueReleaseName(ctx.run.startedAt, taken);
}

function httpUserFor(c: EnvironmentConfig, m: Member, f: HostFacts): string | undefined {
  const user = c.httpUser ?? f.httpUser;
  if (!user && c.writableDirs.length > 0 && needsHttpUser(c.writableMode)) {
    throw new HostFailure(
      m.host.name,
      'writable',
      `writable_mode ${c.writableMode} needs the web server's user, and none was found running ` +
        '(apache, httpd, nginx, www-data, _www). Set http_user in the config.',
    );
  }
  return user;
}

/** The environment of hooks and command health checks: the config's env, the host's env and vars, DEPLOY_*. */
export function hookEnv(
  config: EnvironmentConfig,
  host: HostConfig,
  name: string,
  previous: string | undefined,
  sha: string,
): Record<string, string> {
  return {
    ...hostEnv(config, host),
    DEPLOY_RELEASE: name,
    DEPLOY_RELEASE_PATH: `${host.deployPath}/releases/${name}`,
    DEPLOY_PATH: host.deployPath,
    DEPLOY_PREVIOUS_RELEASE: previous ?? '',
    DEPLOY_SHA: sha,
    DEPLOY_ENVIRONMENT: config.environment,
  };
}

/**
 * The switch, activate and revert phases for `release` on each host. `revertEnv` is the environment the activate
 * commands get after a switch back (default: `env`).
 */
export function switchPhases(
  c: EnvironmentConfig,
  facts: Map<Member, HostFacts>,
  release: string,
  env: (m: Member) => Record<string, string>,
  revertEnv = env,
): SwitchPhases {
  const vars = { DA_RELEASE: release };
  return {
    switch: (m) => ({ name: 'switch', vars, steps: [symlink(facts.get(m)!.liveTarget)] }),
    activate: (m) => activatePhase(c, vars, env(m), m.host),
    // After switching back, the activate commands run again for the release that is live again.
    revert: (m) => revertPhase(c, vars, revertEnv(m), m.host),
    env,
  };
}

/** The phases of a new release `name` on each host, its files from `source` (see runRelease for their order). */
export function releasePhases(
  ctx: Pick<CommandContext, 'config' | 'run' | 'maintenance'>,
  facts: Map<Member, HostFacts>,
  name: string,
  source: ReleaseSource,
): ReleasePhases {
  const c = ctx.config;
  const maint = deployMaintenance(ctx);
  const vars = { DA_RELEASE: name };
  // A hook runs where its `on` says (every host without it); `once`: on the first of those (config order) only.
  const members = [...facts.keys()];
  const runsOn = new Map(c.deploy.map((h) => [h, hookHosts(h, members, (m) => m.host)]));
  const env = (m: Member) => hookEnv(c, m.host, name, facts.get(m)!.live, source.sha(m));
  // The stage phase: a fresh release directory, filled, its paths checked, then shared links, writable dirs and
  // cleared paths.
  const stageWith = (m: Member, fill: Fill, fresh = true) => {
    const steps: (Step | null)[] = [
      fresh ? release() : null,
      ...fill.steps,
      // Before anything changes outside the new release: no configured path leads out through a symlink.
      contain({
        sharedDirs: c.sharedDirs,
        sharedFiles: c.sharedFiles,
        writableDirs: c.writableMode === 'skip' ? [] : c.writableDirs,
        clearPaths: c.clearPaths,
      }),
      shared({ dirs: c.sharedDirs, files: c.sharedFiles }),
      files({ files: c.files, required: requiredSharedFiles(c) }),
      writable({
        dirs: c.writableDirs,
        mode: c.writableMode,
        useSudo: c.writableUseSudo,
        recursive: c.writableRecursive,
        chmodMode: c.writableChmodMode,
        httpUser: httpUserFor(c, m, facts.get(m)!),
        httpGroup: c.httpGroup,
      }),
      clearPaths({ paths: c.clearPaths, useSudo: c.clearUseSudo }),
    ];
    return {
      // Every stage step changes the host under the lock: each first proves the run still holds it.
      phase: {
        name: 'stage',
        vars: { ...vars, ...fill.vars },
        steps: fenced(steps.filter((s): s is Step => s !== null)),
      },
      payload: fill.payload,
    };
  };
  const removed = (m: Member) => {
    const f = facts.get(m)!;
    return releasesToRemove({
      dirs: [...f.dirs, name],
      history: [...f.history, { event: source.event, release: name }],
      keep: c.keepReleases,
      live: name,
    }).filter((d) => !f.partial.has(d));
  };
  // Maintenance goes on before the hooks and off right after each host's switch and activate, before its health check.
  const inMaint = (m: Member, phaseName: string, steps: Step[]) =>
    maint ? maintenancePhase(phaseName, maintenanceCommands(c, maint, env(m)), steps) : undefined;
  const switching = switchPhases(c, facts, name, env, (m) =>
    hookEnv(c, m.host, facts.get(m)!.live ?? '', undefined, ctx.run.sha),
  );
  return {
    ...switching,
    activate: (m) => withMaintenanceOff(switching.activate(m), inMaint(m, 'maintenance', [maintenanceOff('deploy')])),
    maintenanceOn: (m) => inMaint(m, 'maintenance', [maintenanceOn('deploy')]),
    name,
    stage: (m) => stageWith(m, source.fill(m)),
    restage: (m) => (source.restage ? stageWith(m, source.restage(m), false) : undefined),
    prepareRestage: async (members) => source.prepareRestage?.(members),
    hooks(m) {
      const hooks = c.deploy.filter((h) => runsOn.get(h)!.includes(m));
      // The fence is checked at each hook's start: a hook already running when the lock is removed runs to its end.
      return hooks.length
        ? { name: 'hooks', vars, steps: fenced(hookSteps(hooks, env(m), IN_RELEASE, c.hookTimeoutMs)) }
        : undefined;
    },
    finish(m) {
      const f = facts.get(m)!;
      const entry = {
        event: source.event,
        release: name,
        previous: f.live ?? null,
        ...runRecord(ctx.run),
        sha: source.sha(m),
        started_at: ctx.run.startedAt.toISOString(),
      };
      // The history line and cleanup are fenced; cleanup runs under the lock (a next run's inspect and delta see
      // the releases as they stay), before the commit, which proves the lock under the fence itself.
      const left = maint ? [maintenanceLeft()] : [];
      return { name: 'finish', vars, steps: [logHistory(entry), ...fenced([cleanup(removed(m))]), ...left, unlock()] };
    },
    removed,
    fillKind: (m) => source.fill(m).kind,
  };
}

/** The activate phase followed by maintenance `off` (its variables too), or either alone. */
function withMaintenanceOff(activate: Phase | undefined, off: Phase | undefined): Phase | undefined {
  if (!activate || !off) return activate ?? off;
  return { ...activate, vars: { ...activate.vars, ...off.vars }, steps: [...activate.steps, ...off.steps] };
}

/** The commands run on a host right after its switch, in the live release (none configured: no phase). */
export function activatePhase(
  c: EnvironmentConfig,
  vars: Record<string, string>,
  env: Record<string, string>,
  host: HostConfig,
): Phase | undefined {
  const hooks = activateHooks(c, host);
  return hooks.length
    ? { name: 'activate', vars, steps: fenced(hookSteps(hooks, env, IN_CURRENT, c.hookTimeoutMs)) }
    : undefined;
}

/** The activate hooks that run on `host` (those whose `on` picks it; every one without `on`). */
const activateHooks = (c: EnvironmentConfig, host: HostConfig) =>
  c.activate.filter((h) => !h.on || selectedBy(h.on.items, host));

/**
 * Switches a host back to its previous release and runs the activate commands again, for what is live again. The
 * switch back is not fenced (it undoes this run's own switch, under the fence, only while current still points at
 * this run's release); the activate commands are.
 */
export function revertPhase(
  c: EnvironmentConfig,
  vars: Record<string, string>,
  env: Record<string, string>,
  host: HostConfig,
): Phase {
  return {
    name: 'revert',
    vars,
    steps: [revert(), ...fenced(hookSteps(activateHooks(c, host), env, IN_CURRENT, c.hookTimeoutMs))],
  };
}
