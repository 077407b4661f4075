/**
 * The CLI reads ~/.ssh/config as `ssh` does (the `ssh-config` package matches the `Host` patterns, first value wins):
 * HostName, User, Port, ProxyJump, ProxyCommand, IdentityFile and CertificateFile fill what deploy.yml leaves open.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { type HostConfig, type JumpHost, parseHostSpec } from '../config/index.js';
import type { Log } from '../log.js';
import type { CliArgs } from './args.js';
import { inlineIncludes } from './ssh-config-include.js';

const DEFAULT_PORT = 22;

/** What ssh_config says about one host (lower-case keys, as `ssh` reads them case-insensitively). */
export interface SshHostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  /** [] for `ProxyJump none`. */
  proxyJump?: string;
  proxyCommand?: string;
  identityFiles: string[];
  certificateFiles: string[];
}

export interface SshConfigFile {
  file: string;
  lookup(host: string): SshHostConfig;
}

/** `~` and `~/x` → the home directory (as ssh expands IdentityFile and CertificateFile). */
export function expandTilde(p: string, home = homedir()): string {
  return p === '~' || p.startsWith('~/') ? join(home, p.slice(1)) : p;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Parses ssh_config text. `Match exec` blocks are not run (reading a config never runs a command); `Include` lines
 * are followed before (readSshConfig, ssh-config-include.ts).
 */
export function parseSshConfig(text: string, file: string): SshConfigFile {
  const parsed = SSHConfig.parse(text);
  return {
    file,
    lookup(host: string): SshHostConfig {
      const c = parsed.compute(host, { ignoreCase: true, matchExec: false });
      const port = first(c['port']);
      const n = port !== undefined && /^[0-9]{1,5}$/.test(port) ? Number(port) : undefined;
      return {
        ...(first(c['hostname']) === undefined ? {} : { hostName: first(c['hostname']) }),
        ...(first(c['user']) === undefined ? {} : { user: first(c['user']) }),
        ...(n !== undefined && n >= 1 && n <= 65535 ? { port: n } : {}),
        ...(first(c['proxyjump']) === undefined ? {} : { proxyJump: first(c['proxyjump']) }),
        ...(first(c['proxycommand']) === undefined ? {} : { proxyCommand: first(c['proxycommand']) }),
        identityFiles: list(c['identityfile']),
        certificateFiles: list(c['certificatefile']),
      };
    },
  };
}

/**
 * The ssh_config to read: none with --no-ssh-config, the --ssh-config FILE (it must exist), else ~/.ssh/config when
 * there is one; its `Include` files read in place.
 */
export function readSshConfig(option: string | false | undefined, resolvePath: (p: string) => string) {
  if (option === false) return undefined;
  const file = resolvePath(option ?? '~/.ssh/config');
  if (option === undefined && !existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot read the ssh_config ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)} ` +
        '(name another with --ssh-config FILE, or turn it off with --no-ssh-config)',
    );
  }
  try {
    return parseSshConfig(inlineIncludes(text, file), file);
  } catch (error) {
    throw new Error(`${(error as Error).message} (fix it, or turn ssh_config off with --no-ssh-config)`);
  }
}

/** A user ssh_config gives `host`, if it is a name deploy.yml would accept. */
export function sshConfigUser(config: SshConfigFile, host: string): string | undefined {
  const user = config.lookup(host).user;
  if (user === undefined || user === '%u') return undefined;
  return /^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(user) ? user : undefined;
}

/** `[ssh://][user@]host[:port],…` → hops, each hop's own ssh_config applied; undefined for `none`. */
export function jumpHops(value: string, config: SshConfigFile, user: string | undefined): JumpHost[] | undefined {
  if (value.toLowerCase() === 'none') return undefined;
  return value.split(',').map((written) => {
    let spec: ReturnType<typeof parseHostSpec>;
    try {
      spec = parseHostSpec(written.trim().replace(/^ssh:\/\//, ''), { file: config.file, line: 1, column: 1 });
    } catch {
      throw new Error(
        `ProxyJump ${value} in ${config.file}: "${written.trim()}" is not [user@]host[:port]; fix it, or run with --no-ssh-config`,
      );
    }
    const own = config.lookup(spec.host);
    const explicitPort = /:[0-9]+$/.test(written.trim());
    return {
      host: own.hostName ?? spec.host,
      user: spec.user ?? sshConfigUser(config, spec.host) ?? user,
      port: explicitPort ? spec.port : (own.port ?? DEFAULT_PORT),
    };
  });
}

/** What ssh_config gave one host, for the debug lines. */
export type Applied = { host: HostConfig; used: string[] };

/**
 * A host of deploy.yml with ssh_config filling what it leaves open: the real HostName, the Port (when deploy.yml
 * writes none: an explicit `port: 22` wins), and the route (when deploy.yml gives neither `jump` nor `proxy_command`). The user was filled when
 * the config was loaded (`sshConfigUser`). `name` stays as deploy.yml names the host.
 */
export function applySshConfig(host: HostConfig, config: SshConfigFile): Applied {
  if (host.local) return { host, used: [] };
  const c = config.lookup(host.host);
  const used: string[] = [];
  const out: HostConfig = { ...host };
  const hostName = c.hostName?.replace(/%h/g, host.host);
  if (hostName !== undefined && hostName !== host.host) {
    out.host = hostName;
    used.push(`HostName ${hostName}`);
  }
  if (c.port !== undefined && !host.portWritten && host.port === DEFAULT_PORT && c.port !== host.port) {
    out.port = c.port;
    used.push(`Port ${c.port}`);
  }
  if (!host.jump?.length && host.proxyCommand === undefined) {
    if (c.proxyJump !== undefined) {
      const hops = jumpHops(c.proxyJump, config, host.user);
      if (hops?.length) out.jump = hops;
      used.push(`ProxyJump ${c.proxyJump}`);
    } else if (c.proxyCommand !== undefined && c.proxyCommand.toLowerCase() !== 'none') {
      out.proxyCommand = c.proxyCommand;
      used.push(`ProxyCommand ${c.proxyCommand}`);
    }
  }
  return { host: out, used };
}

/** The first IdentityFile (or CertificateFile) of the hosts that exists, `~` expanded; ssh skips missing ones. */
export function sshConfigFiles(
  hosts: HostConfig[],
  config: SshConfigFile,
  pick: (c: SshHostConfig) => string[],
): string[] {
  const files = new Set<string>();
  for (const host of hosts) {
    if (host.local) continue;
    const found = pick(config.lookup(host.host))
      .map((f) => expandTilde(f))
      .find((f) => existsSync(f));
    if (found) files.add(found);
  }
  return [...files];
}

/** The hosts with what ssh_config gives them; a debug line per host says which values were used. */
export function withSshConfig(
  hosts: HostConfig[],
  sshConfig: SshConfigFile,
  users: Set<string>,
  log: Log,
): HostConfig[] {
  return hosts.map((h) => {
    const { host, used } = applySshConfig(h, sshConfig);
    if (!h.local && users.has(h.host)) used.unshift(`User ${h.user}`);
    if (used.length) log.debug(`${h.name}: from ${sshConfig.file}: ${used.join(', ')}`);
    return host;
  });
}

/** IdentityFile and CertificateFile of ssh_config, when no -i is given; one key for every host of the run. */
export function sshConfigCredentials(
  args: CliArgs,
  hosts: HostConfig[],
  sshConfig: SshConfigFile,
  log: Log,
): { identity?: string; certificate?: string } {
  if (args.identity !== undefined) return {};
  const keys = sshConfigFiles(hosts, sshConfig, (c) => c.identityFiles);
  if (keys.length > 1) {
    throw new Error(
      `the hosts have different IdentityFile keys in ${sshConfig.file} (${keys.join(', ')}); a run uses one key: ` +
        'pass -i FILE, or load the keys into ssh-agent and run with --no-ssh-config',
    );
  }
  const certificates =
    args.certificate === undefined ? sshConfigFiles(hosts, sshConfig, (c) => c.certificateFiles) : [];
  if (keys[0]) log.debug(`IdentityFile ${keys[0]} from ${sshConfig.file}`);
  if (certificates[0]) log.debug(`CertificateFile ${certificates[0]} from ${sshConfig.file}`);
  return {
    ...(keys[0] ? { identity: keys[0] } : {}),
    ...(certificates.length === 1 ? { certificate: certificates[0] } : {}),
  };
}
