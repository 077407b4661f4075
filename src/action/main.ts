import * as core from '@actions/core';
import type { CommandContext } from '../commands/context.js';
import { Cancelled } from '../errors.js';
import { runCommand, runsHooks } from '../commands/index.js';
import { loadConfig } from '../config/index.js';
import { readInputs, maskSecrets } from './inputs.js';
import { selectHosts } from '../fleet/select.js';
import { parseKnownHosts } from '../transport/known-hosts.js';
import { actionsLog } from './actions-log.js';
import { annotateFailure } from './annotations.js';
import { failureOf, untouchedAfterFailure } from '../report/failure.js';
import { setOutputs } from './outputs.js';
import { RunReport } from '../report/report.js';
import { renderSummary } from '../report/summary.js';
import { runInfoFromEnv } from '../run-info.js';
import { actionState, markMainStarted } from './state.js';
import { cancelOnSignals } from '../signals.js';

/** The action's main step: inputs and config in, one command run, outputs and a job summary out. */
export async function main(): Promise<void> {
  markMainStarted();
  const cancel = cancelOnSignals(actionsLog);
  let report: RunReport | undefined;
  let hosts: string[] = [];
  try {
    const inputs = readInputs();
    maskSecrets([inputs.sshPrivateKey, inputs.sshPassphrase, inputs.githubToken], { credential: true });
    const expandEnv = runsHooks(inputs.command, inputs.dryRun);
    const loaded = loadConfig({ file: inputs.config, environment: inputs.environment, env: process.env, expandEnv });
    maskSecrets(loaded.secrets);
    const config = { ...loaded, hosts: selectHosts(loaded.hosts, inputs.hosts, 'input hosts') };
    hosts = config.hosts.map((h) => h.name);
    report = new RunReport(inputs.command, config.environment, config.application);
    const kh = parseKnownHosts(inputs.knownHosts);
    kh.problems.forEach((p) => core.warning(p));
    if (!inputs.sshPrivateKey && config.hosts.some((h) => !h.local)) {
      throw new Error('input ssh-private-key is required to reach the hosts of this environment');
    }
    const run = runInfoFromEnv(process.env);
    report.links = { server: run.serverUrl, repository: run.repository, runUrl: run.runUrl };
    const ctx: CommandContext = {
      config,
      run,
      access: {
        privateKey: inputs.sshPrivateKey || undefined,
        passphrase: inputs.sshPassphrase || undefined,
        knownHosts: kh,
        connectTimeoutMs: inputs.connectTimeoutSeconds * 1000,
        startTimeoutMs: inputs.startTimeoutSeconds * 1000,
      },
      log: actionsLog,
      report,
      source: inputs.source,
      releaseName: (inputs.command === 'rollback' ? inputs.release : inputs.releaseName) || undefined,
      dryRun: inputs.dryRun,
      force: inputs.force,
      state: actionState,
      signal: cancel.signal,
      // The GitHub API client is loaded only when a deployment record is asked for: start-up stays quick.
      observer: inputs.githubDeployment && !inputs.dryRun ? (await import('./github/index.js')).githubObserver(inputs, config, run) : undefined,
    };
    await runCommand(inputs.command, ctx);
  } catch (error) {
    const failure = failureOf(error);
    if (report) {
      report.failure = failure;
      if (failure.host !== 'runner' || error instanceof Cancelled) report.untouched.push(...untouchedAfterFailure(report.command));
    }
    if (failure.tail.length) {
      actionsLog.info(`Last lines of output from ${failure.host}:`);
      actionsLog.output(failure.tail.join('\n'));
    }
    annotateFailure(report?.command ?? 'deploy-action', error, failure);
  } finally {
    cancel.dispose();
    if (report) {
      report.finish();
      setOutputs(report, hosts);
      await core.summary.addRaw(renderSummary(report)).write();
    }
  }
}
