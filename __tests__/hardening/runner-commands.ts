/**
 * The GitHub runner's own rules for workflow commands in a step's output (actions/runner: ActionCommandManager
 * .TryProcessCommand, ActionCommand.TryParseV2 and TryParse), applied to captured output so a test can list every
 * command the runner would have executed:
 * - the output is read line by line with .NET's ReadLine: `\n`, `\r` and `\r\n` all end a line;
 * - v2: the line with leading white space trimmed starts with `::`; the command name runs to the first space or the
 *   next `::`; it counts only when it is a registered command (case-insensitive);
 * - v1: `##[` ANYWHERE in the line, the name up to a space or `]`, registered;
 * - `::stop-commands::TOKEN` stops processing: until a line whose command name is TOKEN (v1 or v2, any case), no
 *   command is executed; the stop and resume lines are echoed. An empty token never resumes.
 */

const REGISTERED = [
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'warning',
  'error',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo',
  'stop-commands',
];

export interface RunnerCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
  line: string;
}

/** .NET's Char.IsWhiteSpace, widened (JS \s, U+001C..U+001F, U+0085): finding more than the runner is the safe side. */
const LEADING_SPACE = /^[\s\x1c-\x1f\x85]+/;

function unescapeCommand(text: string, props: boolean): string {
  let out = text.replace(/%0D/g, '\r').replace(/%0A/g, '\n');
  if (props) out = out.replace(/%3A/g, ':').replace(/%2C/g, ',');
  return out.replace(/%25/g, '%');
}

function v2(line: string, registered: Set<string>): RunnerCommand | undefined {
  const message = line.replace(LEADING_SPACE, '');
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const p of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const at = p.indexOf('=');
      if (at > 0 && at < p.length - 1) properties[p.slice(0, at)] = unescapeCommand(p.slice(at + 1), true);
    }
  }
  return { name, properties, data: unescapeCommand(message.slice(end + 2), false), line };
}

function v1(line: string, registered: Set<string>): RunnerCommand | undefined {
  const at = line.indexOf('##[');
  if (at < 0) return undefined;
  const rb = line.indexOf(']', at);
  if (rb < 0) return undefined;
  const info = line.slice(at + 3, rb);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return undefined;
  return { name, properties: {}, data: line.slice(rb + 1), line };
}

export interface RunnerView {
  /** Every command the runner would have executed, stop and resume lines included. */
  commands: RunnerCommand[];
  /** The output ended inside a stop-commands block: later steps' commands would be ignored. */
  stoppedAtEnd: boolean;
}

/** What the runner makes of one stream of output. */
export function runnerCommands(output: string): RunnerView {
  const registered = new Set(REGISTERED);
  const commands: RunnerCommand[] = [];
  let stopToken: string | undefined;
  for (const line of output.split(/\r\n|\r|\n/)) {
    if (!line) continue;
    const command = v2(line, registered) ?? v1(line, registered);
    if (!command) continue;
    if (stopToken !== undefined) {
      if (stopToken !== '' && command.name.toLowerCase() === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase());
        stopToken = undefined;
        commands.push(command);
      }
      continue;
    }
    if (command.name.toLowerCase() === 'stop-commands') {
      stopToken = command.data;
      registered.add(stopToken.toLowerCase());
    }
    commands.push(command);
  }
  return { commands, stoppedAtEnd: stopToken !== undefined };
}

/** The commands an action legitimately issues on its own: annotations, groups, masks, and its stop/resume pairs. */
const OWN = new Set(['warning', 'error', 'notice', 'debug', 'group', 'endgroup', 'add-mask', 'stop-commands']);

/**
 * Commands in the output that the action did not issue itself: one whose properties or data start with `marker`
 * (the test's hostile lines all do; the action's own failure annotation may quote host text further on, escaped),
 * any command outside OWN other than the resume of a token the action chose, and a stop-commands block left open.
 */
export function foreignCommands(output: string, marker: RegExp): string[] {
  const view = runnerCommands(output);
  const tokens = new Set<string>();
  const bad: string[] = [];
  for (const c of view.commands) {
    const name = c.name.toLowerCase();
    if (name === 'stop-commands') tokens.add(c.data.toLowerCase());
    const forged =
      Object.values(c.properties).some((p) => marker.test(p)) || new RegExp(`^\\s*(?:${marker.source})`).test(c.data);
    const own = OWN.has(name) || tokens.has(name);
    if (
      !own ||
      forged ||
      (name === 'stop-commands' && !/^[0-9a-f]{16,}$/i.test(c.data)) ||
      (name === 'add-mask' && c.data === 'deploy')
    ) {
      bad.push(JSON.stringify(c.line));
    }
  }
  if (view.stoppedAtEnd) bad.push('(the output ends inside a stop-commands block)');
  return bad;
}
