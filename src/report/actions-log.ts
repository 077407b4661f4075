import * as core from '@actions/core';
import type { Log } from './log.js';

/** The Actions log: groups fold, warnings and errors become annotations. */
export const actionsLog: Log = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  error: (m) => core.error(m),
  debug: (m) => core.debug(m),
  group: (title, fn) => core.group(title, fn),
};
