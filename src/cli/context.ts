/** Builds the CommandContext for a CLI run: config, hosts, SSH access, run info — from argv and this machine. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { type CommandContext, warn } from '../commands/context.js';
import { runsHooks } from '../commands/index.js';
import { loadConfig } from '../config/index.js';
import type { Access } from '../fleet/connect.js';
import { ignoredHosts, selectedHosts } from '../fleet/shard.js';
import type { Log } from '../log.js';
import { RunReport } from '../report/report.js';
import { runInfoFromEnv, type RunInfo } from '../run-info.js';
import {
  type Certificate,
  checkUserCertificate,
  describeCertificate,
  parseCertificate,
} from '../transport/certificate.js';
import { parseKnownHosts } from '../transport/known-hosts.js';
import type { CliArgs } from './args.js';
import type { OutputMask } from './mask.js';
import { readSshConfig, sshConfigCredentials, sshConfigUser, withSshConfig } from './ssh-config.js';

export interface CliEnvironment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  log: Log;
  signal: AbortSignal;
  /** Where the secrets go to be masked in everything the CLI writes. */
  mask?: Pick<OutputMask, 'add'>;
}

/** Where `${NAME}` values come from, as messages say it. */
const ENV_SOURCE = 'the environment';

/** Default key files, tried in this order when there is no agent and no `-i`. */
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** A CLI run's context, plus what the outcome needs to explain a failure. */
export interface CliContext {
  ctx: CommandContext;
  /** The known_hosts file the host keys were checked against. */
  knownHostsFile: string;
  /** What was offered to the hosts, e.g. `the key ~/.ssh/id_ed25519 and the SSH agent`. */
  credentials: string;
}

/** `~/x` → `$HOME/x` (the shell does not expand `--opt=~/x`), then absolute against cwd. */
function path(p: string, cwd: string): string {
  return resolve(cwd, p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p);
}

/** A path as problems show it: relative to the working directory when it is inside it (`deploy.yml:3:5: …`). */
function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function readOrThrow(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : String(error);
    throw new Error(`cannot read the ${what} ${file}: ${why}`);
  }
}

/** Whether a private key (OpenSSH, PEM or PuTTY format) is protected by a passphrase. */
export function isEncryptedKey(text: string): boolean {
  if (/^Proc-Type:\s*4,ENCRYPTED/m.test(text) || text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) return true;
  if (/^Encryption:\s*(?!none\b)\S+/m.test(text)) return true;
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (!body) return false;
  const blob = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (blob.length < magic.length + 4 || blob.subarray(0, magic.length).toString('latin1') !== magic) return false;
  const len = blob.readUInt32BE(magic.length);
  return blob.subarray(magic.length + 4, magic.length + 4 + len).toString('latin1') !== 'none';
}

/** SSH access: the agent and/or a key file, host keys from a known_hosts file (fail closed). */
export function cliAccess(
  args: CliArgs,
  env: NodeJS.ProcessEnv,
  cwd: string,
  log: Log,
  needsSsh: boolean,
  fromSshConfig: { identity?: string; certificate?: string } = {},
): { access: Access; knownHostsFile: string; credentials: string } {
  const knownHostsFile = path(args.knownHosts ?? '~/.ssh/known_hosts', cwd);
  let knownHostsText = '';
  if (args.knownHosts !== undefined || existsSync(knownHostsFile))
    knownHostsText = readOrThrow(knownHostsFile, 'known hosts file');
  // Messages name the file, not the action's input: "add this line to /home/me/.ssh/known_hosts".
  const knownHosts = parseKnownHosts(knownHostsText, { name: knownHostsFile, line: `${knownHostsFile} line` });
  for (const p of knownHosts.problems) log.warning(p);

  const agent = env['SSH_AUTH_SOCK'] || undefined;
  let keyFile = args.identity !== undefined ? path(args.identity, cwd) : fromSshConfig.identity;
  if (!keyFile && !agent) keyFile = DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).find((f) => existsSync(f));
  if (needsSsh && !keyFile && !agent) {
    throw new Error(
      'no SSH credentials: start an ssh-agent with your key loaded (SSH_AUTH_SOCK), or pass -i FILE ' +
        '(no ~/.ssh/id_ed25519, id_ecdsa or id_rsa was found)',
    );
  }
  let privateKey: string | undefined;
  const passphrase = env['DEPLOY_SSH_PASSPHRASE'] || undefined;
  if (keyFile && needsSsh) {
    privateKey = readOrThrow(keyFile, 'private key');
    if (!passphrase && isEncryptedKey(privateKey)) {
      throw new Error(
        `the private key ${keyFile} is encrypted: set DEPLOY_SSH_PASSPHRASE to its passphrase, or load it into ssh-agent`,
      );
    }
  }
  const certificate = needsSsh
    ? cliCertificate(
        args,
        keyFile,
        privateKey,
        cwd,
        log,
        args.identity === undefined ? fromSshConfig.certificate : undefined,
      )
    : undefined;
  const credentials = [
    privateKey ? `the key ${keyFile}${certificate ? ` with its certificate ${certificate.file}` : ''}` : '',
    agent ? `the keys of the SSH agent at ${agent}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  if (needsSsh) {
    log.debug(`host keys from ${knownHostsFile}: ${knownHosts.entries.length} entries`);
    log.debug(`authenticating with ${credentials}`);
  }
  const publicKey = privateKey
    ? `the public key of ${keyFile} (${keyFile}.pub)${agent ? " or of one of the SSH agent's keys (ssh-add -L)" : ''}`
    : "the public key of one of the SSH agent's keys (ssh-add -L lists them)";
  return {
    access: {
      privateKey,
      passphrase,
      agent,
      ...(certificate ? { certificate: certificate.certificate } : {}),
      knownHosts,
      connectTimeoutMs: args.connectTimeoutSeconds * 1000,
      startTimeoutMs: args.startTimeoutSeconds * 1000,
      surface: 'cli',
      names: {
        publicKey,
        passphrase: 'DEPLOY_SSH_PASSPHRASE',
        certificate: { certificate: `the certificate ${certificate?.file}`, key: `the key ${keyFile}` },
      },
    },
    knownHostsFile,
    credentials,
  };
}

/**
 * The user certificate of the key: --certificate FILE, else the key's FILE-cert.pub beside it (as ssh finds it),
 * checked (a user certificate, valid now); its principals and validity in the debug lines.
 */
function cliCertificate(
  args: CliArgs,
  keyFile: string | undefined,
  privateKey: string | undefined,
  cwd: string,
  log: Log,
  configured?: string,
): { file: string; certificate: Certificate } | undefined {
  if (args.certificate !== undefined && !privateKey) {
    throw new Error('--certificate needs -i FILE: the private key the certificate was signed for');
  }
  const beside = keyFile ? `${keyFile}-cert.pub` : undefined;
  const file =
    args.certificate !== undefined
      ? path(args.certificate, cwd)
      : (configured ?? (beside && existsSync(beside) ? beside : undefined));
  if (!file || !privateKey) return undefined;
  const source = `the certificate ${file}`;
  const certificate = parseCertificate(readOrThrow(file, 'certificate'), source);
  log.debug(`certificate ${file}: ${describeCertificate(certificate)}`);
  checkUserCertificate(certificate, source);
  return { file, certificate };
}

/** Output of a git command in dir, or '' when dir is not a git checkout (or git is missing). */
function git(dir: string, args: string[]): string {
  try {
    return execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
  } catch {
    return '';
  }
}

/** Who and what: the source's commit and branch (from git), the local user; there is no run URL. */
export function cliRunInfo(source: string, env: NodeJS.ProcessEnv): RunInfo {
  const sha = git(source, ['rev-parse', '--verify', '-q', 'HEAD']);
  const ref = sha ? git(source, ['symbolic-ref', '-q', 'HEAD']) : '';
  return runInfoFromEnv(env, { sha, ref, actor: env['USER'] || env['LOGNAME'] || '', runUrl: '' });
}

/** Everything a command needs. Throws ConfigError for the config, Error for anything else the user must fix. */
export function buildCliContext(args: CliArgs, host: CliEnvironment): CliContext {
  const { env, cwd, log, signal } = host;
  const expandEnv = runsHooks(args.command, args.dryRun);
  const sshConfig = readSshConfig(args.sshConfig, (p) => path(p, cwd));
  const userFromSshConfig = new Set<string>();
  const userFor = sshConfig
    ? (name: string) => {
        const user = sshConfigUser(sshConfig, name);
        if (user !== undefined) userFromSshConfig.add(name);
        return user;
      }
    : undefined;
  const loaded = loadConfig({
    file: shown(path(args.config, cwd)),
    environment: args.environment,
    env,
    envSource: ENV_SOURCE,
    expandEnv,
    surface: 'cli',
    ...(userFor ? { userFor } : {}),
  });
  host.mask?.add(loaded.secrets);
  const { hosts: selected, ...sharded } = selectedHosts(loaded, args.command, args.hosts, args.shard, '--');
  const fromSshConfig = sshConfig ? sshConfigCredentials(args, selected, sshConfig, log) : {};
  const config = {
    ...loaded,
    ...sharded,
    hosts: sshConfig ? withSshConfig(selected, sshConfig, userFromSshConfig, log) : selected,
  };
  const source = path(args.source, cwd);
  log.debug(`config ${loaded.file}, environment ${config.environment}: ${config.hosts.map((h) => h.name).join(', ')}`);
  log.debug(`source ${source}`);
  const { access, knownHostsFile, credentials } = cliAccess(
    args,
    env,
    cwd,
    log,
    config.hosts.some((h) => !h.local),
    fromSshConfig,
  );
  host.mask?.add([access.privateKey ?? '', access.passphrase ?? ''], { credential: true });
  const ctx: CommandContext = {
    config,
    run: cliRunInfo(source, env),
    access,
    log,
    report: new RunReport(args.command, config.environment, config.application),
    source,
    releaseName: args.releaseName,
    releaseNameExists: args.releaseNameExists,
    dryRun: args.dryRun,
    force: args.force,
    ...(args.exec ? { exec: args.exec } : {}),
    maintenance: args.maintenance,
    maintenanceState: args.maintenanceState,
    signal,
    surface: 'cli',
  };
  const ignored = ignoredHosts(args.command, args.hosts, config.environment, '--');
  if (ignored) warn(ctx, ignored);
  return { ctx, knownHostsFile, credentials };
}
