/** The CLI's `--help`: the commands, the options and the environment variables, wrapped to fit 100 columns. */
import type { CommandName } from '../commands/names.js';

/** Every command, with the line `--help` shows for it (a Record, so a new command must be added here). */
export const COMMANDS: Record<CommandName, string> = {
  deploy: 'build the source and ship it as a new release, switching every host together',
  redeploy: 'a new release copied from the live one (no build): picks up changed shared files, reruns the hooks',
  rollback: 'make the previous good release (or --release NAME) live again',
  unlock: 'remove a deploy lock left behind by a run that died',
  releases: "list each host's releases and which one is live",
  doctor: 'check that each host has what a deploy needs (changes nothing); fails when one lacks it',
  maintenance: "ENVIRONMENT on|off: run the config's maintenance `on` or `off` command on each host, under the lock",
  exec: 'run a command in current/ on the hosts: exec ENVIRONMENT [--once] [--lock] -- COMMAND [ARGS...]',
  stage:
    'build and stage a new release with its deploy hooks, held on each host for a later switch (nothing goes live)',
  switch: 'switch ENVIRONMENT --release NAME: make a staged release live on every host, all or nothing',
  discard: 'discard ENVIRONMENT --release NAME: remove a staged release and its hold from every host',
};

export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;
export const DEFAULT_START_TIMEOUT_SECONDS = 20;

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
  ['--shard K/N', 'stage: only slice K of N of the hosts (config order, N contiguous slices)'],
  ['--dry-run', 'read the hosts and print the plan; change nothing'],
  [
    '--force',
    'unlock: remove the lock even while the run holding it still runs (that run then stops at its next step and ' +
      'changes nothing more)',
  ],
  [
    '--release-name NAME',
    'deploy, redeploy, stage: name of the new release (default: a UTC timestamp; stage: run-<GITHUB_RUN_ID> on a runner)',
  ],
  [
    '--release-name-exists fail|suffix',
    'deploy, redeploy: when --release-name exists on a host, fail (default) or take the first NAME-2, NAME-3… free on every host',
  ],
  [
    '--release NAME',
    'rollback: the release to make live (default: the previous good one); switch, discard: the staged one',
  ],
  [
    '--maintenance, --no-maintenance',
    "deploy, redeploy: wrap the run in the config's maintenance commands, or not (default: maintenance.deploy)",
  ],
  ['--once', 'exec: run on the first selected host only'],
  ['--lock', 'exec: take the deploy lock (refused while another run holds it); default: no lock'],
  ['-- COMMAND [ARGS...]', 'exec: the command; one argument is a bash command line, several are words kept whole'],
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
    '  deploy-action maintenance production on',
    '  deploy-action exec production --hosts label=worker -- php artisan queue:restart',
    '',
  ].join('\n');
}
