/** The CLI's command line: `deploy-action COMMAND ENVIRONMENT [options]`. */
import { parseArgs } from 'node:util';
import { isCommand, type CommandName } from '../commands/names.js';
import { checkReleaseName, RELEASE_NAME_EXISTS, type ReleaseNameExists } from '../releases/name.js';
import { words } from '../remote/quote.js';
import { COMMANDS, DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_START_TIMEOUT_SECONDS } from './help.js';

export { DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_START_TIMEOUT_SECONDS, HELP_WIDTH, helpText, USAGE } from './help.js';

export interface CliArgs {
  command: CommandName;
  environment: string;
  /** As written; relative to the working directory. */
  config: string;
  source: string;
  /** Comma-separated host list ('' = every host). */
  hosts: string;
  /** stage: --shard K/N ('' = no split). */
  shard: string;
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
  /** exec: the command line (the words after `--`), on the first host only, under the deploy lock. */
  exec?: { command: string; once: boolean; lock: boolean };
  /** How much the log says: `quiet` only errors (and the outcome), `verbose` debug lines too. */
  verbosity: Verbosity;
  /** deploy, redeploy: --maintenance (true) or --no-maintenance (false); undefined: as the config says. */
  maintenance?: boolean;
  /** The maintenance command's state (its third word). */
  maintenanceState?: 'on' | 'off';
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

const OPTIONS = {
  config: { type: 'string' },
  source: { type: 'string' },
  hosts: { type: 'string' },
  shard: { type: 'string' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  'release-name': { type: 'string' },
  'release-name-exists': { type: 'string' },
  release: { type: 'string' },
  once: { type: 'boolean' },
  lock: { type: 'boolean' },
  maintenance: { type: 'boolean' },
  'no-maintenance': { type: 'boolean' },
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
  // exec's command: everything after the first `--`, never read as options.
  const dashes = argv.indexOf('--');
  const tail = dashes < 0 ? undefined : argv.slice(dashes + 1);
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(dashes < 0 ? argv : argv.slice(0, dashes));
  } catch (error) {
    throw new UsageError(reword(error));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const [command, environment, ...rest] = positionals;
  // `maintenance ENVIRONMENT on|off`: the state is the third word.
  const state = command === 'maintenance' ? rest.shift() : undefined;
  const extra = rest;
  if (command === undefined) throw new UsageError('missing the command');
  if (!isCommand(command))
    throw new UsageError(`unknown command "${command}"; the commands are: ${Object.keys(COMMANDS).join(', ')}`);
  if (environment === undefined)
    throw new UsageError(`missing the environment, e.g. deploy-action ${command} production`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (command === 'maintenance' && state !== 'on' && state !== 'off')
    throw new UsageError(`maintenance needs the state: deploy-action maintenance ${environment} on|off`);
  if ((values.maintenance || values['no-maintenance']) && command !== 'deploy' && command !== 'redeploy')
    throw new UsageError(`--maintenance and --no-maintenance apply to deploy and redeploy, not ${command}`);
  if (values.maintenance && values['no-maintenance'])
    throw new UsageError('--maintenance and --no-maintenance exclude each other; pick one');

  if (values['release-name'] !== undefined && !['deploy', 'redeploy', 'stage'].includes(command)) {
    throw new UsageError(
      `--release-name names a new release; it applies to deploy, redeploy and stage, not ${command}`,
    );
  }
  const releaseNameExists = nameExists(values['release-name-exists'], command);
  if (values.release !== undefined && !RELEASE_COMMANDS.includes(command)) {
    throw new UsageError(
      `--release names an existing release; it applies to rollback, switch and discard, not ${command}${command === 'deploy' || command === 'redeploy' || command === 'stage' ? ' (use --release-name)' : ''}`,
    );
  }
  if (values.shard !== undefined && command !== 'stage')
    throw new UsageError(`--shard applies to stage, not ${command}`);
  if (values.force && command !== 'unlock') throw new UsageError(`--force applies to unlock, not ${command}`);
  for (const name of ['once', 'lock'] as const)
    if (values[name] && command !== 'exec') throw new UsageError(`--${name} applies to exec, not ${command}`);
  if (tail && command !== 'exec') throw new UsageError(`"--" and a command apply to exec, not ${command}`);
  if (command === 'exec' && !tail?.some((w) => w.trim()))
    throw new UsageError(
      `exec needs the command after --, e.g. deploy-action exec ${environment} -- php artisan about`,
    );
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
  for (const name of ['release-name', 'release'] as const) releaseNameArg(values[name], `--${name}`);
  return {
    kind: 'run',
    command,
    environment,
    config: values.config ?? 'deploy.yml',
    source: values.source ?? '.',
    hosts: values.hosts ?? '',
    shard: values.shard ?? '',
    dryRun: values['dry-run'] ?? false,
    force: values.force ?? false,
    releaseName: RELEASE_COMMANDS.includes(command) ? values.release : values['release-name'],
    ...(releaseNameExists ? { releaseNameExists } : {}),
    identity: values.identity,
    certificate: values.certificate,
    knownHosts: values['known-hosts'],
    ...(values['no-ssh-config'] ? { sshConfig: false as const } : {}),
    ...(values['ssh-config'] === undefined ? {} : { sshConfig: values['ssh-config'] }),
    connectTimeoutSeconds,
    startTimeoutSeconds,
    verbosity: values.quiet ? 'quiet' : values.verbose ? 'verbose' : 'normal',
    ...(tail ? { exec: { command: commandLine(tail), once: values.once ?? false, lock: values.lock ?? false } } : {}),
    ...(values.maintenance || values['no-maintenance'] ? { maintenance: values.maintenance === true } : {}),
    ...(state === 'on' || state === 'off' ? { maintenanceState: state } : {}),
  };
}

/** A release name given on the command line (maybe pasted from a job's output): checked before any host is reached. */
function releaseNameArg(value: string | undefined, option: string): void {
  if (value === undefined) return;
  try {
    checkReleaseName(value, option);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The commands whose --release names an existing release (the others' new one is --release-name). */
const RELEASE_COMMANDS: readonly string[] = ['rollback', 'switch', 'discard'];

/** `--release-name-exists`: fail or suffix, for deploy and redeploy. */
function nameExists(value: string | undefined, command: CommandName): ReleaseNameExists | undefined {
  if (value === undefined) return undefined;
  if (command !== 'deploy' && command !== 'redeploy')
    throw new UsageError(`--release-name-exists applies to deploy and redeploy, not ${command}`);
  const found = RELEASE_NAME_EXISTS.find((v) => v === value);
  if (!found) throw new UsageError(`--release-name-exists: "${value}" is not one of ${RELEASE_NAME_EXISTS.join(', ')}`);
  return found;
}

/**
 * The words after `--` as one command line for bash: one argument is a command line as it is (as ssh runs it:
 * `-- 'cd app && make'`); several are words, each quoted, so `-- php artisan "a b"` keeps its three words.
 */
export function commandLine(args: readonly string[]): string {
  return args.length === 1 ? args[0]! : words(args);
}

/** A `--NAME SECONDS` option: a positive number, or the default when absent. */
function seconds(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!value.trim() || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name}: "${value}" is not a positive number of seconds`);
  return n;
}
