import { randomBytes } from 'node:crypto';
import type { HostConfig } from '../config/index.js';
import { Fleet, type Member } from '../fleet/fleet.js';
import { HostFailure } from '../fleet/failures.js';
import type { Step } from '../remote/phase.js';
import type { PhaseResult } from '../remote/session.js';
import type { PreludeOptions } from '../remote/prelude.js';
import { inspect as inspectStep, readInspect, type HostFacts } from '../remote/steps/inspect.js';
import { lock, LOCK_HELD } from '../remote/steps/lock.js';
import { prepare } from '../remote/steps/prepare.js';
import { needsHttpUser } from '../remote/steps/writable.js';
import { progress } from '../report/progress.js';
import { lockInfoMembers, runJsonMembers } from '../run-info.js';
import { Cancelled } from '../errors.js';
import type { CommandContext } from './context.js';
import { describeHeldLock, reportInvalid } from './host-messages.js';

/** Seconds of silence after which a host assumes the runner is gone and undoes the run's work. */
export const IDLE_SECONDS = 120;

export function preludeFor(ctx: CommandContext, host: HostConfig): PreludeOptions {
  return {
    markerToken: randomBytes(6).toString('hex'),
    owner: ctx.run.owner,
    deployPath: host.deployPath,
    idleSeconds: IDLE_SECONDS,
    runJson: runJsonMembers(ctx.run),
  };
}

/**
 * Opens one session per host and runs `work` on the fleet. On any failure or cancellation, every host undoes
 * this run's unfinished work before the error propagates; the post step is told whether that was confirmed.
 */
export async function withFleet<T>(ctx: CommandContext, work: (fleet: Fleet) => Promise<T>): Promise<T> {
  const listener = progress(ctx.log, ctx.report, ctx.config.hosts.length, ctx.signal);
  ctx.state?.started(ctx.run.owner);
  let fleet: Fleet;
  try {
    const { hosts, maxParallel } = ctx.config;
    fleet = await Fleet.open(hosts, ctx.access, (h) => preludeFor(ctx, h), listener, maxParallel, ctx.signal);
  } catch (error) {
    // A host that could not be reached (host key, auth, network) has nothing of this run to undo: the post step
    // would only connect again (and fail again) for nothing.
    if (error instanceof HostFailure && error.cleanedUp) ctx.state?.cleanedUp();
    if (ctx.signal.aborted) throw new Cancelled();
    throw error;
  }
  const onAbort = () => void fleet.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const value = await work(fleet);
    await fleet.close();
    ctx.state?.cleanedUp();
    return value;
  } catch (error) {
    const confirmed = await fleet.abort();
    for (const m of fleet.members) ctx.report.undone.set(m.host.name, m.session.ended && !m.session.lost);
    if (confirmed) ctx.state?.cleanedUp();
    if (ctx.signal.aborted) throw new Cancelled();
    throw error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** For work that changes hosts: prepares and locks every host, then reads it (a held lock says who holds it). */
export async function lockAndInspect(
  ctx: CommandContext,
  fleet: Fleet,
  opts: { offerBaseFrom?: number } = {},
): Promise<Map<Member, HostFacts>> {
  const read = inspectStep({ detectHttpUser: detectsHttpUser(ctx), offerBaseFrom: opts.offerBaseFrom });
  const info = lockInfoMembers(ctx.run);
  // A host whose lock a staged release holds stops at the lock step; it is asked again with the hold's undo, which
  // discards an expired hold (and refuses a live one): see steps/lock.ts.
  return readHosts(ctx, fleet, [prepare(), lock(info), read], [lock(info, { reclaim: true }), read]);
}

/** Reads every host, read-only (dry runs, listings): nothing is created or locked. */
export async function inspect(ctx: CommandContext, fleet: Fleet): Promise<Map<Member, HostFacts>> {
  return readHosts(ctx, fleet, [inspectStep({ detectHttpUser: detectsHttpUser(ctx) })]);
}

/** The web server's user is looked for only when writable dirs need it and the config does not name it. */
function detectsHttpUser(ctx: CommandContext): boolean {
  const c = ctx.config;
  return !c.httpUser && needsHttpUser(c.writableMode) && c.writableDirs.length > 0;
}

/**
 * Runs the first phase (`steps`); hosts whose lock step stopped at a staged release's hold are asked again with
 * `atHold` (the lock's reclaim: see steps/lock.ts), and their results replace the first ones.
 */
export async function runAtHold(fleet: Fleet, steps: Step[], atHold?: Step[]): Promise<Map<Member, PhaseResult>> {
  const results = await fleet.run(() => ({ name: 'inspect', steps }));
  const held = [...results].filter(([, r]) => r.stopped).map(([m]) => m);
  if (atHold && held.length) {
    const again = await fleet.run(() => ({ name: 'inspect', steps: atHold }), undefined, { members: held });
    for (const [m, r] of again) results.set(m, r);
  }
  return results;
}

async function readHosts(
  ctx: CommandContext,
  fleet: Fleet,
  steps: Step[],
  atHold?: Step[],
): Promise<Map<Member, HostFacts>> {
  try {
    const results = await runAtHold(fleet, steps, atHold);
    const facts = new Map([...results].map(([m, r]) => [m, readInspect(r)]));
    // What a host reported that is not what it can be was left out; say so (escaped in the log).
    for (const [m, f] of facts) reportInvalid(ctx, m.host.name, f.invalid);
    return facts;
  } catch (error) {
    if (error instanceof HostFailure && error.rc === LOCK_HELD) {
      throw new HostFailure(error.host, 'lock', describeHeldLock(error.data, ctx.config.environment, ctx.surface));
    }
    throw error;
  }
}
