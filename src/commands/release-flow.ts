import type { Fleet, Member } from '../fleet/fleet.js';
import { checkUrl, urlFor, type HealthResult } from '../fleet/health.js';
import { rollout, type RolloutListener } from '../fleet/rollout.js';
import type { Phase } from '../remote/phase.js';
import type { PhaseResult } from '../remote/session.js';
import { commandHealthcheck, healthVerdict } from '../remote/steps/healthcheck.js';
import type { HostFacts } from '../remote/steps/inspect.js';
import { foreignBase } from '../remote/steps/delta.js';
import { filesLine, filesOutcome } from '../remote/steps/files.js';
import { watched } from '../report/heartbeat.js';
import { warn, type CommandContext } from './context.js';
import { reportInvalid } from './host-messages.js';
import { recordHookOutputs } from './hook-outputs.js';
import { reportDeployMaintenance } from './maintenance.js';
import type { ReleasePhases, SwitchPhases } from './release-phases.js';

/**
 * The release flow of deploy and redeploy: stage the release on every host (at most max_parallel at once), each
 * host running its deploy hooks right after its staging; roll out (switch the hosts all at once or in rolling
 * batches, each activated and health-checked); then finish (history, cleanup, unlock). Nothing switches until every
 * host has staged and passed its hooks; a failed activation or health check switches every switched host back.
 * A single host with nothing to check after its switch has no barrier to wait for: the whole flow goes as one phase.
 */
export async function runRelease(
  ctx: CommandContext,
  fleet: Fleet,
  facts: Map<Member, HostFacts>,
  phases: ReleasePhases,
): Promise<void> {
  const removed = new Map(fleet.members.map((m) => [m, phases.removed(m)]));
  const solo = fleet.members.length === 1 && !ctx.config.healthcheck && ctx.config.activate.length === 0;
  // The post step turns maintenance off where main could not confirm it did.
  if (fleet.members.some((m) => phases.maintenanceOn(m)))
    ctx.state?.maintenance?.(fleet.members.map((m) => m.host.name));
  const staging = await stageAndHooks(ctx, fleet, phases, solo);
  recordHookOutputs(ctx, staging);
  // A delta that did not verify stopped its phase: those hosts get everything, in the same session.
  const restaged = fleet.members.filter((m) => staging.get(m)?.stopped);
  const staged = new Map(staging);
  let finished = staging;
  if (solo && restaged.length === 0) {
    rolloutListener(ctx).switched?.(fleet.members[0]!, Date.now());
  } else {
    for (const [m, r] of await restage(ctx, fleet, phases, restaged, staging)) staged.set(m, r);
    ctx.signal.throwIfAborted();
    await rolloutRelease(ctx, fleet, phases);
    finished = await fleet.run((m) => phases.finish(m));
  }
  reportDeployMaintenance(ctx, fleet.members, staged, finished);
  reportRelease(ctx, fleet, facts, phases, removed, (m) =>
    restaged.includes(m) ? whyRestaged(staging.get(m)) : undefined,
  );
  reportFiles(ctx, fleet, staged);
}

/** Stage and hooks on every host; a solo host runs its whole flow (switch and finish too) in that one phase. */
export async function stageAndHooks(
  ctx: CommandContext,
  fleet: Fleet,
  phases: ReleasePhases,
  solo: boolean,
): Promise<Map<Member, PhaseResult>> {
  const staged = new Map(fleet.members.map((m) => [m, phases.stage(m)]));
  return fleet.run(
    (m) => {
      const stage = staged.get(m)!.phase;
      const on = phases.maintenanceOn(m);
      return solo
        ? chain('ship', stage, on, phases.hooks(m), phases.switch(m), phases.activate(m), phases.finish(m))
        : chain(stage.name, stage, on, phases.hooks(m));
    },
    (m) => staged.get(m)!.payload,
    { parallel: ctx.config.maxParallel },
  );
}

/** Stages the hosts whose staging stopped again, from scratch with everything, then runs their hooks. */
export async function restage(
  ctx: CommandContext,
  fleet: Fleet,
  phases: ReleasePhases,
  again: Member[],
  results: Map<Member, PhaseResult>,
): Promise<Map<Member, PhaseResult>> {
  if (!again.length) return new Map();
  await phases.prepareRestage(again);
  const restaged = new Map(again.map((m) => [m, phases.restage(m)!]));
  for (const m of again) warn(ctx, `${m.host.name}: ${whyRestaged(results.get(m))}; shipped everything instead`);
  const hooked = await fleet.run(
    (m) => chain(restaged.get(m)!.phase.name, restaged.get(m)!.phase, phases.maintenanceOn(m), phases.hooks(m)),
    (m) => restaged.get(m)!.payload,
    { members: again, parallel: ctx.config.maxParallel },
  );
  recordHookOutputs(ctx, hooked);
  return hooked;
}

/**
 * Switches the hosts (all of them, or `members`) as the config's strategy says, each activated and health-checked,
 * switching every switched host back when one fails. Deploy, redeploy and rollback alike.
 */
export async function rolloutRelease(
  ctx: CommandContext,
  fleet: Fleet,
  phases: SwitchPhases,
  members?: readonly Member[],
): Promise<void> {
  const c = ctx.config;
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
    members,
  );
}

/** Records switches, health results and switch-backs in the report. */
function rolloutListener(ctx: CommandContext): RolloutListener {
  const report = ctx.report;
  return {
    switched: (m, at) => report.switchedAt.set(m.host.name, at),
    health: (m, r) => (report.row(m.host.name).health = { ok: r.ok, attempts: r.attempts, detail: r.detail }),
    reverted: (m) => (report.row(m.host.name).reverted = true),
    activated: (m, result) => recordHookOutputs(ctx, new Map([[m, result]])),
  };
}

/** A host's health after its switch, by URL from the runner or by command on the host. */
async function healthOf(
  ctx: CommandContext,
  fleet: Fleet,
  m: Member,
  env: Record<string, string>,
): Promise<HealthResult> {
  const hc = ctx.config.healthcheck!;
  if (hc.url) {
    const url = urlFor(hc.url, m.host.host);
    return watched(ctx.log.info.bind(ctx.log), m.host.name, `health check ${url}`, () =>
      checkUrl({ ...hc, url }, ctx.signal),
    );
  }
  const t0 = Date.now();
  const results = await fleet.run(
    () => ({ name: 'health', steps: [commandHealthcheck({ ...hc, command: hc.command!, env })] }),
    undefined,
    { members: [m] },
  );
  const v = healthVerdict(results.get(m));
  reportInvalid(ctx, m.host.name, v.invalid);
  // A failed check is described by what the command printed last (`HTTP 502 Bad Gateway`), not by its verdict.
  const lines = ctx.report.outputs.get(m.host.name)?.get('healthcheck')?.lines ?? [];
  const said = lines
    .filter((l) => l.trim() && !/^attempt \d+ of \d+ failed$/.test(l))
    .at(-1)
    ?.trim();
  const detail = v.ok ? v.verdict : said || 'the command failed without output';
  return { ok: v.ok, attempts: v.attempts ?? hc.retries + 1, detail, ms: Date.now() - t0 };
}

/** Why a host's staging stopped and everything was shipped instead, as its delta step reported it. */
function whyRestaged(r: PhaseResult | undefined): string {
  return r && foreignBase(r)
    ? 'the release the delta was to reuse holds entries of another user (later deploys check before they reuse one)'
    : 'the delta did not verify against the build';
}

/**
 * Several phases sent as one: their steps run in order on the host, and the first failure ends it, as before. The
 * parts keep their names for the log.
 */
function chain(name: string, ...phases: (Phase | undefined)[]): Phase {
  const present = phases.filter((p): p is Phase => p !== undefined && p.steps.length > 0);
  return {
    name,
    vars: Object.assign({}, ...present.map((p) => p.vars)),
    steps: present.flatMap((p) => p.steps),
    parts: present.map((p) => ({ name: p.name, from: p.steps[0]!.id })),
  };
}

/** One line per host in the summary: the switch, how the release got its files, what cleanup removed. */
function reportRelease(
  ctx: CommandContext,
  fleet: Fleet,
  facts: Map<Member, HostFacts>,
  phases: ReleasePhases,
  removed: Map<Member, string[]>,
  restagedBecause: (m: Member) => string | undefined,
): void {
  ctx.report.release = phases.name;
  const how = { full: 'full upload', delta: 'delta upload', copy: 'copied on the host' } as const;
  for (const m of fleet.members) {
    const f = facts.get(m)!;
    const gone = removed.get(m)!;
    const why = restagedBecause(m);
    const shipped = why ? `full upload (${why})` : how[phases.fillKind(m)];
    ctx.report.changes.push(
      `${m.host.name}: current → releases/${phases.name} (was ${f.live ?? (f.liveTarget || 'nothing')}; ${shipped})` +
        (gone.length ? `; removed old releases ${gone.join(', ')}` : ''),
    );
  }
}

/** One line per host in the summary for `files:`: which changed, which did not (never their content). */
function reportFiles(ctx: CommandContext, fleet: Fleet, staging: Map<Member, PhaseResult>): void {
  for (const m of fleet.members) {
    const line = filesLine(filesOutcome(staging.get(m), ctx.config.files));
    if (line) ctx.report.changes.push(`${m.host.name}: ${line}`);
  }
}
