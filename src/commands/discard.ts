import { discarded, discardStage } from '../remote/steps/stage.js';
import type { CommandContext } from './context.js';
import { withFleet } from './fleet-run.js';
import { stagedName } from './switch.js';

/**
 * discard: on every host where the release is staged and held, removes it (never the live release), its record, its
 * preview link and its hold. A host without it says "nothing staged". Run it as an `if: failure() || cancelled()` job.
 */
export async function discard(ctx: CommandContext): Promise<void> {
  const name = stagedName(ctx, 'discard');
  ctx.report.release = name;
  await withFleet(ctx, async (fleet) => {
    const results = await fleet.run(() => ({ name: 'discard', vars: { DA_RELEASE: name }, steps: [discardStage()] }));
    for (const m of fleet.members)
      ctx.report.changes.push(
        discarded(results.get(m))
          ? `${m.host.name}: discarded the staged release ${name}`
          : `${m.host.name}: nothing staged (${name} is not held there)`,
      );
  });
}
