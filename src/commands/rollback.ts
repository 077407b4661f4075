import type { Member } from '../fleet/fleet.js';
import { FleetFailure } from '../fleet/failures.js';
import { chooseRollbackTarget } from '../releases/rollback.js';
import { heading, list } from '../report/document.js';
import { logHistory } from '../remote/steps/history.js';
import { unlock } from '../remote/steps/lock.js';
import { runRecord } from '../run-info.js';
import { warn, type CommandContext } from './context.js';
import { inspect, lockAndInspect, withFleet } from './fleet-run.js';
import { rolloutRelease } from './release-flow.js';
import { hookEnv, switchPhases } from './release-phases.js';
import { withRollbackHooks } from './rollback-hooks.js';

/** After a rollback that found no target: how to see what each host has, and how to name a release. */
function whatToDo(ctx: CommandContext): string {
  return ctx.surface === 'cli'
    ? `Run \`deploy-action releases ${ctx.config.environment}\` to see what each host has, then name the release to make live with --release NAME`
    : 'Run the `releases` command to see what each host has, then name the release to make live in the `release:` input';
}

/**
 * rollback: every host agrees on one target (the named release, or the newest earlier complete release that was
 * not rolled back from) before any host switches; then all switch, and the release rolled back from is marked bad.
 */
export async function rollback(ctx: CommandContext): Promise<void> {
  const { report } = ctx;
  report.url = ctx.config.url;
  await withFleet(ctx, async (fleet) => {
    const facts = await (ctx.dryRun ? inspect(ctx, fleet) : lockAndInspect(ctx, fleet));
    const views = fleet.members.map((m) => {
      const f = facts.get(m)!;
      return { host: m.host.name, dirs: f.dirs, history: f.history, live: f.live, partial: f.partial };
    });
    const choice = chooseRollbackTarget(views, ctx.releaseName);
    if ('error' in choice) throw new FleetFailure('rollback', `${choice.error}. ${whatToDo(ctx)}`);
    for (const w of choice.warnings) warn(ctx, w);
    const target = choice.target;
    const first = fleet.members[0]!;
    report.previous = facts.get(first)!.live;
    report.sha = facts.get(first)!.releases.find((r) => r.name === target)?.revision || undefined;
    if (ctx.dryRun) {
      report.details.push(
        heading('Plan (dry run: nothing was changed)'),
        list(
          fleet.members.map(
            (m) =>
              `${m.host.name}: current would go from ${facts.get(m)!.live ?? 'nothing'} to ${target}; ${facts.get(m)!.live ?? 'the live release'} would be marked bad`,
          ),
        ),
      );
      return;
    }
    report.release = target;
    report.releasePath = `${first.host.deployPath}/releases/${target}`;
    await ctx.observer?.started({ release: target, previous: report.previous, sha: report.sha });
    const vars = { DA_RELEASE: target };
    const revision = (m: Member) => facts.get(m)!.releases.find((r) => r.name === target)?.revision ?? '';
    // Hosts where the target is already live (a named rollback on a fleet that disagrees) stay as they are.
    const moving = fleet.members.filter((m) => facts.get(m)!.live !== target);
    const env = (m: Member) => hookEnv(ctx.config, m.host, target, facts.get(m)!.live, revision(m));
    const phases = withRollbackHooks(ctx.config, switchPhases(ctx.config, facts, target, env));
    await rolloutRelease(ctx, fleet, phases, moving);
    // The history line marks the release rolled back from as bad; hosts that did not move only unlock.
    await fleet.run((m) => ({
      name: 'finish',
      vars,
      steps: [
        ...(moving.includes(m)
          ? [
              logHistory({
                event: 'rollback',
                release: target,
                from: facts.get(m)!.live ?? null,
                ...runRecord(ctx.run),
                sha: revision(m),
              }),
            ]
          : []),
        unlock(),
      ],
    }));
    for (const m of fleet.members) {
      report.changes.push(
        moving.includes(m)
          ? `${m.host.name}: current → releases/${target} (was ${facts.get(m)!.live}, now marked bad)`
          : `${m.host.name}: releases/${target} was already live; left as it was`,
      );
    }
  });
}
