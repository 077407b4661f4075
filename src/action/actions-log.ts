import * as core from '@actions/core';
import type { Log } from '../log.js';
import { CommandsOff, mayBeCommand } from '../report/workflow-commands.js';

let block: CommandsOff | undefined;

/** Host text in the Actions log: inside a stop-commands block on stdout, opened at the first host line. */
function hostText(text: string): void {
  block ??= new CommandsOff(process.stdout);
  block.lines([text]);
}

/**
 * The Actions log: groups fold, warnings and errors become annotations (@actions/core escapes their text: a line
 * break or `%` in it cannot end the command). Host text is never read as a workflow command; neither is our own
 * text when a host value in it could be (it goes through the same block).
 */
export const actionsLog: Log = {
  info: (m) => (mayBeCommand(m) ? hostText(m) : core.info(m)),
  output: (m) => hostText(m),
  warning: (m) => core.warning(m),
  error: (m) => core.error(m),
  debug: (m) => core.debug(m),
  group: (title, fn) => core.group(title, fn),
};
