import { Fleet } from '../fleet/fleet.js';
import { checkReleaseName } from '../releases/name.js';
import type { CommandName } from './names.js';
import { warn, type CommandContext } from './context.js';
import { formatProblem } from '../config/index.js';
import { checkHookHosts } from './hook-targets.js';
import { deploy } from './deploy.js';
import { doctor } from './doctor.js';
import { exec } from './exec.js';
import { deployMaintenance, maintenance } from './maintenance.js';
import { redeploy } from './redeploy.js';
import { releases } from './releases.js';
import { rollback } from './rollback.js';
import { unlock } from './unlock.js';
import { stage } from './stage.js';
import { discard } from './discard.js';
import { switchRelease } from './switch.js';

const COMMANDS: Record<CommandName, (ctx: CommandContext) => Promise<void>> = {
  deploy,
  redeploy,
  rollback,
  unlock,
  releases,
  doctor,
  exec,
  maintenance,
  stage,
  switch: switchRelease,
  discard,
};

/**
 * Whether a command runs hooks (build, deploy, activate, a health check command) and so needs `env` with its
 * `${NAME}` values: deploy, redeploy, rollback (activate, its rollback hooks) and exec, never in a dry run. The others (releases,
 * unlock, every dry run) load the config without expanding `env`: an emergency unlock needs no database password.
 */
export function runsHooks(name: CommandName, dryRun: boolean | undefined): boolean {
  return (
    !dryRun && (['deploy', 'redeploy', 'rollback', 'exec', 'maintenance', 'stage', 'switch'] as string[]).includes(name)
  );
}

export async function runCommand(name: CommandName, ctx: CommandContext): Promise<void> {
  if (runsHooks(name, ctx.dryRun) && ctx.config.envSkipped) {
    throw new Error(`internal error: ${name} runs hooks, but the config was loaded without expanding env`);
  }
  // A dry run needs no env, but says what the real run would refuse.
  if (runsHooks(name, false)) {
    for (const p of ctx.config.envSkipped?.unset ?? [])
      warn(ctx, `${formatProblem(p)} (a dry run does not need it; ${name} would refuse to run)`);
  }
  // Stage, switch and discard change hosts with no plan to show: a dry run is refused, not run for real.
  if (ctx.dryRun && (name === 'stage' || name === 'switch' || name === 'discard'))
    throw new Error(`${name} has no dry run (nothing was changed): a deploy's dry run shows what a stage would ship`);
  // A bad name for a new release stops the run before any host is connected to, locked or changed.
  if (ctx.releaseName && (name === 'deploy' || name === 'redeploy' || name === 'stage'))
    checkReleaseName(ctx.releaseName, 'release-name');
  // A `once` hook (a migration) whose hosts the `hosts` selection leaves out stops the run here too.
  if (name === 'deploy' || name === 'redeploy' || name === 'stage') checkHookHosts(ctx.config);
  // Maintenance asked for without `maintenance:` in the config: refused before any host is reached.
  if (name === 'deploy' || name === 'redeploy') deployMaintenance(ctx);
  ctx.report.begin(
    ctx.config.hosts.map((h) => h.name),
    ctx.dryRun,
  );
  Fleet.preload(ctx.config.hosts);
  try {
    await COMMANDS[name](ctx);
  } catch (error) {
    await ctx.observer?.finished(ctx.report, error);
    throw error;
  }
  await ctx.observer?.finished(ctx.report);
}
