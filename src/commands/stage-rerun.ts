import type { Fleet, Member } from '../fleet/fleet.js';
import { HostFailure } from '../fleet/failures.js';
import { inspect as inspectStep, readInspect, type HostFacts } from '../remote/steps/inspect.js';
import { lock, LOCK_HELD, lockHolder } from '../remote/steps/lock.js';
import { prepare } from '../remote/steps/prepare.js';
import { keptUntil, stageRerunLock } from '../remote/steps/stage-rerun.js';
import { needsHttpUser } from '../remote/steps/writable.js';
import { lockInfoMembers } from '../run-info.js';
import type { CommandContext } from './context.js';
import { runAtHold } from './fleet-run.js';
import { describeHeldLock, reportInvalid } from './host-messages.js';

/**
 * The name a stage asks for before it reads the hosts (the one a re-run of the same run finds held): `release-name`,
 * else `run-<GITHUB_RUN_ID>`; none for a run without a run id (a CLI run), which is never a re-run.
 */
export function rerunName(ctx: CommandContext): string | undefined {
  if (!ctx.run.runId) return undefined;
  return ctx.releaseName || `run-${ctx.run.runId}`;
}

/**
 * A stage's first phase (prepare, lock, inspect), where the lock step first keeps a hold of `name` that this run
 * already made (a re-run of a stage that succeeded: see steps/stage-rerun.ts). Returns every host's facts and the
 * hosts that kept their hold, with its new expiry. A host held by anyone else refuses, naming the holder and expiry.
 */
export async function lockOrKeep(
  ctx: CommandContext,
  fleet: Fleet,
  name: string | undefined,
  offerBaseFrom?: number,
): Promise<{ facts: Map<Member, HostFacts>; kept: Map<Member, string> }> {
  const c = ctx.config;
  const info = lockInfoMembers(ctx.run);
  const plain = lock(info);
  const locking = name
    ? stageRerunLock(plain, {
        name,
        repository: ctx.run.repository,
        runId: ctx.run.runId,
        ttlSeconds: c.stageTtlMs / 1000,
      })
    : plain;
  const detectHttpUser = !c.httpUser && needsHttpUser(c.writableMode) && c.writableDirs.length > 0;
  try {
    const read = inspectStep({ detectHttpUser, offerBaseFrom });
    // A hold this run did not make stops the lock step; those hosts are asked again with the hold's undo, which
    // discards an expired hold and refuses a live one (steps/lock.ts).
    const results = await runAtHold(fleet, [prepare(), locking, read], [lock(info, { reclaim: true }), read]);
    const facts = new Map<Member, HostFacts>();
    const kept = new Map<Member, string>();
    for (const [m, r] of results) {
      const f = readInspect(r);
      reportInvalid(ctx, m.host.name, f.invalid);
      facts.set(m, f);
      const until = keptUntil(r);
      if (until) kept.set(m, until);
    }
    return { facts, kept };
  } catch (error) {
    if (error instanceof HostFailure && error.rc === LOCK_HELD) {
      const held = describeHeldLock(error.data, c.environment, ctx.surface);
      throw new HostFailure(error.host, 'lock', `${held}${sameRunOtherName(ctx, error.data)}`);
    }
    throw error;
  }
}

/** The same fleet seen as only `members` (the hosts a re-run still stages); sessions and abort stay the fleet's. */
export function onlyMembers(fleet: Fleet, members: Member[]): Fleet {
  if (members.length === fleet.members.length) return fleet;
  return Object.create(fleet, { members: { value: members } }) as Fleet;
}

/** A hold this same run made under another name: a run stages one release, so it is named, with what to do. */
function sameRunOtherName(ctx: CommandContext, data: Map<string, string[]> | undefined): string {
  const { info } = lockHolder(data);
  const name = info['stage'];
  if (!ctx.run.runId || typeof name !== 'string') return '';
  if (info['run_id'] !== ctx.run.runId || info['repository'] !== ctx.run.repository) return '';
  return ` This run already staged ${name} there: a run stages one release; switch or discard ${name}, or stage with \`release-name: ${name}\`.`;
}
