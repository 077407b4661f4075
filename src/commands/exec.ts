import { Cancelled } from '../errors.js';
import { FleetFailure, HostFailure } from '../fleet/failures.js';
import type { Fleet, Member } from '../fleet/fleet.js';
import { settleLimited } from '../fleet/limit.js';
import type { Step } from '../remote/phase.js';
import { EXEC_STEP, execLabel, execStep } from '../remote/steps/exec.js';
import type { HostFacts } from '../remote/steps/inspect.js';
import { holderName, lockHolder, unlock } from '../remote/steps/lock.js';
import type { PhaseResult } from '../remote/session.js';
import { heading, list } from '../report/document.js';
import { cutLine, type ExecResult, execTable } from '../report/exec.js';
import { warn, type CommandContext } from './context.js';
import { inspect, lockAndInspect, withFleet } from './fleet-run.js';
import { hookEnv } from './release-phases.js';

/**
 * exec: runs one command line in `current/` on the selected hosts (or the first, `once`), at most `max_parallel`
 * at once, each host's output streamed to the log. Every host runs it whatever the others do (this is no deploy:
 * nothing is undone); the run fails afterwards, naming each host where it failed. No lock unless `lock` (then it is
 * taken as a deploy takes it, and refused while another run holds it); without it, a held lock is only a warning.
 * A host where nothing is live stops the run before the command runs anywhere.
 */
export async function exec(ctx: CommandContext): Promise<void> {
  const request = ctx.exec;
  if (!request?.command.trim()) {
    throw new Error(
      ctx.surface === 'cli'
        ? 'exec needs the command to run after --, e.g. deploy-action exec production -- php artisan about'
        : 'command exec needs the command line to run in the `run` input',
    );
  }
  const hosts = request.once ? ctx.config.hosts.slice(0, 1) : ctx.config.hosts;
  const run: CommandContext = { ...ctx, config: { ...ctx.config, hosts } };
  const lock = request.lock === true && !ctx.dryRun;
  const results = await withFleet(run, async (fleet) => {
    const facts = await (lock ? lockAndInspect(run, fleet) : inspect(run, fleet));
    refuseWhereNothingIsLive(run, fleet, facts);
    if (!lock) warnOfHeldLocks(run, fleet, facts, request.lock === true);
    if (ctx.dryRun) {
      ctx.report.details.push(
        heading('Plan (dry run: nothing was run)'),
        list(
          fleet.members.map((m) => [
            `${m.host.name}: would run `,
            { code: execLabel(request.command) },
            ` in releases/${facts.get(m)!.live}`,
          ]),
        ),
      );
      return [];
    }
    return runOnEach(run, fleet, facts, request.command, lock);
  });
  if (ctx.dryRun) return;
  ctx.report.exec = results;
  ctx.report.details.push(heading(['exec ', { code: execLabel(request.command) }]), execTable(results));
  const failed = results.filter((r) => r.exitCode !== 0);
  if (!failed.length) return;
  const how = (r: ExecResult) => (r.exitCode === null ? `not run: ${r.error ?? 'unknown'}` : `exit code ${r.exitCode}`);
  if (failed.length === 1) {
    const [f] = failed as [ExecResult];
    const rest = results.length - 1;
    const others = rest ? ` (it succeeded on the other ${rest === 1 ? 'host' : `${rest} hosts`})` : '';
    const what = f.exitCode === null ? how(f) : `exited with code ${f.exitCode}${f.lastLine ? `: ${f.lastLine}` : ''}`;
    throw new HostFailure(f.host, EXEC_STEP, `${what}${others}`, f.tail ?? [], f.exitCode ?? undefined);
  }
  throw new FleetFailure(
    EXEC_STEP,
    `the command failed on ${failed.length} of ${results.length} hosts: ${failed.map((r) => `${r.host} (${how(r)})`).join(', ')}`,
  );
}

/** Nothing live on a host (no `current`): the command runs nowhere, and the message names every such host. */
function refuseWhereNothingIsLive(ctx: CommandContext, fleet: Fleet, facts: Map<Member, HostFacts>): void {
  const empty = fleet.members.filter((m) => !facts.get(m)!.live);
  if (!empty.length) return;
  const [first, ...others] = empty as [Member, ...Member[]];
  const also = others.length ? ` (nor on ${others.map((m) => m.host.name).join(', ')})` : '';
  const option = ctx.surface === 'cli' ? '--hosts' : 'the `hosts` input';
  throw new HostFailure(
    first.host.name,
    EXEC_STEP,
    `nothing is live there (no \`current\` release in ${first.host.deployPath})${also}: the command ran on no host. ` +
      `Deploy first, or leave ${empty.length > 1 ? 'those hosts' : 'that host'} out with ${option}.`,
  );
}

/** Without `lock`, a lock another run holds is said, not waited for (a deploy may be changing the release). */
function warnOfHeldLocks(ctx: CommandContext, fleet: Fleet, facts: Map<Member, HostFacts>, wouldRefuse: boolean): void {
  const option = ctx.surface === 'cli' ? '--lock' : '`lock: true`';
  for (const m of fleet.members) {
    const held = facts.get(m)!.lock;
    if (!held) continue;
    const holder = lockHolder(held);
    const who = holderName(holder) || 'another run';
    const then = wouldRefuse
      ? `exec with ${option} would refuse to run`
      : `exec neither waits for it nor takes it (with ${option} it refuses instead)`;
    warn(
      ctx,
      `${m.host.name}: the deploy lock is held by ${who}${holder.alive ? ' (its session is still running)' : ''}; ${then}`,
    );
  }
}

/** The command on every host (at most max_parallel at once), each host's outcome whatever the others' was. */
async function runOnEach(
  ctx: CommandContext,
  fleet: Fleet,
  facts: Map<Member, HostFacts>,
  command: string,
  lock: boolean,
): Promise<ExecResult[]> {
  const c = ctx.config;
  const steps = (m: Member): Step[] => {
    const f = facts.get(m)!;
    const sha = f.releases.find((r) => r.name === f.live)?.revision ?? '';
    const env = hookEnv(c, m.host, f.live!, undefined, sha);
    // Under the lock, the phase ends with the unlock; a host where the command fails releases it as it aborts.
    return [execStep(command, env, c.hookTimeoutMs, lock), ...(lock ? [unlock()] : [])];
  };
  const settled = await fleet.phase(EXEC_STEP, fleet.members, () =>
    settleLimited(fleet.members, c.maxParallel, async (m) => {
      const t0 = Date.now();
      try {
        const results = await fleet.run(() => ({ name: EXEC_STEP, steps: steps(m) }), undefined, { members: [m] });
        return { result: results.get(m), ms: Date.now() - t0 };
      } catch (error) {
        throw Object.assign(error instanceof Error ? error : new Error(String(error)), { ms: Date.now() - t0 });
      }
    }),
  );
  if (ctx.signal.aborted) throw new Cancelled();
  return fleet.members.map((m, i) => {
    const s = settled[i]!;
    const stepMs = ctx.report.hosts.get(m.host.name)?.find((r) => r.id === EXEC_STEP)?.ms;
    if (s.status === 'fulfilled') {
      const tail = stepOf(s.value.result)?.tail ?? [];
      return outcome(m, 0, tail, stepMs ?? s.value.ms);
    }
    const error = s.reason as Error & { ms?: number };
    const ms = stepMs ?? error.ms ?? 0;
    // The command's own exit status (a failure of the session, or of the unlock after it, has none).
    if (error instanceof HostFailure && error.step === execLabel(command) && error.rc !== undefined)
      return outcome(m, error.rc, error.tail, ms);
    const why =
      error instanceof HostFailure ? error.message.replace(`${error.host}: ${error.step}: `, '') : error.message;
    return { ...outcome(m, null, [], ms), error: cutLine(why) };
  });
}

function stepOf(result: PhaseResult | undefined) {
  return result?.steps.find((s) => s.id === EXEC_STEP);
}

function outcome(m: Member, exitCode: number | null, tail: readonly string[], ms: number): ExecResult {
  const lastLine = cutLine([...tail].reverse().find((l) => l.trim() !== '') ?? '');
  return { host: m.host.name, ...(m.host.masked ? { masked: true } : {}), exitCode, ms, lastLine, tail: [...tail] };
}
