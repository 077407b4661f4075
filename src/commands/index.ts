import { loadTransports } from '../fleet/connect.js';
import { checkReleaseName } from '../releases/name.js';
import type { CommandName } from './names.js';
import type { CommandContext } from './context.js';
import { deploy } from './deploy.js';
import { redeploy } from './redeploy.js';
import { releases } from './releases.js';
import { rollback } from './rollback.js';
import { unlock } from './unlock.js';

const COMMANDS: Record<CommandName, (ctx: CommandContext) => Promise<void>> = {
  deploy,
  redeploy,
  rollback,
  unlock,
  releases,
};

export async function runCommand(name: CommandName, ctx: CommandContext): Promise<void> {
  // A bad name for a new release stops the run before any host is connected to, locked or changed.
  if (ctx.releaseName && (name === 'deploy' || name === 'redeploy')) checkReleaseName(ctx.releaseName, 'release-name');
  loadTransports(ctx.config.hosts).catch(() => undefined);
  try {
    await COMMANDS[name](ctx);
  } catch (error) {
    await ctx.observer?.finished(ctx.report, error);
    throw error;
  }
  await ctx.observer?.finished(ctx.report);
}
