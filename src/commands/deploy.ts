import { createReadStream } from 'node:fs';
import { buildArtifact } from '../build/artifact.js';
import { upload } from '../remote/steps/upload.js';
import type { CommandContext } from './context.js';
import { inspectFleet, withFleet } from './fleet-run.js';
import { planReport, shippedSummary } from './plan.js';
import { chooseName, releasePhases, shipRelease, type ReleaseSource } from './ship.js';

/** deploy: build on the runner, stage every host, run the deploy hooks, then switch every host together. */
export async function deploy(ctx: CommandContext): Promise<void> {
  const { config, run, report } = ctx;
  report.sha = run.sha;
  report.url = config.url;
  if (ctx.dryRun) {
    const shipped = await shippedSummary(config, ctx.source);
    await withFleet(ctx, async (fleet) => {
      const facts = await inspectFleet(ctx, fleet, { readOnly: true });
      const name = chooseName(ctx, facts);
      const source: ReleaseSource = {
        event: 'deploy',
        fill: () => ({ step: upload({ bytes: 0, revision: run.sha }) }),
        sha: () => run.sha,
      };
      planReport(ctx, fleet, facts, releasePhases(ctx, facts, name, source), shipped);
    });
    return;
  }
  const built = await report.time('build', 'build and pack', () => buildArtifact(config, ctx.source, ctx.log));
  try {
    ctx.signal.throwIfAborted();
    const { artifact } = built;
    await withFleet(ctx, async (fleet) => {
      const facts = await inspectFleet(ctx, fleet);
      const name = chooseName(ctx, facts);
      const first = fleet.members[0]!;
      report.release = name;
      report.previous = facts.get(first)!.live;
      report.releasePath = `${first.host.deployPath}/releases/${name}`;
      const source: ReleaseSource = {
        event: 'deploy',
        fill: () => ({
          step: upload({ bytes: artifact.bytes, revision: run.sha }),
          payload: { bytes: artifact.bytes, open: () => createReadStream(artifact.path) },
        }),
        sha: () => run.sha,
      };
      await shipRelease(ctx, fleet, facts, releasePhases(ctx, facts, name, source));
    });
  } finally {
    await built.dispose();
  }
}
