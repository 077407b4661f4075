import type { Phase } from '../remote/phase.js';
import type { PhaseResult } from '../remote/session.js';
import type { Fleet, Member } from './fleet.js';
import { HostFailure } from './failures.js';
import type { HealthResult } from './health.js';

export interface RolloutPlan {
  strategy: 'all-at-once' | 'rolling';
  batchSize: number;
  switchPhase(m: Member): Phase;
  /** Commands right after a host's switch (and again after a switch back). */
  activatePhase(m: Member): Phase | undefined;
  /** The host's health after its switch; undefined when no health check is configured. */
  health?(m: Member): Promise<HealthResult>;
  /** Puts the host back on its previous release and re-runs the activate commands. */
  revertPhase(m: Member): Phase;
}

export interface RolloutListener {
  switched?(m: Member, at: number): void;
  health?(m: Member, result: HealthResult): void;
  reverted?(m: Member): void;
  /** A host's activate phase went well (its hooks' `$DEPLOY_OUTPUT` is in the result). */
  activated?(m: Member, result: PhaseResult): void;
}

/**
 * Switches the staged hosts: all at once, or `batchSize` hosts at a time (rolling). Each batch is switched,
 * activated and health-checked before the next starts. When a batch fails, every host switched so far (that
 * batch and all earlier ones) is switched back, its activate commands run again, and the failure propagates.
 * The switches stay provisional until the caller commits them.
 */
export async function rollout(
  fleet: Fleet,
  plan: RolloutPlan,
  listener: RolloutListener = {},
  members: readonly Member[] = fleet.members,
): Promise<void> {
  const size = plan.strategy === 'rolling' ? Math.max(1, plan.batchSize) : members.length;
  const switched: Member[] = [];
  for (let i = 0; i < members.length; i += size) {
    const batch = members.slice(i, i + size);
    try {
      switched.push(...batch);
      await fleet.run((m) => plan.switchPhase(m), undefined, { members: batch });
      const at = Date.now();
      for (const m of batch) listener.switched?.(m, at);
      const activated = await fleet.run((m) => plan.activatePhase(m), undefined, { members: batch });
      for (const [m, result] of activated) listener.activated?.(m, result);
      if (plan.health) {
        // One phase of the log for the batch, whether each host is checked by URL (from here) or by command.
        await fleet.phase('health', batch, async () => {
          const results = await Promise.all(batch.map(async (m) => ({ m, r: await plan.health!(m) })));
          for (const { m, r } of results) listener.health?.(m, r);
          const sick = results.find(({ r }) => !r.ok);
          if (sick) {
            throw new HostFailure(
              sick.m.host.name,
              'healthcheck',
              `unhealthy after ${sick.r.attempts} attempt${sick.r.attempts === 1 ? '' : 's'}: ${sick.r.detail}`,
            );
          }
        });
      }
    } catch (error) {
      await switchBack(fleet, plan, switched, listener);
      throw error;
    }
  }
}

async function switchBack(
  fleet: Fleet,
  plan: RolloutPlan,
  switched: Member[],
  listener: RolloutListener,
): Promise<void> {
  const alive = switched.filter((m) => !m.session.ended);
  if (alive.length === 0) return;
  try {
    await fleet.run((m) => plan.revertPhase(m), undefined, { members: alive });
  } catch {
    // A host that cannot switch back in this phase still does it in its abort path (da_abort reverts first).
  }
  for (const m of alive) listener.reverted?.(m);
}
