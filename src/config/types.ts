/** The validated, typed result of loading `deploy.yml` for one environment. */
import type { ConfigProblem, SourcePosition } from './errors.js';

export const WRITABLE_MODES = ['acl', 'chmod', 'chown', 'chgrp', 'skip'] as const;
export type WritableMode = (typeof WRITABLE_MODES)[number];

/** `all-at-once`: every host switches together; `rolling`: hosts switch in batches of `batch_size`. */
export const STRATEGIES = ['all-at-once', 'rolling'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface HostConfig {
  /** Display name: `deploy@web1.example.com`, `deploy@web1.example.com:2222` (port only when not 22), or `local`. */
  name: string;
  /** Host name or IP address (IPv6 without brackets); `localhost` for the local host. */
  host: string;
  /** SSH user; undefined only for the local host. */
  user: string | undefined;
  port: number;
  /** Port 22 written in deploy.yml (`:22`, `port: 22`): the CLI's ssh_config `Port` does not replace it. */
  portWritten?: boolean;
  /** True for the `local` host: run on this machine, no SSH. */
  local: boolean;
  /** The host's own deploy_path, or the environment's. */
  deployPath: string;
  /** Labels of the host (e.g. `web`, `worker`); [] for string entries and `local`. */
  labels: string[];
  /** Jump hosts to go through, the first reached first (OpenSSH ProxyJump); absent or [] for a direct connection. */
  jump?: JumpHost[];
  /** A command on the runner whose stdin and stdout carry the SSH stream (`%h`, `%p`, `%r` not yet expanded). */
  proxyCommand?: string;
  position: SourcePosition;
  /** Its host or user came from a secret (`${NAME}`): the `hosts` output writes it as `***`. */
  masked?: boolean;
  /** Tries after a connection failed before authentication (`connect_retries`), when not the default 2. */
  connectRetries?: number;
  /** The host's own `env` (expanded; over the environment's) and `vars` (plain values, shown in a dry run's plan). */
  env?: Record<string, string>;
  vars?: Record<string, string>;
}

/** One hop of a `jump` chain; `user` is the host's own user when the hop names none. */
export interface JumpHost {
  host: string;
  user: string | undefined;
  port: number;
  /** Its host or user came from a secret (`${NAME}`): the log and the summary write it as `***`. */
  masked?: boolean;
}

/** A host as written (`user@host:port`, `local`), before the environment's defaults are applied. */
export type HostSpec = Omit<HostConfig, 'deployPath'>;

export interface HookConfig {
  /** The shell command. */
  run: string;
  /** What the log and the summary call it (`name:`); without it, the first line of `run`, shortened. */
  name?: string;
  /** Deploy hooks only: run on one host only, before any host switches. Always false for build and activate hooks. */
  once: boolean;
  /** Deploy and activate hooks: the hosts it runs on (`on:`, or `once:` naming hosts); absent: every host. */
  on?: HookTarget;
  position: SourcePosition;
}

/** Where a hook runs, as written: selectors as in the `hosts` input (host names, `label=NAME`). */
export interface HookTarget {
  items: string[];
  /** The key that holds them, for messages. */
  key: 'on' | 'once';
  path: string;
  position: SourcePosition;
}

/** How each host is checked after its switch: exactly one of `url` and `command` is set. */
export interface HealthcheckConfig {
  /** http(s) URL requested from the runner; `{host}` is still in it, to be replaced by each host's host name. */
  url?: string;
  /** Shell command run on the host. */
  command?: string;
  /** Expected HTTP status (meaningful with `url` only; 200 by default). */
  expectStatus: number;
  /** Timeout of one attempt. */
  timeoutMs: number;
  /** Attempts after the first failed one (attempts = retries + 1). */
  retries: number;
  /** Pause between attempts. */
  intervalMs: number;
  position: SourcePosition;
}

/** `maintenance:`: commands run in `current/` on each host; `deploy`: every deploy and redeploy uses them. */
export interface MaintenanceConfig {
  on: string;
  off: string;
  deploy: boolean;
}

/** A `files:` entry of the chosen environment. */
export interface FileConfig {
  path: string;
  release: boolean;
  /** Normalised 4-digit octal. */
  mode: string;
  /** The content, expanded; absent when the command writes no file (a dry run, releases, unlock). */
  content?: string;
  /** sha256 of the content's UTF-8 bytes (hex), with `content`. */
  sha256?: string;
  /** Where the content comes from, for messages: `${APP_KEY} and ${DB_PASSWORD}`, `$GCP_JSON`, or `text`. */
  from: string;
}

export interface EnvironmentConfig {
  application: string;
  environment: string;
  /** The config file, as given to loadConfig. */
  file: string;
  hosts: HostConfig[];
  /** The environment-level deploy_path; '' when every host has its own. */
  deployPath: string;
  url?: string;
  keepReleases: number;
  exclude: string[];
  /** `exclude_from`: a file of exclude patterns in the source directory, with where the config names it. */
  excludeFrom?: { value: string; position: SourcePosition; path: string };
  sharedDirs: string[];
  sharedFiles: string[];
  writableDirs: string[];
  writableMode: WritableMode;
  writableUseSudo: boolean;
  writableRecursive: boolean;
  /** Normalised 4-digit octal, e.g. `0755`. */
  writableChmodMode: string;
  httpUser?: string;
  httpGroup?: string;
  clearPaths: string[];
  clearUseSudo: boolean;
  /** Ship the whole build even where a delta from the live release would do. */
  fullUpload: boolean;
  /** Milliseconds one deploy or activate command may run. */
  hookTimeoutMs: number;
  /** stage: how long a staged release holds the hosts; its link while staged (see schema-stage.ts). */
  stageTtlMs: number;
  previewLink?: string;
  /** Environment variables for hooks, `${NAME}` references expanded. */
  env: Record<string, string>;
  /**
   * Values that came from `${NAME}` substitution (full values and substituted pieces) in `env` and in the hosts'
   * fields (a host from a secret adds its host name and display name too): mask them.
   */
  secrets: string[];
  /** Tries after a connection failed before authentication. */
  connectRetries: number;
  /**
   * Set when loaded for a command that runs no hook (releases, unlock, dry runs): `env` was not expanded (it is
   * `{}` and `secrets` holds only the hosts' values), so its `${NAME}` need not be set. `unset` lists the references that a command
   * running hooks would refuse.
   */
  envSkipped?: { unset: ConfigProblem[] };
  build: HookConfig[];
  deploy: HookConfig[];
  strategy: Strategy;
  /** Hosts connected to and staged at once. */
  maxParallel: number;
  /** `rolling`: hosts switched per batch (may exceed the number of hosts). */
  batchSize: number;
  /** Commands run on each host right after its switch (e.g. reload php-fpm). */
  activate: HookConfig[];
  /** Commands run on each host after a rollback's switch and its activate commands. */
  rollback: HookConfig[];
  /** Absent when not configured. */
  healthcheck?: HealthcheckConfig;
  /** Absent when not configured. */
  maintenance?: MaintenanceConfig;
  /** Files written on each host (`files:`); their paths in shared/ are in `sharedFiles` too. */
  files: FileConfig[];
  /** `require_shared_files`: the shared files no `files:` entry writes must exist, non-empty, on each host. */
  requireSharedFiles: boolean;
}
