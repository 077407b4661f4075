import type { HostConfig } from '../config/index.js';
import { HostFailure, type Fleet, type Member } from '../fleet/fleet.js';
import { checkUrl, urlFor, type HealthResult } from '../fleet/health.js';
import { rollout, type RolloutListener } from '../fleet/rollout.js';
import { checkReleaseName, uniqueReleaseName } from '../releases/name.js';
import { releasesToRemove } from '../releases/retention.js';
import { contain } from '../remote/contain.js';
import { fenced, type Phase, type Step } from '../remote/phase.js';
import type { Payload, PhaseResult } from '../remote/session.js';
import { cleanup } from '../remote/steps/cleanup.js';
import { clearPaths } from '../remote/steps/clear-paths.js';
import { logHistory } from '../remote/steps/history.js';
import { commandHealthcheck } from '../remote/steps/healthcheck.js';
import { hookSteps, IN_CURRENT, IN_RELEASE } from '../remote/steps/hooks.js';
import { revert } from '../remote/steps/revert.js';
import { unlock } from '../remote/steps/lock.js';
import { release } from '../remote/steps/release.js';
import { shared } from '../remote/steps/shared.js';
import { symlink } from '../remote/steps/symlink.js';
import { needsHttpUser, writable } from '../remote/steps/writable.js';
import { runJsonMembers } from '../run-info.js';
import { warn, type CommandContext } from './context.js';
import { healthVerdict, reportInvalid, type HostFacts } from './facts.js';

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

/** The phases that make a new release live on a host, built once so a dry run can show exactly what would run. */
export interface ReleasePhases {
  name: string;
  stage(m: Member): { phase: Phase; payload?: Payload };
  /** Stages again from scratch after the first staging stopped (see ReleaseSource.restage). */
  restage(m: Member): { phase: Phase; payload?: Payload } | undefined;
  prepareRestage(members: Member[]): Promise<void>;
  hooks(m: Member): Phase | undefined;
  switch(m: Member): Phase;
  activate(m: Member): Phase | undefined;
  /** Switches back to the previous release and runs the activate commands again. */
  revert(m: Member): Phase;
  finish(m: Member): Phase;
  /** Releases cleanup will remove on that host. */
  removed(m: Member): string[];
  /** The environment of hooks and command health checks on that host. */
  env(m: Member): Record<string, string>;
  /** How the host's release gets its files (for the summary). */
  fillKind(m: Member): Fill['kind'];
}

export function chooseName(ctx: CommandContext, facts: Map<Member, HostFacts>): string {
  if (ctx.releaseName) {
    const name = checkReleaseName(ctx.releaseName, 'release-name');
    for (const [m, f] of facts) {
      if (f.dirs.includes(name) || f.history.some((h) => h.release === name)) {
        throw new HostFailure(m.host.name, 'release', `a release named "${name}" already exists there; release names are never reused`);
      }
    }
    return name;
  }
  const taken = new Set<string>();
  for (const f of facts.values()) {
    f.dirs.forEach((d) => taken.add(d));
    f.history.forEach((h) => taken.add(h.release));
  }
  return uniqueReleaseName(ctx.run.startedAt, taken);
}

function httpUserFor(ctx: CommandContext, m: Member, f: HostFacts): string | undefined {
  const c = ctx.config;
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

export function hookEnv(
  ctx: CommandContext,
  host: HostConfig,
  name: string,
  previous: string | undefined,
  sha = ctx.run.sha,
): Record<string, string> {
  return {
    ...ctx.config.env,
    DEPLOY_RELEASE: name,
    DEPLOY_RELEASE_PATH: `${host.deployPath}/releases/${name}`,
    DEPLOY_PATH: host.deployPath,
    DEPLOY_PREVIOUS_RELEASE: previous ?? '',
    DEPLOY_SHA: sha,
    DEPLOY_ENVIRONMENT: ctx.config.environment,
  };
}

export function releasePhases(ctx: CommandContext, facts: Map<Member, HostFacts>, name: string, source: ReleaseSource): ReleasePhases {
  const c = ctx.config;
  const vars = { DA_RELEASE: name };
  // `once: true` hooks run on the first host only (config order), before any host switches.
  const first = [...facts.keys()][0];
  const env = (m: Member) => hookEnv(ctx, m.host, name, facts.get(m)!.live, source.sha(m));
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
      writable({
        dirs: c.writableDirs,
        mode: c.writableMode,
        useSudo: c.writableUseSudo,
        recursive: c.writableRecursive,
        chmodMode: c.writableChmodMode,
        httpUser: httpUserFor(ctx, m, facts.get(m)!),
        httpGroup: c.httpGroup,
      }),
      clearPaths({ paths: c.clearPaths, useSudo: c.clearUseSudo }),
    ];
    return {
      // Every stage step changes the host under the lock: each first proves the run still holds it.
      phase: { name: 'stage', vars: { ...vars, ...fill.vars }, steps: fenced(steps.filter((s): s is Step => s !== null)) },
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
  return {
    name,
    stage: (m) => stageWith(m, source.fill(m)),
    restage: (m) => (source.restage ? stageWith(m, source.restage(m), false) : undefined),
    prepareRestage: async (members) => source.prepareRestage?.(members),
    hooks(m) {
      const hooks = c.deploy.filter((h) => !h.once || m === first);
      // The fence is checked at each hook's start: a hook already running when the lock is removed runs to its end.
      return hooks.length ? { name: 'hooks', vars, steps: fenced(hookSteps(hooks, env(m), IN_RELEASE, c.hookTimeoutMs)) } : undefined;
    },
    switch: (m) => ({ name: 'switch', vars, steps: [symlink(facts.get(m)!.liveTarget)] }),
    activate: (m) => activatePhase(ctx, vars, env(m)),
    // After switching back, the activate commands run again for the release that is live again.
    revert: (m) => revertPhase(ctx, vars, hookEnv(ctx, m.host, facts.get(m)!.live ?? '', undefined)),
    finish(m) {
      const f = facts.get(m)!;
      const entry = {
        event: source.event,
        release: name,
        previous: f.live ?? null,
        ...(JSON.parse(`{${runJsonMembers(ctx.run)}}`) as object),
        sha: source.sha(m),
        started_at: ctx.run.startedAt.toISOString(),
      };
      // The history line and cleanup are fenced; cleanup runs under the lock (a next run's inspect and delta see
      // the releases as they stay), before the commit, which proves the lock under the fence itself.
      return { name: 'finish', vars, steps: [logHistory(entry), ...fenced([cleanup(removed(m))]), unlock()] };
    },
    removed,
    env,
    fillKind: (m) => source.fill(m).kind,
  };
}

/** The commands run on a host right after its switch, in the live release (none configured: no phase). */
export function activatePhase(ctx: CommandContext, vars: Record<string, string>, env: Record<string, string>): Phase | undefined {
  const activate = ctx.config.activate;
  return activate.length ? { name: 'activate', vars, steps: fenced(hookSteps(activate, env, IN_CURRENT, ctx.config.hookTimeoutMs)) } : undefined;
}

/**
 * Switches a host back to its previous release and runs the activate commands again, for what is live again. The
 * switch back is not fenced (it undoes this run's own switch, under the fence, only while current still points at
 * this run's release); the activate commands are.
 */
export function revertPhase(ctx: CommandContext, vars: Record<string, string>, env: Record<string, string>): Phase {
  return { name: 'revert', vars, steps: [revert(), ...fenced(hookSteps(ctx.config.activate, env, IN_CURRENT, ctx.config.hookTimeoutMs))] };
}

/** Records switches, health results and switch-backs in the report. */
export function rolloutListener(ctx: CommandContext): RolloutListener {
  const report = ctx.report;
  return {
    switched: (m, at) => report.switchedAt.set(m.host.name, at),
    health: (m, r) => (report.row(m.host.name).health = `${r.ok ? '✅' : '❌'} ${r.detail}`),
    reverted: (m) => (report.row(m.host.name).reverted = true),
  };
}

/** A host's health after its switch, by URL from the runner or by command on the host. */
export async function healthOf(ctx: CommandContext, fleet: Fleet, m: Member, env: Record<string, string>): Promise<HealthResult> {
  const hc = ctx.config.healthcheck!;
  if (hc.url) return checkUrl({ ...hc, url: urlFor(hc.url, m.host.host) }, ctx.signal);
  const t0 = Date.now();
  const results = await fleet.run(() => ({ name: 'health', steps: [commandHealthcheck({ ...hc, command: hc.command!, env })] }), undefined, { members: [m] });
  const { verdict, invalid } = healthVerdict(results.get(m));
  reportInvalid(ctx, m.host.name, invalid);
  return { ok: verdict.startsWith('ok'), attempts: Number(/attempt (\d+)/.exec(verdict)?.[1] ?? hc.retries + 1), detail: verdict, ms: Date.now() - t0 };
}

/** Why a host's staging stopped and everything was shipped instead, as its delta step reported it. */
function whyRestaged(r: PhaseResult | undefined): string {
  return r?.data.get('base')?.[0] === 'foreign'
    ? 'the release the delta was to reuse holds entries of another user (later deploys check before they reuse one)'
    : 'the delta did not verify against the build';
}

/** Several phases sent as one: their steps run in order on the host, and the first failure ends it, as before. */
export function chain(name: string, ...phases: (Phase | undefined)[]): Phase {
  const present = phases.filter((p): p is Phase => p !== undefined);
  return { name, vars: Object.assign({}, ...present.map((p) => p.vars)), steps: present.flatMap((p) => p.steps) };
}

/**
 * Stages the release on every host (at most max_parallel at once), each host running its deploy hooks right after
 * its staging, then switches the hosts (all at once, or in rolling batches, each activated and health-checked),
 * then commits everything (history, cleanup, unlock). Nothing switches until every host has staged and passed
 * its hooks; a failed activation or health check switches every switched host back. A single host with nothing
 * to check after its switch has no barrier to wait for: staging, hooks, switch and commit go as one phase.
 */
export async function shipRelease(ctx: CommandContext, fleet: Fleet, facts: Map<Member, HostFacts>, phases: ReleasePhases): Promise<void> {
  const c = ctx.config;
  const report = ctx.report;
  const solo = fleet.members.length === 1 && !c.healthcheck && c.activate.length === 0;
  const removed = new Map(fleet.members.map((m) => [m, phases.removed(m)]));
  const staged = new Map(fleet.members.map((m) => [m, phases.stage(m)]));
  const results = await fleet.run(
    (m) => {
      const stage = staged.get(m)!.phase;
      return solo ? chain('ship', stage, phases.hooks(m), phases.switch(m), phases.finish(m)) : chain(stage.name, stage, phases.hooks(m));
    },
    (m) => staged.get(m)!.payload,
    { parallel: c.maxParallel },
  );
  // A delta that did not verify stopped its phase: those hosts get everything, in the same session.
  const again = fleet.members.filter((m) => results.get(m)?.stopped);
  if (solo && again.length === 0) {
    rolloutListener(ctx).switched?.(fleet.members[0]!, Date.now());
  } else {
    if (again.length) {
      await phases.prepareRestage(again);
      const restaged = new Map(again.map((m) => [m, phases.restage(m)!]));
      for (const m of again) warn(ctx, `${m.host.name}: ${whyRestaged(results.get(m))}; shipped everything instead`);
      await fleet.run(
        (m) => chain(restaged.get(m)!.phase.name, restaged.get(m)!.phase, phases.hooks(m)),
        (m) => restaged.get(m)!.payload,
        { members: again, parallel: c.maxParallel },
      );
    }
    ctx.signal.throwIfAborted();
    await rollout(
      fleet,
      {
        strategy: c.strategy,
        batchSize: c.batchSize,
        switchPhase: (m) => phases.switch(m),
        activatePhase: (m) => phases.activate(m),
        health: c.healthcheck ? (m) => healthOf(ctx, fleet, m, phases.env(m)) : undefined,
        revertPhase: (m) => phases.revert(m),
      },
      rolloutListener(ctx),
    );
    await fleet.run((m) => phases.finish(m));
  }
  report.release = phases.name;
  const how = { full: 'full upload', delta: 'delta upload', copy: 'copied on the host' } as const;
  for (const m of fleet.members) {
    const f = facts.get(m)!;
    const gone = removed.get(m)!;
    const shipped = again.includes(m) ? `full upload (${whyRestaged(results.get(m))})` : how[phases.fillKind(m)];
    report.changes.push(
      `${m.host.name}: current → releases/${phases.name} (was ${f.live ?? (f.liveTarget || 'nothing')}; ${shipped})` +
        (gone.length ? `; removed old releases ${gone.join(', ')}` : ''),
    );
  }
}
