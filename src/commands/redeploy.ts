import { FleetFailure, HostFailure } from '../fleet/failures.js';
import { copyLive } from '../remote/steps/copy-live.js';
import type { CommandContext } from './context.js';
import { inspect, lockAndInspect, withFleet } from './fleet-run.js';
import { planReport } from './plan.js';
import { runRelease } from './release-flow.js';
import { chooseName, releasePhases, type ReleaseSource } from './release-phases.js';

/**
 * redeploy: a new release copied from the live one on each host (no build, no upload), then shared links,
 * writable dirs, deploy hooks and the switch as in a deploy. For when a shared `.env` or a server setting changed.
 */
export async function redeploy(ctx: CommandContext): Promise<void> {
  const { report } = ctx;
  report.url = ctx.config.url;
  await withFleet(ctx, async (fleet) => {
    const facts = await (ctx.dryRun ? inspect(ctx, fleet) : lockAndInspect(ctx, fleet));
    const lives = new Set<string>();
    for (const m of fleet.members) {
      const live = facts.get(m)!.live;
      if (!live)
        throw new HostFailure(
          m.host.name,
          'redeploy',
          'no release is live here, so there is nothing to redeploy; run a deploy',
        );
      lives.add(live);
    }
    if (lives.size > 1) {
      throw new FleetFailure(
        'redeploy',
        `the hosts run different releases (${fleet.members.map((m) => `${m.host.name}: ${facts.get(m)!.live}`).join(', ')}); deploy to bring them together first`,
      );
    }
    const live = [...lives][0]!;
    const revision = (m: (typeof fleet.members)[number]) =>
      facts.get(m)!.releases.find((r) => r.name === live)?.revision ?? '';
    const name = chooseName(ctx, facts);
    const first = fleet.members[0]!;
    report.previous = live;
    report.sha = revision(first) || undefined;
    const source: ReleaseSource = {
      event: 'redeploy',
      fill: () => ({ steps: [copyLive()], vars: { DA_LIVE: live }, kind: 'copy' }),
      sha: revision,
    };
    const phases = releasePhases(ctx, facts, name, source);
    if (ctx.dryRun) {
      planReport(ctx, fleet, facts, phases, `a copy of the live release ${live}, made on each host`);
      return;
    }
    report.release = name;
    report.releasePath = `${first.host.deployPath}/releases/${name}`;
    await ctx.observer?.started({ release: name, previous: live, sha: report.sha });
    await runRelease(ctx, fleet, facts, phases);
  });
}
