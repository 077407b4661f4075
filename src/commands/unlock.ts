import { HostFailure } from '../fleet/failures.js';
import { inspect, readInspect } from '../remote/steps/inspect.js';
import { holderName, LOCK_INFO, lockHolder, type LockHolder } from '../remote/steps/lock.js';
import { unlockAny } from '../remote/steps/unlock-any.js';
import { warn, type CommandContext } from './context.js';
import { withFleet } from './fleet-run.js';
import { readyForOff } from './maintenance.js';
import { lockRecord } from '../run-info.js';

/**
 * unlock: removes the deploy lock on every host and reports whose it was and how old it was. A lock whose session
 * still runs on its host is left in place unless `force` is set (the command then fails, naming that run); a forced
 * unlock makes that run stop at its next step, changing nothing more. A dry run only reports the locks (the inspect
 * step reads them without touching anything).
 */
export async function unlock(ctx: CommandContext): Promise<void> {
  await withFleet(ctx, async (fleet) => {
    const me = lockHolder(new Map([[LOCK_INFO, [JSON.stringify(lockRecord(ctx.run))]]]));
    const step = ctx.dryRun
      ? inspect({ detectHttpUser: false })
      : unlockAny({ force: !!ctx.force, by: holderName(me) || 'an unknown operator', url: ctx.run.runUrl });
    // A dead holder's work is undone here: its maintenance too, where it had turned maintenance on.
    const results = await fleet.run((m) => readyForOff(ctx.config, m.host, 'unlock', [step]));
    if (ctx.dryRun) ctx.report.changes.push('dry run: no lock was removed');
    const refused: { host: string; holder: LockHolder }[] = [];
    for (const m of fleet.members) {
      const r = results.get(m)!;
      const lock = readInspect(r).lock;
      if (!lock) {
        ctx.report.changes.push(`${m.host.name}: there was no deploy lock`);
        continue;
      }
      const holder = lockHolder(lock);
      const kept = r.data.get('unlock')?.[0] === 'refused';
      if (kept) refused.push({ host: m.host.name, holder });
      const verb = ctx.dryRun ? 'would remove' : kept ? 'left in place' : 'removed';
      const age = holder.since ? ageOf(holder.since) : 'unknown age';
      ctx.report.changes.push(
        `${m.host.name}: ${verb} the lock of ${nameOf(holder)}, taken ${holder.since ?? '?'} (${age} old)` +
          `${holder.info['run_url'] ? `, ${String(holder.info['run_url'])}` : ''}; its session was ${holder.alive ? 'STILL RUNNING' : 'no longer running'}`,
      );
      if (holder.alive && !ctx.dryRun && !kept) {
        warn(
          ctx,
          `${m.host.name}: removed the lock of ${nameOf(holder)} while its session still runs (forced): that run stops at its next step and changes nothing more (a hook already running finishes first)`,
        );
      }
    }
    if (refused.length) {
      const { host, holder } = refused[0]!;
      const others =
        refused.length > 1
          ? ` (and on ${refused
              .slice(1)
              .map((r) => r.host)
              .join(', ')})`
          : '';
      throw new HostFailure(
        host,
        'unlock',
        `the lock is held by ${nameOf(holder)}${holder.info['run_url'] ? ` (${String(holder.info['run_url'])})` : ''}, whose session is still running on the host${others}: ` +
          'the lock was left in place. Wait for that run to end, or cancel it; to remove the lock anyway, set `force: true` (CLI: --force): ' +
          'that run then stops at its next step and changes nothing more (a hook it is running finishes first).',
      );
    }
  });
}

function nameOf(holder: LockHolder): string {
  return holderName(holder) || (holder.unreadable ? 'an unknown holder (unreadable lock record)' : 'an unknown holder');
}

function ageOf(iso: string): string {
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms)) return 'unknown age';
  const min = Math.round(ms / 60000);
  return min < 60 ? `${min} min` : min < 2880 ? `${Math.round(min / 60)} h` : `${Math.round(min / 1440)} days`;
}
