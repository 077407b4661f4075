import * as core from '@actions/core';
import { type CommandContext, warn } from '../commands/context.js';
import { loadConfig, type EnvironmentConfig } from '../config/index.js';
import type { Access } from '../fleet/connect.js';
import { ignoredHosts, selectedHosts } from '../fleet/shard.js';
import type { RunReport } from '../report/report.js';
import { runInfoFromEnv } from '../run-info.js';
import {
  type Certificate,
  checkUserCertificate,
  describeCertificate,
  parseCertificate,
} from '../transport/certificate.js';
import { parseKnownHosts, type KnownHosts } from '../transport/known-hosts.js';
import { actionsLog } from './actions-log.js';
import { maskSecrets, readInputs, type Inputs } from './inputs.js';
import { actionState } from './state.js';

/** The action's inputs; the credentials among them are masked in the log at once. */
export function actionInputs(): Inputs {
  const inputs = readInputs();
  maskSecrets([inputs.sshPrivateKey, inputs.sshPassphrase, inputs.githubToken], { credential: true });
  return inputs;
}

/**
 * The environment's config with the hosts the `hosts` input selects. `${NAME}` values are read from the env only
 * when the run may run hooks (`expandEnv`; the post step never does), and masked.
 */
export function actionConfig(inputs: Inputs, expandEnv: boolean): EnvironmentConfig {
  const loaded = loadConfig({ file: inputs.config, environment: inputs.environment, env: process.env, expandEnv });
  maskSecrets(loaded.secrets);
  return { ...loaded, ...selectedHosts(loaded, inputs.command, inputs.hosts, inputs.shard, 'input ') };
}

/** How the hosts are reached, from the inputs. */
export function actionAccess(inputs: Inputs, knownHosts: KnownHosts = parseKnownHosts(inputs.knownHosts)): Access {
  return {
    privateKey: inputs.sshPrivateKey || undefined,
    passphrase: inputs.sshPassphrase || undefined,
    certificate: actionCertificate(inputs),
    knownHosts,
    connectTimeoutMs: inputs.connectTimeoutSeconds * 1000,
    startTimeoutMs: inputs.startTimeoutSeconds * 1000,
  };
}

const CERTIFICATE_SOURCE = 'the certificate in ssh-certificate';

/**
 * The user certificate of the `ssh-certificate` input, checked before any host is reached: a user certificate
 * (of ssh-private-key: checked when connecting), valid now. Its principals and validity are in the debug log.
 */
function actionCertificate(inputs: Inputs): Certificate | undefined {
  if (!inputs.sshCertificate.trim()) return undefined;
  if (!inputs.sshPrivateKey) {
    throw new Error('input ssh-certificate needs ssh-private-key: the private key the certificate was signed for');
  }
  const certificate = parseCertificate(inputs.sshCertificate, CERTIFICATE_SOURCE);
  core.debug(`ssh-certificate: ${describeCertificate(certificate)}`);
  checkUserCertificate(certificate, CERTIFICATE_SOURCE);
  return certificate;
}

/** The main step's command context: access checked (known-hosts problems warned of, a key for remote hosts). */
export async function commandContext(
  inputs: Inputs,
  config: EnvironmentConfig,
  report: RunReport,
  signal: AbortSignal,
): Promise<CommandContext> {
  const knownHosts = parseKnownHosts(inputs.knownHosts);
  for (const p of knownHosts.problems) core.warning(p);
  const ignored = ignoredHosts(inputs.command, inputs.hosts, config.environment, 'input ');
  if (ignored) warn({ log: actionsLog, report }, ignored);
  if (!inputs.sshPrivateKey && config.hosts.some((h) => !h.local)) {
    throw new Error('input ssh-private-key is required to reach the hosts of this environment');
  }
  const run = runInfoFromEnv(process.env);
  report.links = { server: run.serverUrl, repository: run.repository, runUrl: run.runUrl };
  return {
    config,
    run,
    access: actionAccess(inputs, knownHosts),
    log: actionsLog,
    report,
    source: inputs.source,
    releaseName:
      (['rollback', 'switch', 'discard'].includes(inputs.command) ? inputs.release : inputs.releaseName) || undefined,
    releaseNameExists: inputs.releaseNameExists,
    dryRun: inputs.dryRun,
    force: inputs.force,
    ...(inputs.exec ? { exec: inputs.exec } : {}),
    maintenance: inputs.maintenance,
    maintenanceState: inputs.state,
    state: actionState,
    signal,
    // The GitHub API client is loaded only when a deployment record is asked for: start-up stays quick.
    observer:
      inputs.githubDeployment && !inputs.dryRun
        ? (await import('./github/index.js')).githubObserver(inputs, config, run)
        : undefined,
  };
}
