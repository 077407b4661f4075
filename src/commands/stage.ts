import { runBuild, describeBuild } from '../artifact/artifact.js';
import { Fleet, type Member } from '../fleet/fleet.js';
import { HostFailure } from '../fleet/failures.js';
import { endedFailed } from '../releases/history.js';
import { checkReleaseName } from '../releases/name.js';
import type { HostFacts } from '../remote/steps/inspect.js';
import { holdStage } from '../remote/steps/stage.js';
import { lockInfoMembers } from '../run-info.js';
import { warn, type CommandContext } from './context.js';
import { buildSource } from './delta-choice.js';
import { withFleet } from './fleet-run.js';
import { recordHookOutputs } from './hook-outputs.js';
import { restage, stageAndHooks } from './release-flow.js';
import { chooseName, releasePhases } from './release-phases.js';
import { lockOrKeep, onlyMembers, rerunName } from './stage-rerun.js';

/**
 * The name every job of one run stages: `release-name` when given, else `run-<GITHUB_RUN_ID>` (the run, not the
 * attempt: a re-run of one failed shard stages the same name), else (a CLI run) a fresh timestamp name. A run-derived
 * name that exists as a directory on a host is refused; one the history names only as failed is free again.
 */
export function stageName(ctx: CommandContext, facts: Map<Member, HostFacts>): string {
  if (ctx.releaseName || !ctx.run.runId) return chooseName(ctx, facts);
  const name = checkReleaseName(`run-${ctx.run.runId}`, 'GITHUB_RUN_ID');
  for (const [m, f] of facts) {
    if (f.dirs.includes(name) || (f.history.some((h) => h.release === name) && !endedFailed(f.history, name)))
      throw new HostFailure(
        m.host.name,
        'release',
        `a release named "${name}" (this run's) already exists there: it was staged or deployed by an earlier attempt. Switch it, or discard it first`,
      );
  }
  return name;
}

/**
 * stage: everything a deploy does up to and including the deploy hooks, on the selected hosts; then each host's
 * lock passes to the staged release itself (see steps/stage.ts), which holds it until `switch`, `discard`, or its
 * expiry (`stage_ttl`). Nothing is switched. Maintenance is never wrapped around a stage.
 */
export async function stage(ctx: CommandContext): Promise<void> {
  const { config, run, report } = ctx;
  const sctx: CommandContext = { ...ctx, maintenance: false };
  report.sha = run.sha;
  if (config.hosts.length === 0) {
    // A shard of a fleet smaller than the shard count holds no host: nothing to build or stage, but the job still
    // names the run's release, as every other shard does, for the switch.
    report.release = stageName(ctx, new Map());
    ctx.log.info(`this shard holds no host of ${config.environment}: nothing to stage`);
    return;
  }
  const tree = await report.time('build', 'build', () => runBuild(config, ctx.source, ctx.log));
  await Fleet.warm(config.hosts, config.maxParallel);
  const describing = report.time('describe', 'manifest', () => describeBuild(tree, ctx.log));
  describing.catch(() => undefined);
  try {
    ctx.signal.throwIfAborted();
    await withFleet(ctx, async (whole) => {
      const offer = config.fullUpload ? undefined : config.keepReleases;
      const asked = rerunName(ctx);
      const [read, built] = await Promise.all([lockOrKeep(ctx, whole, asked, offer), describing]);
      const { kept } = read;
      for (const [m, until] of kept)
        report.changes.push(`${m.host.name}: already staged releases/${asked} by this run: kept, held until ${until}`);
      const fleet = onlyMembers(
        whole,
        whole.members.filter((m) => !kept.has(m)),
      );
      const facts = new Map([...read.facts].filter(([m]) => !kept.has(m)));
      if (fleet.members.length === 0) {
        report.release = asked;
        report.previous = read.facts.get(whole.members[0]!)!.live;
        return;
      }
      const name = stageName(ctx, facts);
      if (kept.size && name !== asked)
        throw new HostFailure(
          fleet.members[0]!.host.name,
          'release',
          `this run's release is ${asked} (kept where already staged), but ${name} would be staged here`,
        );
      const first = fleet.members[0]!;
      report.release = name;
      report.previous = facts.get(first)!.live;
      report.releasePath = `${first.host.deployPath}/releases/${name}`;
      const source = await buildSource(config, run.sha, fleet, facts, name, built, (text) => warn(ctx, text));
      const phases = releasePhases(sctx, facts, name, source);
      const staging = await stageAndHooks(sctx, fleet, phases, false);
      recordHookOutputs(ctx, staging);
      const again = fleet.members.filter((m) => staging.get(m)?.stopped);
      await restage(sctx, fleet, phases, again, staging);
      ctx.signal.throwIfAborted();
      await holdAll(ctx, fleet, name);
      for (const m of fleet.members)
        report.changes.push(`${m.host.name}: staged releases/${name} (held for the switch; current unchanged)`);
    });
  } finally {
    await tree.scratch.dispose();
  }
}

/**
 * The hold on every host. A cancel that comes while it runs does not cut it on a host (see sh/stage-hold.sh): those
 * hosts keep the staged release, held, until `discard` or its expiry; the log says so.
 */
async function holdAll(ctx: CommandContext, fleet: Fleet, name: string): Promise<void> {
  const { config, run } = ctx;
  const hold = holdStage({
    ttlSeconds: config.stageTtlMs / 1000,
    info: lockInfoMembers(run),
    preview: config.previewLink ?? '',
  });
  try {
    await fleet.run(() => ({ name: 'hold', vars: { DA_RELEASE: name }, steps: [hold] }));
  } catch (error) {
    if (ctx.signal.aborted)
      warn(
        ctx,
        `the run was cancelled while the hosts took the hold of ${name}: a host that had begun it keeps ${name} staged and held until discard (\`command: discard\`, \`release: ${name}\`) or its expiry`,
      );
    throw error;
  }
}
