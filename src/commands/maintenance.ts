import type { EnvironmentConfig, HostConfig, MaintenanceConfig } from '../config/index.js';
import type { Step } from '../remote/phase.js';
import type { Member } from '../fleet/fleet.js';
import { FleetFailure, HostFailure } from '../fleet/failures.js';
import type { PhaseResult } from '../remote/session.js';
import { unlock } from '../remote/steps/lock.js';
import {
  maintenanceOff,
  maintenanceOn,
  maintenanceOutcomes,
  maintenancePhase,
  maintenanceReady,
  type MaintenanceCommands,
} from '../remote/steps/maintenance.js';
import type { Phase } from '../remote/phase.js';
import { warn, type CommandContext } from './context.js';
import { inspect, lockAndInspect, withFleet } from './fleet-run.js';

/** The states the `maintenance` command switches to. */
export const MAINTENANCE_STATES = ['on', 'off'] as const;
export type MaintenanceState = (typeof MAINTENANCE_STATES)[number];

/** Where the config's `maintenance:` is missing, what to write. */
function missing(c: EnvironmentConfig, why: string): FleetFailure {
  return new FleetFailure(
    'maintenance',
    `${why}, but environment \`${c.environment}\` has no \`maintenance:\` in ${c.file}: add \`maintenance: { on: "php artisan down", off: "php artisan up" }\` (any commands)`,
  );
}

/**
 * The maintenance a deploy or redeploy wraps itself in: asked by the `maintenance` input (or the CLI's option),
 * which wins, else by `maintenance.deploy`. Asked for without `maintenance:` in the config: refused before any host
 * is reached.
 */
export function deployMaintenance(ctx: Pick<CommandContext, 'config' | 'maintenance'>): MaintenanceConfig | undefined {
  const wanted = ctx.maintenance ?? ctx.config.maintenance?.deploy ?? false;
  if (!wanted) return undefined;
  if (!ctx.config.maintenance) throw missing(ctx.config, 'maintenance was asked for (input `maintenance: true`)');
  return ctx.config.maintenance;
}

/** The commands with the environment they run in (deploy hooks' env, or the environment's env and DEPLOY_*). */
export function maintenanceCommands(
  c: EnvironmentConfig,
  m: MaintenanceConfig,
  env: Record<string, string>,
): MaintenanceCommands {
  return { on: m.on, off: m.off, env, timeoutMs: c.hookTimeoutMs };
}

/** The environment of `on` and `off` outside a deploy: the environment's env (empty when not expanded), DEPLOY_*. */
export function maintenanceEnv(c: EnvironmentConfig, host: HostConfig): Record<string, string> {
  return { ...c.env, DEPLOY_PATH: host.deployPath, DEPLOY_ENVIRONMENT: c.environment };
}

/**
 * `steps` in a phase that also makes `off` ready for an abort path that undoes a run of this environment (the post
 * step's, unlock's for a dead holder); without `maintenance:` in the config, a plain phase.
 */
export function readyForOff(c: EnvironmentConfig, host: HostConfig, name: string, steps: Step[]): Phase {
  const m = c.maintenance;
  return m
    ? maintenancePhase(name, maintenanceCommands(c, m, maintenanceEnv(c, host)), [maintenanceReady(), ...steps])
    : { name, steps };
}

/**
 * maintenance: runs `on` or `off` on the selected hosts, under the deploy lock (it waits for no deploy: a held lock
 * fails it, naming the run), and reports per host. `on` records the run on the host, so that a deploy leaves that
 * maintenance on; `off` turns it off whoever turned it on.
 */
export async function maintenance(ctx: CommandContext): Promise<void> {
  const c = ctx.config;
  const state = ctx.maintenanceState;
  if (!state)
    throw new FleetFailure('maintenance', 'which state? on or off (input `state`; CLI: maintenance ENV on|off)');
  if (!c.maintenance) throw missing(c, `maintenance ${state} was asked for`);
  const m = c.maintenance;
  await withFleet(ctx, async (fleet) => {
    const facts = await (ctx.dryRun ? inspect(ctx, fleet) : lockAndInspect(ctx, fleet));
    if (ctx.dryRun) {
      for (const h of fleet.members) {
        const live = facts.get(h)!.live;
        ctx.report.changes.push(
          live
            ? `${h.host.name}: would run \`${state === 'on' ? m.on : m.off}\` in releases/${live}`
            : `${h.host.name}: nothing is live: would skip`,
        );
      }
      return;
    }
    const env = (h: Member) => ({ ...maintenanceEnv(c, h.host), DEPLOY_RELEASE: facts.get(h)!.live ?? '' });
    const step = state === 'on' ? maintenanceOn('manual') : maintenanceOff('manual');
    let results: Map<Member, PhaseResult>;
    try {
      results = await fleet.run((h) =>
        maintenancePhase('maintenance', maintenanceCommands(c, m, env(h)), [step, unlock()]),
      );
    } catch (error) {
      if (error instanceof HostFailure && state === 'off') {
        warn(ctx, `maintenance is still ON on ${error.host}: \`off\` failed there: the site is still down`);
      }
      throw error;
    }
    for (const h of fleet.members) {
      const outcome = maintenanceOutcomes(results.get(h))[0];
      const live = facts.get(h)!.live;
      ctx.report.changes.push(
        outcome === 'none'
          ? `${h.host.name}: nothing is live: maintenance ${state} skipped`
          : `${h.host.name}: maintenance ${state} (\`${state === 'on' ? m.on : m.off}\` in releases/${live ?? '?'})`,
      );
    }
  });
}

/**
 * The summary's word on a deploy's maintenance: where `on` ran (or was skipped) and that `off` followed each
 * host's switch; a loud warning for each host where `off` failed (the site is still down there).
 */
export function reportDeployMaintenance(
  ctx: Pick<CommandContext, 'config' | 'maintenance' | 'report' | 'log'>,
  members: readonly Member[],
  staged: Map<Member, PhaseResult>,
  finished: Map<Member, PhaseResult>,
): void {
  const m = deployMaintenance(ctx);
  if (!m) return;
  const on: string[] = [];
  const skipped: string[] = [];
  const held: string[] = [];
  const left: string[] = [];
  for (const h of members) {
    const said = [...maintenanceOutcomes(staged.get(h)), ...maintenanceOutcomes(finished.get(h))];
    if (said.includes('on')) on.push(h.host.name);
    else if (said.includes('held')) held.push(h.host.name);
    else skipped.push(h.host.name);
    if (said.includes('left')) left.push(h.host.name);
  }
  const r = ctx.report.changes;
  if (on.length)
    r.push(
      `maintenance: \`${m.on}\` ran on ${on.join(', ')} before the deploy hooks; \`${m.off}\` after each host's switch`,
    );
  if (skipped.length) r.push(`maintenance: skipped on ${skipped.join(', ')} (nothing was live there)`);
  if (held.length) r.push(`maintenance: left on on ${held.join(', ')}: the maintenance command had turned it on`);
  if (left.length) {
    warn(
      ctx,
      `MAINTENANCE IS STILL ON on ${left.join(', ')}: \`${m.off}\` failed there after the switch, so the site is still down. ` +
        'Fix it, then run the `maintenance` command with state off.',
    );
  }
}
