import type { HostConfig } from '../config/index.js';
import { HostFailure, type Fleet, type Member } from '../fleet/fleet.js';
import { checkReleaseName, uniqueReleaseName } from '../releases/name.js';
import { releasesToRemove } from '../releases/retention.js';
import type { Phase, Step } from '../remote/phase.js';
import type { Payload } from '../remote/session.js';
import { cleanup } from '../remote/steps/cleanup.js';
import { clearPaths } from '../remote/steps/clear-paths.js';
import { logHistory } from '../remote/steps/history.js';
import { deployHooks } from '../remote/steps/hooks.js';
import { unlock } from '../remote/steps/lock.js';
import { release } from '../remote/steps/release.js';
import { shared } from '../remote/steps/shared.js';
import { symlink } from '../remote/steps/symlink.js';
import { needsHttpUser, writable } from '../remote/steps/writable.js';
import { runJsonMembers } from '../run-info.js';
import type { CommandContext } from './context.js';
import type { HostFacts } from './facts.js';

/** Where a new release's files come from: the runner's build (deploy) or the live release (redeploy). */
export interface ReleaseSource {
  event: 'deploy' | 'redeploy';
  fill(m: Member): { step: Step; payload?: Payload; vars?: Record<string, string> };
  /** The commit the release is built from, per host. */
  sha(m: Member): string;
}

/** The phases that make a new release live on a host, built once so a dry run can show exactly what would run. */
export interface ReleasePhases {
  name: string;
  stage(m: Member): { phase: Phase; payload?: Payload };
  hooks(m: Member): Phase | undefined;
  switch(m: Member): Phase;
  finish(m: Member): Phase;
  /** Releases cleanup will remove on that host. */
  removed(m: Member): string[];
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

export function hookEnv(ctx: CommandContext, host: HostConfig, name: string, previous: string | undefined): Record<string, string> {
  return {
    ...ctx.config.env,
    DEPLOY_RELEASE: name,
    DEPLOY_RELEASE_PATH: `${host.deployPath}/releases/${name}`,
    DEPLOY_PATH: host.deployPath,
    DEPLOY_PREVIOUS_RELEASE: previous ?? '',
    DEPLOY_SHA: ctx.run.sha,
    DEPLOY_ENVIRONMENT: ctx.config.environment,
  };
}

export function releasePhases(ctx: CommandContext, facts: Map<Member, HostFacts>, name: string, source: ReleaseSource): ReleasePhases {
  const c = ctx.config;
  const vars = { DA_RELEASE: name };
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
    stage(m) {
      const fill = source.fill(m);
      const steps: (Step | null)[] = [
        release(),
        fill.step,
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
        phase: { name: 'stage', vars: { ...vars, ...fill.vars }, steps: steps.filter((s): s is Step => s !== null) },
        payload: fill.payload,
      };
    },
    hooks(m) {
      if (c.deploy.length === 0) return undefined;
      return { name: 'hooks', vars, steps: deployHooks(c.deploy, hookEnv(ctx, m.host, name, facts.get(m)!.live)) };
    },
    switch: () => ({ name: 'switch', vars, steps: [symlink()] }),
    finish(m) {
      const f = facts.get(m)!;
      const entry = {
        event: source.event,
        release: name,
        previous: f.live ?? null,
        ...(JSON.parse(`{${runJsonMembers(ctx.run)}}`) as object),
        sha: source.sha(m),
        started_at: ctx.run.startedAt.toISOString(),
        at: new Date().toISOString(),
      };
      return { name: 'finish', vars, steps: [logHistory(entry), unlock(), cleanup(removed(m))] };
    },
    removed,
  };
}

/**
 * Stages the release on every host, runs the deploy hooks, then switches every host, then commits (history,
 * unlock, cleanup). Each of those is one phase on all hosts at once: nothing switches until every host has
 * staged and passed its hooks.
 */
export async function shipRelease(ctx: CommandContext, fleet: Fleet, facts: Map<Member, HostFacts>, phases: ReleasePhases): Promise<void> {
  const staged = new Map(fleet.members.map((m) => [m, phases.stage(m)]));
  await fleet.run(
    (m) => staged.get(m)!.phase,
    (m) => staged.get(m)!.payload,
  );
  ctx.signal.throwIfAborted();
  if (ctx.config.deploy.length > 0) {
    await fleet.run((m) => phases.hooks(m));
    ctx.signal.throwIfAborted();
  }
  await fleet.run((m) => phases.switch(m));
  const removed = new Map(fleet.members.map((m) => [m, phases.removed(m)]));
  await fleet.run((m) => phases.finish(m));
  const report = ctx.report;
  report.release = phases.name;
  for (const m of fleet.members) {
    const f = facts.get(m)!;
    const gone = removed.get(m)!;
    report.changes.push(
      `${m.host.name}: current → releases/${phases.name} (was ${f.live ?? (f.liveTarget || 'nothing')})` +
        (gone.length ? `; removed old releases ${gone.join(', ')}` : ''),
    );
  }
}
