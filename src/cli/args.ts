/** The CLI's command line: `deploy-action COMMAND ENVIRONMENT [options]`. */
import { parseArgs } from 'node:util';
import { isCommand, type CommandName } from '../commands/names.js';
import { RELEASE_NAME_EXISTS, type ReleaseNameExists } from '../releases/name.js';

/** Every command, with the line `--help` shows for it (a Record, so a new command must be added here). */
const COMMANDS: Record<CommandName, string> = {
  deploy: 'build the source and ship it as a new release, switching every host together',
  redeploy: 'a new release copied from the live one (no build): picks up changed shared files, reruns the hooks',
  rollback: 'make the previous good release (or --release NAME) live again',
  unlock: 'remove a deploy lock left behind by a run that died',
  releases: "list each host's releases and which one is live",
  doctor: 'check that each host has what a deploy needs (changes nothing); fails when one lacks it',
};

export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;
export const DEFAULT_START_TIMEOUT_SECONDS = 20;

export interface CliArgs {
  command: CommandName;
  environment: string;
  /** As written; relative to the working directory. */
  config: string;
  source: string;
  /** Comma-separated host list ('' = every host). */
  hosts: string;
  dryRun: boolean;
  /** unlock: remove the lock even while the run holding it still runs on the host. */
  force: boolean;
  /** deploy/redeploy: --release-name; rollback: --release. */
  releaseName?: string;
  /** deploy/redeploy: --release-name-exists (default fail). */
  releaseNameExists?: ReleaseNameExists;
  identity?: string;
  /** An OpenSSH user certificate of the identity (default: the identity's `-cert.pub` beside it, if there is one). */
  certificate?: string;
  /** Undefined: ~/.ssh/known_hosts. */
  knownHosts?: string;
  /** The ssh_config to read: undefined = ~/.ssh/config (when it exists), false = none (--no-ssh-config). */
  sshConfig?: string | false;
  connectTimeoutSeconds: number;
  /** Time each host's login shell gets to start the session. */
  startTimeoutSeconds: number;
  /** How much the log says: `quiet` only errors (and the outcome), `verbose` debug lines too. */
  verbosity: Verbosity;
}

export type Verbosity = 'quiet' | 'normal' | 'verbose';

export type CliRequest = { kind: 'help' } | { kind: 'version' } | ({ kind: 'run' } & CliArgs);

/** A command line we cannot run; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = 'usage: deploy-action COMMAND ENVIRONMENT [options]   (deploy-action --help for more)';

/** The help's width: every line of `--help` fits in it (a test checks). */
export const HELP_WIDTH = 100;
const TERM_COLUMN = 30;

/** `  term      description`, the description wrapped at HELP_WIDTH under its own column. */
function entry(term: string, description: string): string[] {
  const lines: string[] = [];
  let current = `  ${term}`.padEnd(TERM_COLUMN);
  if (current.length > TERM_COLUMN) {
    lines.push(current.trimEnd());
    current = ' '.repeat(TERM_COLUMN);
  }
  let fresh = true;
  for (const word of description.split(' ')) {
    if (!fresh && current.length + 1 + word.length > HELP_WIDTH) {
      lines.push(current);
      current = ' '.repeat(TERM_COLUMN);
      fresh = true;
    }
    current += fresh ? word : ` ${word}`;
    fresh = false;
  }
  lines.push(current);
  return lines;
}

const OPTION_HELP: [string, string][] = [
  ['--config FILE', 'the deploy config (default: deploy.yml)'],
  ['--source DIR', 'the directory to build and ship (default: .)'],
  ['--hosts LIST', 'only these hosts: comma-separated names (user@host:port, host or user@host) or label=NAME'],
  ['--dry-run', 'read the hosts and print the plan; change nothing'],
  [
    '--force',
    'unlock: remove the lock even while the run holding it still runs (that run then stops at its next step and ' +
      'changes nothing more)',
  ],
  ['--release-name NAME', 'deploy, redeploy: name of the new release (default: a UTC timestamp)'],
  [
    '--release-name-exists fail|suffix',
    'deploy, redeploy: when --release-name exists on a host, fail (default) or take the first NAME-2, NAME-3… free on every host',
  ],
  ['--release NAME', 'rollback: the release to make live (default: the previous good one)'],
  [
    '-i, --identity FILE',
    'private key file (default: the SSH agent, else the first of ~/.ssh/id_ed25519, ~/.ssh/id_ecdsa, ~/.ssh/id_rsa)',
  ],
  ['--certificate FILE', "OpenSSH user certificate of the -i key (default: the key's FILE-cert.pub, if it exists)"],
  ['--known-hosts FILE', 'the host keys to match, known_hosts format (default: ~/.ssh/known_hosts)'],
  [
    '--ssh-config FILE',
    'read host aliases, HostName, User, Port, ProxyJump, ProxyCommand, IdentityFile and CertificateFile from ' +
      "FILE as ssh does; deploy.yml's own values win (default: ~/.ssh/config)",
  ],
  ['--no-ssh-config', 'read no ssh_config'],
  ['--connect-timeout SECONDS', `SSH connection timeout per host (default: ${DEFAULT_CONNECT_TIMEOUT_SECONDS})`],
  [
    '--start-timeout SECONDS',
    `time each host's login shell gets to start the session (default: ${DEFAULT_START_TIMEOUT_SECONDS})`,
  ],
  ['-q, --quiet', 'print only errors and the final result'],
  ['-v, --verbose', 'print debug lines too (as DEPLOY_DEBUG=1 does)'],
  ['-h, --help', 'show this help'],
  ['-V, --version', 'show the version'],
];

const ENVIRONMENT_HELP: [string, string][] = [
  ['SSH_AUTH_SOCK', 'the SSH agent to authenticate with'],
  ['DEPLOY_SSH_PASSPHRASE', 'the passphrase of an encrypted private key'],
  ['DEPLOY_DEBUG=1', 'print debug lines (as --verbose does)'],
  ['NO_COLOR', 'set to anything: no colour, even on a terminal (no-color.org)'],
  ['FORCE_COLOR', 'set (and not 0): colour even when the output is not a terminal'],
];

export function helpText(): string {
  return [
    'usage: deploy-action COMMAND ENVIRONMENT [options]',
    '',
    'Atomic releases over SSH with the engine of the deploy-action GitHub Action, from a terminal or',
    'any CI.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).flatMap(([name, what]) => entry(name, what)),
    '',
    'Options:',
    ...OPTION_HELP.flatMap(([term, what]) => entry(term, what)),
    '',
    'Environment:',
    ...ENVIRONMENT_HELP.flatMap(([term, what]) => entry(term, what)),
    '',
    'Exit status: 0 on success, 1 when the run or the config failed, 2 for a usage error, 130 when',
    'cancelled.',
    '',
    'Examples:',
    '  deploy-action deploy production',
    '  deploy-action rollback production --release 20250101120000',
    '  deploy-action releases staging --hosts web1.example.com',
    '',
  ].join('\n');
}

const OPTIONS = {
  config: { type: 'string' },
  source: { type: 'string' },
  hosts: { type: 'string' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  'release-name': { type: 'string' },
  'release-name-exists': { type: 'string' },
  release: { type: 'string' },
  identity: { type: 'string', short: 'i' },
  certificate: { type: 'string' },
  'known-hosts': { type: 'string' },
  'ssh-config': { type: 'string' },
  'no-ssh-config': { type: 'boolean' },
  'connect-timeout': { type: 'string' },
  'start-timeout': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

/** node:util's messages for a bad option, reworded for a user who has not read Node's docs. */
function reword(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-[^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(message) ? `option ${option} needs a value` : `option ${option} takes no value`;
  }
  return message.split('\n')[0]!;
}

/** Parses argv (without `node` and the script). Throws UsageError. */
const parseOptions = (args: string[]) => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });

export function parseCliArgs(argv: string[]): CliRequest {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError(reword(error));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const [command, environment, ...extra] = positionals;
  if (command === undefined) throw new UsageError('missing the command');
  if (!isCommand(command))
    throw new UsageError(`unknown command "${command}"; the commands are: ${Object.keys(COMMANDS).join(', ')}`);
  if (environment === undefined)
    throw new UsageError(`missing the environment, e.g. deploy-action ${command} production`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);

  if (values['release-name'] !== undefined && command !== 'deploy' && command !== 'redeploy') {
    throw new UsageError(`--release-name names a new release; it applies to deploy and redeploy, not ${command}`);
  }
  const releaseNameExists = nameExists(values['release-name-exists'], command);
  if (values.release !== undefined && command !== 'rollback') {
    throw new UsageError(
      `--release is the rollback target; it applies to rollback, not ${command}${command === 'deploy' || command === 'redeploy' ? ' (use --release-name)' : ''}`,
    );
  }
  if (values.force && command !== 'unlock') throw new UsageError(`--force applies to unlock, not ${command}`);
  if (values['no-ssh-config'] && values['ssh-config'] !== undefined)
    throw new UsageError('--ssh-config and --no-ssh-config exclude each other; pick one');
  if (values.quiet && values.verbose) throw new UsageError('--quiet and --verbose exclude each other; pick one');
  const connectTimeoutSeconds = seconds(values['connect-timeout'], 'connect-timeout', DEFAULT_CONNECT_TIMEOUT_SECONDS);
  const startTimeoutSeconds = seconds(values['start-timeout'], 'start-timeout', DEFAULT_START_TIMEOUT_SECONDS);
  for (const name of [
    'config',
    'source',
    'identity',
    'certificate',
    'known-hosts',
    'ssh-config',
    'release-name',
    'release',
  ] as const) {
    if (values[name] === '') throw new UsageError(`--${name} must not be empty`);
  }
  return {
    kind: 'run',
    command,
    environment,
    config: values.config ?? 'deploy.yml',
    source: values.source ?? '.',
    hosts: values.hosts ?? '',
    dryRun: values['dry-run'] ?? false,
    force: values.force ?? false,
    releaseName: command === 'rollback' ? values.release : values['release-name'],
    ...(releaseNameExists ? { releaseNameExists } : {}),
    identity: values.identity,
    certificate: values.certificate,
    knownHosts: values['known-hosts'],
    ...(values['no-ssh-config'] ? { sshConfig: false as const } : {}),
    ...(values['ssh-config'] === undefined ? {} : { sshConfig: values['ssh-config'] }),
    connectTimeoutSeconds,
    startTimeoutSeconds,
    verbosity: values.quiet ? 'quiet' : values.verbose ? 'verbose' : 'normal',
  };
}

/** `--release-name-exists`: fail or suffix, for deploy and redeploy. */
function nameExists(value: string | undefined, command: CommandName): ReleaseNameExists | undefined {
  if (value === undefined) return undefined;
  if (command !== 'deploy' && command !== 'redeploy')
    throw new UsageError(`--release-name-exists applies to deploy and redeploy, not ${command}`);
  const found = RELEASE_NAME_EXISTS.find((v) => v === value);
  if (!found) throw new UsageError(`--release-name-exists: "${value}" is not one of ${RELEASE_NAME_EXISTS.join(', ')}`);
  return found;
}

/** A `--NAME SECONDS` option: a positive number, or the default when absent. */
function seconds(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!value.trim() || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name}: "${value}" is not a positive number of seconds`);
  return n;
}
