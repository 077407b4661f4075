import { isAbsolute, relative } from 'node:path';
import { runCommand, runsHooks } from '../commands/index.js';
import { ConfigError } from '../config/index.js';
import { failureOf } from '../report/failure.js';
import { RunReport } from '../report/report.js';
import { resultLine } from '../report/result-line.js';
import { renderSummary } from '../report/summary.js';
import { textBlocks } from '../report/text.js';
import { cancelOnSignals } from '../signals.js';
import { actionsLog } from './actions-log.js';
import { annotateFailure } from './annotations.js';
import { actionConfig, actionInputs, commandContext } from './context.js';
import { configErrorSummary, startErrorSummary, writeJobSummary } from './job-summary.js';
import { hostsOutput, setOutputs } from './outputs.js';
import { setIsPost } from './state.js';

/** The action's main step: inputs and config in, one command run, outputs and a job summary out. */
export async function main(): Promise<void> {
  setIsPost();
  const cancel = cancelOnSignals(actionsLog);
  let report: RunReport | undefined;
  let hosts: string[] = [];
  let command = 'deploy-action';
  let dryRun = false;
  try {
    const inputs = actionInputs();
    command = inputs.command;
    dryRun = inputs.dryRun === true;
    const config = actionConfig(inputs, runsHooks(inputs.command, inputs.dryRun));
    hosts = hostsOutput(config.hosts);
    report = new RunReport(inputs.command, config.environment, config.application);
    report.configPath = configShown(inputs.config);
    await runCommand(inputs.command, await commandContext(inputs, config, report, cancel.signal));
  } catch (error) {
    reportFailure(report, error);
    // A run stopped by its config or inputs has no report: the problems are its summary.
    if (!report)
      await writeJobSummary(
        error instanceof ConfigError ? configErrorSummary(command, error) : startErrorSummary(command, error),
      );
  } finally {
    cancel.dispose();
    if (report) {
      report.finish();
      actionsLog.endGroup();
      // A command's plan or listing: in the log as text (outside any group), in the summary as Markdown.
      for (const line of textBlocks(report.details)) actionsLog.info(line);
      // The last line of the log.
      actionsLog.info(resultLine(report, hosts.length, dryRun));
      setOutputs(report, hosts);
      await writeJobSummary(renderSummary(report));
    }
  }
}

/** The config's path relative to the workspace (a terminal's checkout), unless it is the default `deploy.yml`. */
function configShown(path: string): string | undefined {
  const shown = relative(process.env['GITHUB_WORKSPACE'] || process.cwd(), path);
  if (shown === 'deploy.yml') return undefined;
  return shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

/** A failed run: into the report (the summary says what each host did and undid), the output's last lines, an annotation. */
function reportFailure(report: RunReport | undefined, error: unknown): void {
  const failure = failureOf(error);
  if (report) report.failure = failure;
  if (failure.tail.length) {
    actionsLog.info(`Last lines of output from ${failure.host ?? 'the hosts'}:`);
    actionsLog.output(failure.tail.join('\n'));
  }
  annotateFailure(report?.command ?? 'deploy-action', error, failure);
}
