import type { CommandName } from '../inputs.js';
import type { CommandContext } from './context.js';
import { deploy } from './deploy.js';

const COMMANDS: Record<CommandName, (ctx: CommandContext) => Promise<void>> = {
  deploy,
};

export function runCommand(name: CommandName, ctx: CommandContext): Promise<void> {
  return COMMANDS[name](ctx);
}
