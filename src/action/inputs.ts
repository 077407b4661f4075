import * as core from '@actions/core';
import { isAbsolute, resolve } from 'node:path';

import { COMMANDS, isCommand, type CommandName } from '../commands/names.js';
import { secretPieces, type PieceOptions } from '../config/index.js';
import { checkReleaseName, RELEASE_NAME_EXISTS, type ReleaseNameExists } from '../releases/name.js';

/** The action's inputs as one typed object (names as in action.yml). */
export interface Inputs {
  command: CommandName;
  environment: string;
  config: string;
  source: string;
  sshPrivateKey: string;
  sshPassphrase: string;
  /** An OpenSSH user certificate of the private key (a `-cert.pub` file's text), or ''. */
  sshCertificate: string;
  knownHosts: string;
  releaseName: string;
  /** deploy, redeploy: when `releaseName` exists on a host, fail or take `NAME-2`, `NAME-3`… */
  releaseNameExists: ReleaseNameExists;
  /** rollback: the release to make live (default: the previous good one). */
  release: string;
  dryRun: boolean;
  /** unlock: remove the lock even while the run holding it still runs on the host. */
  force: boolean;
  /** Limit the run to these hosts: names or `label=NAME`, comma-separated. */
  hosts: string;
  /** stage: `K/N`, slice K of N of the hosts ('' = no split). */
  shard: string;
  connectTimeoutSeconds: number;
  /** Time each host's login shell gets to start the session. */
  startTimeoutSeconds: number;
  /** exec: the command line to run, on the first selected host only (`once`), under the deploy lock (`lock`). */
  exec?: { command: string; once: boolean; lock: boolean };
  /** Record the run with GitHub's Deployments API (opt-in). */
  githubDeployment: boolean;
  /** Token for the Deployments API (default: the job's GITHUB_TOKEN). */
  githubToken: string;
  /** deploy, redeploy: wrap the run in maintenance mode; undefined (input empty): as `maintenance.deploy` says. */
  maintenance?: boolean;
  /** The maintenance command: the state to switch to. */
  state?: 'on' | 'off';
}

export function readInputs(): Inputs {
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const inWorkspace = (p: string) => (isAbsolute(p) ? p : resolve(workspace, p));
  const command = core.getInput('command') || 'deploy';
  if (!isCommand(command)) {
    throw new Error(`input command: "${command}" is not a command; use one of: ${COMMANDS.join(', ')}`);
  }
  const timeout = secondsInput('connect-timeout', '30');
  const startTimeout = secondsInput('start-timeout', '20');
  return {
    command,
    environment: core.getInput('environment') || 'production',
    config: inWorkspace(core.getInput('config') || 'deploy.yml'),
    source: inWorkspace(core.getInput('source') || '.'),
    sshPrivateKey: core.getInput('ssh-private-key'),
    sshPassphrase: core.getInput('ssh-passphrase'),
    sshCertificate: core.getInput('ssh-certificate'),
    knownHosts: core.getInput('known-hosts'),
    releaseName: releaseNameInput('release-name', command, ['deploy', 'redeploy', 'stage']),
    releaseNameExists: oneOfInput('release-name-exists', RELEASE_NAME_EXISTS),
    release: releaseNameInput('release', command, ['rollback', 'switch', 'discard']),
    dryRun: booleanInput('dry-run'),
    force: forceInput(command),
    hosts: core.getInput('hosts'),
    shard: shardInput(command),
    connectTimeoutSeconds: timeout,
    startTimeoutSeconds: startTimeout,
    githubDeployment: booleanInput('github-deployment'),
    githubToken: core.getInput('github-token'),
    ...execInputs(command),
    ...maintenanceInputs(command),
  };
}

/** `run`, `once` and `lock` apply to exec only (`run` required there): anywhere else they are a mistake worth saying. */
function execInputs(command: CommandName): Pick<Inputs, 'exec'> {
  const exec = { command: core.getInput('run'), once: booleanInput('once'), lock: booleanInput('lock') };
  if (command === 'exec') {
    if (!exec.command.trim()) throw new Error('input run: command exec needs the command line to run');
    return { exec };
  }
  const set = exec.command ? 'run' : exec.once ? 'once' : exec.lock ? 'lock' : undefined;
  if (set) throw new Error(`input ${set}: applies to command exec only, not ${command}`);
  return {};
}

/** `maintenance` (deploy, redeploy; empty: the config decides) and `state` (the maintenance command: on or off). */
function maintenanceInputs(command: CommandName): Pick<Inputs, 'maintenance' | 'state'> {
  const wrap = core.getInput('maintenance').trim() === '' ? undefined : booleanInput('maintenance');
  if (wrap !== undefined && command !== 'deploy' && command !== 'redeploy')
    throw new Error(`input maintenance: applies to commands deploy and redeploy, not ${command}`);
  const state = core.getInput('state').trim();
  if (command !== 'maintenance') {
    if (state) throw new Error(`input state: applies to command maintenance only, not ${command}`);
    return wrap === undefined ? {} : { maintenance: wrap };
  }
  if (state !== 'on' && state !== 'off')
    throw new Error(`input state: "${state}" must be on or off for command maintenance`);
  return { state };
}

/**
 * Masks every line of every secret, so a multi-line key never reaches the log in any form. `${NAME}` values follow
 * the masking rule (not `true`, `42` or under 4 characters); credentials are masked whatever they are.
 */
export function maskSecrets(values: readonly string[], options: PieceOptions = {}): void {
  for (const piece of secretPieces(values, options)) {
    core.setSecret(piece);
    masked.add(piece);
  }
}

/** Every string masked so far: what the step outputs mask too (the runner masks only the log). */
const masked = new Set<string>();
export const maskedSoFar = (): readonly string[] => [...masked];

/** `force` applies to unlock only: anywhere else it is a mistake worth saying. */
function forceInput(command: CommandName): boolean {
  const force = booleanInput('force');
  if (force && command !== 'unlock') throw new Error(`input force: applies to command unlock only, not ${command}`);
  return force;
}

/** One of `values`, the first when empty. */
function oneOfInput<const V extends string>(name: string, values: readonly V[]): V {
  const value = core.getInput(name).trim() || values[0]!;
  const found = values.find((v) => v === value);
  if (found === undefined) throw new Error(`input ${name}: "${value}" is not one of ${values.join(', ')}`);
  return found;
}

/** A number of seconds: positive, the default when empty. */
function secondsInput(name: string, fallback: string): number {
  const value = Number(core.getInput(name) || fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`input ${name}: must be a positive number of seconds`);
  return value;
}

/** A boolean input (YAML 1.2 core schema words, as core.getBooleanInput), defaulting to false when empty. */
function booleanInput(name: string): boolean {
  const value = core.getInput(name).trim();
  if (value === '') return false;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new Error(`input ${name}: "${value}" is not a boolean; use true or false`);
}

/**
 * `release-name` and `release` where `command` reads them: a release name, often another job's output (which a
 * workflow may fill from a branch name or a dispatch input), so checked here, before any host is reached.
 */
function releaseNameInput(name: string, command: CommandName, readBy: CommandName[]): string {
  const value = core.getInput(name);
  return value && readBy.includes(command) ? checkReleaseName(value, `input ${name}`) : value;
}

/** `shard` applies to stage only. */
function shardInput(command: CommandName): string {
  const shard = core.getInput('shard');
  if (shard && command !== 'stage') throw new Error(`input shard: applies to command stage only, not ${command}`);
  return shard;
}
