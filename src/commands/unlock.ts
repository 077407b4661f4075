import { unlockAny } from '../remote/steps/unlock-any.js';
import { warn, type CommandContext } from './context.js';
import { holderName, hostFacts, lockHolder } from './facts.js';
import { withFleet } from './fleet-run.js';

/** unlock: removes the deploy lock on every host and reports whose it was and how old it was. */
export async function unlock(ctx: CommandContext): Promise<void> {
  await withFleet(ctx, async (fleet) => {
    const results = await fleet.run(() => ({ name: 'unlock', steps: [unlockAny()] }));
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
        `${m.host.name}: removed the lock of ${who}, taken ${holder.since ?? '?'} (${age} old)` +
          `${holder.info['run_url'] ? `, ${String(holder.info['run_url'])}` : ''}; its session was ${alive ? 'STILL RUNNING' : 'no longer running'}`,
      );
      if (alive) warn(ctx, `${m.host.name}: the removed lock belonged to a session that is still running on the host`);
    }
  });
}

function ageOf(iso: string): string {
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms)) return 'unknown age';
  const min = Math.round(ms / 60000);
  return min < 60 ? `${min} min` : min < 2880 ? `${Math.round(min / 60)} h` : `${Math.round(min / 1440)} days`;
}
