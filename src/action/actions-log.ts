import * as core from '@actions/core';
import type { Log } from '../log.js';
import { CommandsOff, mayBeCommand } from '../report/workflow-commands.js';

let block: CommandsOff | undefined;

/** Host text in the Actions log: inside a stop-commands block on stdout, opened at the first host line. */
function hostText(text: string): void {
  block ??= new CommandsOff(process.stdout);
  block.lines([text]);
}

/** Whether a group is open: the Actions log shows no group inside another (a nested one would end the outer). */
let grouped = false;

function startGroup(title: string): void {
  if (grouped) core.endGroup();
  core.startGroup(title);
  grouped = true;
}

function endGroup(): void {
  if (!grouped) return;
  grouped = false;
  core.endGroup();
}

/**
 * The Actions log: groups fold (one at a time), warnings and errors become annotations (@actions/core escapes their text: a line
 * break or `%` in it cannot end the command). Host text is never read as a workflow command; neither is our own
 * text when a host value in it could be (it goes through the same block).
 */
export const actionsLog: Log = {
  info: (m) => (mayBeCommand(m) ? hostText(m) : core.info(m)),
  output: (m) => hostText(m),
  warning: (m) => core.warning(m),
  error: (m) => core.error(m),
  debug: (m) => core.debug(m),
  async group(title, fn) {
    if (grouped) {
      core.info(title);
      return fn();
    }
    startGroup(title);
    try {
      return await fn();
    } finally {
      endGroup();
    }
  },
  startGroup,
  endGroup,
};
