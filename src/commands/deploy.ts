import { describeBuild, runBuild } from '../artifact/artifact.js';
import { Fleet } from '../fleet/fleet.js';
import { warn, type CommandContext } from './context.js';
import { buildSource, planSource } from './delta-choice.js';
import { inspect, lockAndInspect, withFleet } from './fleet-run.js';
import { planReport, shippedSummary } from './plan.js';
import { runRelease } from './release-flow.js';
import { chooseName, releasePhases } from './release-phases.js';

/** deploy: build on the runner, stage every host, run the deploy hooks, then switch every host together. */
export async function deploy(ctx: CommandContext): Promise<void> {
  const { config, run, report } = ctx;
  report.sha = run.sha;
  report.url = config.url;
  if (ctx.dryRun) return plan(ctx);
  const tree = await report.time('build', 'build', () => runBuild(config, ctx.source, ctx.log));
  // Once the build hooks have passed, describing the build (walking, hashing) overlaps with reaching the hosts. It
  // starts once SSH is loaded: its walk would otherwise hold back the first connection. The TCP connections open
  // meanwhile.
  await Fleet.warm(config.hosts, config.maxParallel);
  const describing = report.time('describe', 'manifest', () => describeBuild(tree, ctx.log));
  describing.catch(() => undefined);
  // With full_upload every host gets everything: packing starts before the hosts are even reached.
  if (config.fullUpload)
    void describing.then(
      (built) => built.full(),
      () => undefined,
    );
  try {
    ctx.signal.throwIfAborted();
    await withFleet(ctx, async (fleet) => {
      const offer = config.fullUpload ? {} : { offerBaseFrom: config.keepReleases };
      const [facts, built] = await Promise.all([lockAndInspect(ctx, fleet, offer), describing]);
      const name = chooseName(ctx, facts);
      const first = fleet.members[0]!;
      report.release = name;
      report.previous = facts.get(first)!.live;
      report.releasePath = `${first.host.deployPath}/releases/${name}`;
      await ctx.observer?.started({ release: name, previous: report.previous, sha: run.sha });
      const source = await buildSource(config, run.sha, fleet, facts, name, built, (text) => warn(ctx, text));
      await runRelease(ctx, fleet, facts, releasePhases(ctx, facts, name, source));
    });
  } finally {
    await tree.scratch.dispose();
  }
}

/** A dry run: what would ship and, per host, the steps that would run (nothing is built, locked or changed). */
async function plan(ctx: CommandContext): Promise<void> {
  const shipped = await shippedSummary(ctx.config, ctx.source);
  await withFleet(ctx, async (fleet) => {
    const facts = await inspect(ctx, fleet);
    const name = chooseName(ctx, facts);
    planReport(ctx, fleet, facts, releasePhases(ctx, facts, name, planSource(ctx.config, ctx.run.sha)), shipped);
  });
}
