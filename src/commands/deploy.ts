import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { buildArtifact } from '../build/artifact.js';
import type { HostConfig } from '../config/index.js';
import { Fleet, HostFailure, type Member } from '../fleet/fleet.js';
import { checkReleaseName, uniqueReleaseName } from '../releases/name.js';
import { releasesToRemove } from '../releases/retention.js';
import type { Phase } from '../remote/phase.js';
import type { PreludeOptions } from '../remote/prelude.js';
import { cleanup } from '../remote/steps/cleanup.js';
import { clearPaths } from '../remote/steps/clear-paths.js';
import { logHistory } from '../remote/steps/history.js';
import { deployHooks } from '../remote/steps/hooks.js';
import { inspect } from '../remote/steps/inspect.js';
import { lock, LOCK_HELD, unlock } from '../remote/steps/lock.js';
import { prepare } from '../remote/steps/prepare.js';
import { release } from '../remote/steps/release.js';
import { shared } from '../remote/steps/shared.js';
import { symlink } from '../remote/steps/symlink.js';
import { upload } from '../remote/steps/upload.js';
import { needsHttpUser, writable } from '../remote/steps/writable.js';
import type { Step } from '../remote/phase.js';
import { progress } from '../report/progress.js';
import { lockInfoMembers, runJsonMembers } from '../run-info.js';
import { Cancelled, type CommandContext } from './context.js';
import { describeHeldLock, hostFacts, type HostFacts } from './facts.js';

/** Seconds of silence after which a host assumes the runner is gone and undoes the run's work. */
export const IDLE_SECONDS = 120;

export function preludeFor(ctx: CommandContext, host: HostConfig): PreludeOptions {
  return {
    markerToken: randomBytes(6).toString('hex'),
    owner: ctx.run.owner,
    deployPath: host.deployPath,
    idleSeconds: IDLE_SECONDS,
    runJson: runJsonMembers(ctx.run),
  };
}

/**
 * Opens one session per host and runs `work` on the fleet. On any failure or cancellation, every host undoes
 * this run's unfinished work before the error propagates; the post step is told whether that was confirmed.
 */
export async function withFleet<T>(ctx: CommandContext, work: (fleet: Fleet) => Promise<T>): Promise<T> {
  const listener = progress(ctx.log, ctx.report, ctx.config.hosts.length);
  ctx.state?.save('owner', ctx.run.owner);
  ctx.state?.save('remote', 'started');
  const fleet = await Fleet.open(ctx.config.hosts, ctx.access, (h) => preludeFor(ctx, h), listener);
  const onAbort = () => void fleet.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const value = await work(fleet);
    await fleet.close();
    ctx.state?.save('remote', 'done');
    return value;
  } catch (error) {
    const confirmed = await fleet.abort();
    if (confirmed) ctx.state?.save('remote', 'done');
    if (ctx.signal.aborted) throw new Cancelled();
    throw error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** deploy: build on the runner, stage every host, run the deploy hooks, then switch every host together. */
export async function deploy(ctx: CommandContext): Promise<void> {
  const { config, run, report } = ctx;
  report.sha = run.sha;
  report.url = config.url;
  const built = await report.time('build', 'build and pack', () => buildArtifact(config, ctx.source, ctx.log));
  try {
    ctx.signal.throwIfAborted();
    const { artifact } = built;
    await withFleet(ctx, async (fleet) => {
      const facts = await inspectFleet(ctx, fleet);
      const name = chooseName(ctx, facts);
      report.release = name;
      const first = facts.get(fleet.members[0]!)!;
      report.previous = first.live;
      report.releasePath = `${fleet.members[0]!.host.deployPath}/releases/${name}`;
      const httpUsers = resolveHttpUsers(ctx, fleet, facts);

      await fleet.run(
        (m) => stagePhase(ctx, name, artifact.bytes, httpUsers.get(m)),
        () => ({ bytes: artifact.bytes, open: () => createReadStream(artifact.path) }),
      );
      ctx.signal.throwIfAborted();
      if (config.deploy.length > 0) {
        await fleet.run((m) => ({
          name: 'hooks',
          vars: { DA_RELEASE: name },
          steps: deployHooks(config.deploy, hookEnv(ctx, m.host, name, facts.get(m)!.live)),
        }));
        ctx.signal.throwIfAborted();
      }
      await fleet.run((m) => ({
        name: 'switch',
        vars: { DA_RELEASE: name },
        steps: [
          symlink(),
          logHistory({
            event: 'deploy',
            release: name,
            previous: facts.get(m)!.live ?? null,
            ...JSON.parse(`{${runJsonMembers(run)}}`),
            started_at: run.startedAt.toISOString(),
            at: new Date().toISOString(),
          }),
        ],
      }));
      const removed = new Map<Member, string[]>();
      await fleet.run((m) => {
        const f = facts.get(m)!;
        const remove = releasesToRemove({
          dirs: [...f.dirs, name],
          history: [...f.history, { event: 'deploy', release: name }],
          keep: config.keepReleases,
          live: name,
        });
        removed.set(m, remove);
        return { name: 'finish', steps: [unlock(), cleanup(remove)] };
      });
      for (const m of fleet.members) {
        const f = facts.get(m)!;
        const gone = removed.get(m)!;
        report.changes.push(
          `${m.host.name}: current → releases/${name} (was ${f.live ?? (f.liveTarget || 'nothing')})` +
            (gone.length ? `; removed old releases ${gone.join(', ')}` : ''),
        );
      }
    });
  } finally {
    await built.dispose();
  }
}

/** prepare, lock and inspect on every host; a held lock becomes a message that says who holds it. */
export async function inspectFleet(ctx: CommandContext, fleet: Fleet, opts: { detectHttpUser?: boolean } = {}): Promise<Map<Member, HostFacts>> {
  const detect = opts.detectHttpUser ?? (!ctx.config.httpUser && needsHttpUser(ctx.config.writableMode) && ctx.config.writableDirs.length > 0);
  try {
    const results = await fleet.run(() => ({
      name: 'inspect',
      steps: [prepare(), lock(lockInfoMembers(ctx.run)), inspect({ detectHttpUser: detect })],
    }));
    return new Map([...results].map(([m, r]) => [m, hostFacts(r)]));
  } catch (error) {
    if (error instanceof HostFailure && error.rc === LOCK_HELD) {
      throw new HostFailure(error.host, 'lock', describeHeldLock(error.data, ctx.config.environment));
    }
    throw error;
  }
}

function chooseName(ctx: CommandContext, facts: Map<Member, HostFacts>): string {
  const taken = new Set<string>();
  for (const f of facts.values()) {
    f.dirs.forEach((d) => taken.add(d));
    f.history.forEach((h) => taken.add(h.release));
  }
  if (ctx.releaseName) {
    const name = checkReleaseName(ctx.releaseName, 'release-name');
    for (const [m, f] of facts) {
      if (f.dirs.includes(name) || f.history.some((h) => h.release === name)) {
        throw new HostFailure(m.host.name, 'release', `a release named "${name}" already exists there; release names are never reused`);
      }
    }
    return name;
  }
  return uniqueReleaseName(ctx.run.startedAt, taken);
}

function resolveHttpUsers(ctx: CommandContext, fleet: Fleet, facts: Map<Member, HostFacts>): Map<Member, string | undefined> {
  const { config } = ctx;
  const out = new Map<Member, string | undefined>();
  for (const m of fleet.members) {
    const user = config.httpUser ?? facts.get(m)!.httpUser;
    if (!user && config.writableDirs.length > 0 && needsHttpUser(config.writableMode)) {
      throw new HostFailure(
        m.host.name,
        'writable',
        `writable_mode ${config.writableMode} needs the web server's user, and none was found running ` +
          '(apache, httpd, nginx, www-data, _www). Set http_user in the config.',
      );
    }
    out.set(m, user);
  }
  return out;
}

function stagePhase(ctx: CommandContext, name: string, bytes: number, httpUser: string | undefined): Phase {
  const c = ctx.config;
  const steps: (Step | null)[] = [
    release(),
    upload({ bytes, revision: ctx.run.sha }),
    shared({ dirs: c.sharedDirs, files: c.sharedFiles }),
    writable({
      dirs: c.writableDirs,
      mode: c.writableMode,
      useSudo: c.writableUseSudo,
      recursive: c.writableRecursive,
      chmodMode: c.writableChmodMode,
      httpUser,
      httpGroup: c.httpGroup,
    }),
    clearPaths({ paths: c.clearPaths, useSudo: c.clearUseSudo }),
  ];
  return { name: 'stage', vars: { DA_RELEASE: name }, steps: steps.filter((s): s is Step => s !== null) };
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
