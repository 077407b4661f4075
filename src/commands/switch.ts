import type { Fleet, Member } from '../fleet/fleet.js';
import { FleetFailure } from '../fleet/failures.js';
import { checkReleaseName } from '../releases/name.js';
import { releasesToRemove } from '../releases/retention.js';
import { fenced } from '../remote/phase.js';
import { cleanup } from '../remote/steps/cleanup.js';
import { logHistory } from '../remote/steps/history.js';
import { inspect as inspectStep, readInspect, type HostFacts } from '../remote/steps/inspect.js';
import { unlock } from '../remote/steps/lock.js';
import { stageCheck, stageState, takeStage, type StageState } from '../remote/steps/stage.js';
import { lockInfoMembers, runRecord } from '../run-info.js';
import type { CommandContext } from './context.js';
import { withFleet } from './fleet-run.js';
import { reportInvalid } from './host-messages.js';
import { rolloutRelease } from './release-flow.js';
import { afterFailedSwitch } from './switch-failure.js';
import { hookEnv, switchPhases } from './release-phases.js';

const WHY: Record<Exclude<StageState, 'ok'>, string> = {
  none: 'nothing is staged there',
  other: 'another release is staged there',
  unheld: 'its stage record is there, but the deploy lock is not held by that stage',
  expired: 'its stage expired',
  far: "its hold's expiry is further ahead than any stage_ttl allows (30 days): treated as expired",
  notdir: 'its release directory is a symlink or not a directory (never followed)',
  unknown: 'the host did not say whether it is staged',
};

/** The release named by the `release` input (CLI --release) that switch and discard act on. */
export function stagedName(ctx: CommandContext, command: string): string {
  if (!ctx.releaseName)
    throw new Error(
      `${command} needs the staged release's name: ${ctx.surface === 'cli' ? '--release NAME' : "the `release` input (the stage job's `release` output)"}`,
    );
  return checkReleaseName(ctx.releaseName, ctx.surface === 'cli' ? '--release' : 'input release');
}

/**
 * switch: on every host, checks that the release is staged, held by its stage, unexpired and there; then (only when
 * every host says so) takes each host's lock over from the stage, rolls out as a deploy does (strategy, batches,
 * activate, health checks, switch back on failure), writes history, cleans up and unlocks. A failure after the
 * take-over undoes the release as a failed deploy would (see switch-failure.ts), and its error says so.
 */
export async function switchRelease(ctx: CommandContext): Promise<void> {
  const name = stagedName(ctx, 'switch');
  ctx.report.release = name;
  ctx.report.url = ctx.config.url;
  await withFleet(ctx, (fleet) => switchFleet(ctx, fleet, name)).catch((error: unknown) => {
    throw afterFailedSwitch(ctx, name, error);
  });
}

async function switchFleet(ctx: CommandContext, fleet: Fleet, name: string): Promise<void> {
  const c = ctx.config;
  const facts = await checkStaged(ctx, fleet, name);
  const first = fleet.members[0]!;
  ctx.report.previous = facts.get(first)!.live;
  ctx.report.releasePath = `${first.host.deployPath}/releases/${name}`;
  const vars = { DA_RELEASE: name };
  await fleet.run(() => ({ name: 'take over', vars, steps: [takeStage(lockInfoMembers(ctx.run))] }));
  const revision = (m: Member) => facts.get(m)!.releases.find((r) => r.name === name)?.revision ?? '';
  ctx.report.sha = revision(first) || undefined;
  await ctx.observer?.started({ release: name, previous: ctx.report.previous, sha: ctx.report.sha ?? '' });
  const env = (m: Member) => hookEnv(c, m.host, name, facts.get(m)!.live, revision(m));
  const back = (m: Member) => hookEnv(c, m.host, facts.get(m)!.live ?? '', undefined, revision(m));
  await rolloutRelease(ctx, fleet, switchPhases(c, facts, name, env, back));
  const removed = (m: Member) => {
    const f = facts.get(m)!;
    return releasesToRemove({
      dirs: f.dirs,
      history: [...f.history, { event: 'deploy', release: name }],
      keep: c.keepReleases,
      live: name,
    }).filter((d) => !f.partial.has(d));
  };
  await fleet.run((m) => ({
    name: 'finish',
    vars,
    steps: [
      logHistory({
        event: 'deploy',
        release: name,
        previous: facts.get(m)!.live ?? null,
        ...runRecord(ctx.run),
        sha: revision(m),
        staged: true,
      }),
      ...fenced([cleanup(removed(m))]),
      unlock(),
    ],
  }));
  for (const m of fleet.members)
    ctx.report.changes.push(
      `${m.host.name}: current → releases/${name} (was ${facts.get(m)!.live ?? 'nothing'}; staged)` +
        (removed(m).length ? `; removed old releases ${removed(m).join(', ')}` : ''),
    );
}

/** Reads every host and whether `name` is staged there; refuses (nothing changed) unless it is on every host. */
async function checkStaged(ctx: CommandContext, fleet: Fleet, name: string): Promise<Map<Member, HostFacts>> {
  const results = await fleet.run(() => ({
    name: 'inspect',
    vars: { DA_RELEASE: name },
    steps: [inspectStep({ detectHttpUser: false }), stageCheck()],
  }));
  const facts = new Map<Member, HostFacts>();
  const refused: string[] = [];
  for (const [m, r] of results) {
    const f = readInspect(r);
    reportInvalid(ctx, m.host.name, f.invalid);
    facts.set(m, f);
    const s = stageState(r);
    if (s.state !== 'ok')
      refused.push(
        `${m.host.name}: ${s.state === 'far' && s.expiresAt ? WHY.far.replace('expiry', `expiry ${s.expiresAt}`) : WHY[s.state]}${s.state === 'expired' && s.expiresAt ? ` at ${s.expiresAt}` : ''}`,
      );
    else if (!f.dirs.includes(name)) refused.push(`${m.host.name}: releases/${name} is missing`);
  }
  if (refused.length)
    throw new FleetFailure(
      'switch',
      `${name} is not staged on every host, so nothing was switched anywhere: ${refused.join('; ')}. Stage it there (or discard it and stage again)`,
    );
  return facts;
}
