/** The validated, typed result of loading `deploy.yml` for one environment. */
import type { SourcePosition } from './errors.js';

export const WRITABLE_MODES = ['acl', 'chmod', 'chown', 'chgrp', 'skip'] as const;
export type WritableMode = (typeof WRITABLE_MODES)[number];

export interface HostConfig {
  /** Display name: `deploy@web1.example.com`, `deploy@web1.example.com:2222` (port only when not 22), or `local`. */
  name: string;
  /** Host name or IP address (IPv6 without brackets); `localhost` for the local host. */
  host: string;
  /** SSH user; undefined only for the local host. */
  user: string | undefined;
  port: number;
  /** True for the `local` host: run on this machine, no SSH. */
  local: boolean;
  /** The host's own deploy_path, or the environment's. */
  deployPath: string;
  position: SourcePosition;
}

/** A host as written (`user@host:port`, `local`), before the environment's defaults are applied. */
export type HostSpec = Omit<HostConfig, 'deployPath'>;

export interface HookConfig {
  /** The shell command. */
  run: string;
  position: SourcePosition;
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
  /** Environment variables for hooks, `${NAME}` references expanded. */
  env: Record<string, string>;
  /** Values that came from `${NAME}` substitution (full values and substituted pieces): mask them. */
  secrets: string[];
  build: HookConfig[];
  deploy: HookConfig[];
}
