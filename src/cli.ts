#!/usr/bin/env node
// The CLI entry (bundled to dist/cli/index.js): argv → context → the same commands as the action → plain-text outcome.
import './esm-shims.js';
import { type CliRequest, helpText, parseCliArgs, USAGE, UsageError } from './cli/args.js';
import { buildCliContext, type CliContext } from './cli/context.js';
import { maskOutput, type OutputMask } from './cli/mask.js';
import { EXIT, failure, runTitle, success } from './cli/outcome.js';
import { packageVersion } from './cli/version.js';
import { runCommand } from './commands/index.js';
import { consoleLog } from './report/console-log.js';
import { styleFor } from './report/style.js';
import { cancelOnSignals } from './signals.js';
import { coalesceWrites } from './coalesce-writes.js';
import { CommandsOff, inertText } from './report/workflow-commands.js';

/**
 * Inside a CI job (GITHUB_ACTIONS=true) the runner reads workflow commands in our output, which carries host text:
 * stdout goes out as one stop-commands block (the CLI issues no command of its own), and every stderr line is made
 * inert (stderr cannot share the block: the runner reads the two pipes in no fixed order).
 */
const ci = process.env['GITHUB_ACTIONS'] === 'true';

async function cli(argv: string[], mask: OutputMask): Promise<number> {
  let request: CliRequest;
  try {
    request = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`deploy-action: ${error.message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (request.kind !== 'run') {
    process.stdout.write(request.kind === 'help' ? helpText() : `deploy-action ${packageVersion()}\n`);
    return EXIT.ok;
  }

  // Colour is decided per stream: `deploy-action … | less` still colours the errors on the terminal.
  const style = { out: styleFor(process.stdout), err: styleFor(process.stderr) };
  const log = consoleLog({
    debug: request.verbosity === 'verbose' || process.env['DEPLOY_DEBUG'] === '1',
    quiet: request.verbosity === 'quiet',
    live: process.stdout.isTTY === true && !ci,
    style,
    ci,
  });
  log.debug(`deploy-action ${packageVersion()} on Node.js ${process.version}`);
  const cancel = cancelOnSignals(log);
  let run: CliContext | undefined;
  try {
    run = buildCliContext(request, { env: process.env, cwd: process.cwd(), log, signal: cancel.signal, mask });
    const { ctx } = run;
    await log.group(runTitle(request.command, ctx), () => runCommand(request.command, ctx));
    log.endLive();
    const outcome = success(ctx.report, ctx.dryRun, style.out);
    // Quiet: the result is all there is on stdout, so no blank line sets it apart from the progress.
    process.stdout.write(request.verbosity === 'quiet' ? outcome.text.replace(/^\n/, '') : outcome.text);
    return outcome.code;
  } catch (error) {
    log.endLive();
    const outcome = failure(run?.ctx.report, error, {
      knownHostsFile: run?.knownHostsFile,
      credentials: run?.credentials,
      cancelled: cancel.signal.aborted,
      dryRun: request.dryRun,
      style: style.err,
    });
    process.stderr.write(ci ? inertText(outcome.text) : outcome.text);
    return outcome.code;
  } finally {
    cancel.dispose();
  }
}

// Every byte written is masked first (secrets become ***); then progress on stdout leaves in one write per tick,
// and warnings on stderr still come after the lines printed before them.
const mask = maskOutput([process.stdout, process.stderr]);
coalesceWrites(process.stdout, { flushOnExit: true, orderedBefore: [process.stderr] });
if (ci) new CommandsOff(process.stdout, true);
process.exitCode = await cli(process.argv.slice(2), mask);
mask.flush();
