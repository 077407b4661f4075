import { inspect } from '../remote/steps/inspect.js';
import { unlockAny } from '../remote/steps/unlock-any.js';
import { warn, type CommandContext } from './context.js';
import { holderName, hostFacts, lockHolder } from './facts.js';
import { withFleet } from './fleet-run.js';

/**
 * unlock: removes the deploy lock on every host and reports whose it was and how old it was. A dry run only
 * reports the locks (the inspect step reads them without touching anything).
 */
export async function unlock(ctx: CommandContext): Promise<void> {
  await withFleet(ctx, async (fleet) => {
    const step = ctx.dryRun ? inspect({ detectHttpUser: false }) : unlockAny();
    const results = await fleet.run(() => ({ name: 'unlock', steps: [step] }));
    const verb = ctx.dryRun ? 'would remove' : 'removed';
    if (ctx.dryRun) ctx.report.changes.push('dry run: no lock was removed');
    for (const m of fleet.members) {
      const r = results.get(m)!;
      const lock = hostFacts(r).lock;
      if (!lock) {
        ctx.report.changes.push(`${m.host.name}: there was no deploy lock`);
        continue;
      }
      const holder = lockHolder(lock);
      const age = holder.since ? ageOf(holder.since) : 'unknown age';
      const who = holderName(holder) || (holder.unreadable ? 'an unknown holder (unreadable lock record)' : 'an unknown holder');
      const alive = holder.alive;
      ctx.report.changes.push(
        `${m.host.name}: ${verb} the lock of ${who}, taken ${holder.since ?? '?'} (${age} old)` +
          `${holder.info['run_url'] ? `, ${String(holder.info['run_url'])}` : ''}; its session was ${alive ? 'STILL RUNNING' : 'no longer running'}`,
      );
      if (alive && !ctx.dryRun) warn(ctx, `${m.host.name}: the removed lock belonged to a session that is still running on the host`);
    }
  });
}

function ageOf(iso: string): string {
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms)) return 'unknown age';
  const min = Math.round(ms / 60000);
  return min < 60 ? `${min} min` : min < 2880 ? `${Math.round(min / 60)} h` : `${Math.round(min / 1440)} days`;
}
