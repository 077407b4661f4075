/** The commands, as the `command` input and the CLI name them. */
export const COMMANDS = [
  'deploy',
  'redeploy',
  'rollback',
  'unlock',
  'releases',
  'doctor',
  'exec',
  'maintenance',
  'stage',
  'switch',
  'discard',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}
