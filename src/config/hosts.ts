/** Host specs (`user@host:port`, `[::1]:2222`, `local`) and the character rules for hosts and users. */
import { ConfigError, type SourcePosition } from './errors.js';
import type { HostSpec } from './types.js';

export const LOCAL = 'local';
export const DEFAULT_PORT = 22;

/** Letters, digits, `.`, `_`, `-`; never a leading `-` (it would read as an ssh option). */
const NAME_PATTERN = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
const IPV6_PATTERN = /^[0-9A-Fa-f:.]+$/;

/** JSON Schema pattern for a host entry written as a string. */
export const HOST_SPEC_PATTERN =
  '^(local|([A-Za-z0-9._][A-Za-z0-9._-]*@)?([A-Za-z0-9._][A-Za-z0-9._-]*|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?)$';
export const USER_PATTERN = NAME_PATTERN.source;

function describe(value: string): string {
  return JSON.stringify(value);
}

/** Why `user` is not an acceptable user (or group) name, or undefined. */
export function userProblem(user: string): string | undefined {
  if (NAME_PATTERN.test(user)) return undefined;
  return `invalid name ${describe(user)}: use letters, digits, \`.\`, \`_\` and \`-\` (not first)`;
}

/** Why `host` (no brackets, no port) is not an acceptable host name or IP address, or undefined. */
export function hostNameProblem(host: string): string | undefined {
  if (host.includes(':')) {
    return IPV6_PATTERN.test(host) ? undefined : `invalid IPv6 address ${describe(host)}`;
  }
  if (host.length > 253 || !NAME_PATTERN.test(host)) {
    return `invalid host ${describe(host)}: use letters, digits, \`.\`, \`_\` and \`-\` (not first), or [IPv6]`;
  }
  return undefined;
}

/** The port as a number, or why it is not one. */
export function parsePort(value: string | number): number | string {
  const n = typeof value === 'number' ? value : /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 65535) return n;
  return `port must be an integer from 1 to 65535 (got ${describe(String(value))})`;
}

/** `deploy@web1.example.com`, `deploy@web1.example.com:2222`, `deploy@[::1]`, or `local`. */
export function hostDisplayName(host: string, user: string | undefined, port: number): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return `${user === undefined ? '' : `${user}@`}${shown}${port === DEFAULT_PORT ? '' : `:${port}`}`;
}

export function localHost(position: SourcePosition): HostSpec {
  return { name: LOCAL, host: 'localhost', user: undefined, port: DEFAULT_PORT, local: true, labels: [], position };
}

export function remoteHost(
  host: string,
  user: string | undefined,
  port: number,
  position: SourcePosition,
  labels: string[] = [],
): HostSpec {
  return { name: hostDisplayName(host, user, port), host, user, port, local: false, labels, position };
}

export type HostSpecResult = { host: HostSpec } | { problem: string };

/** Parses a host written as a string. Never throws. */
export function readHostSpec(spec: string, position: SourcePosition): HostSpecResult {
  if (spec === LOCAL) return { host: localHost(position) };
  if (/[\0\n\r]/.test(spec)) return { problem: 'must not contain NUL or newline characters' };
  const at = spec.indexOf('@');
  const user = at >= 0 ? spec.slice(0, at) : undefined;
  const rest = at >= 0 ? spec.slice(at + 1) : spec;
  if (user !== undefined) {
    const problem = userProblem(user);
    if (problem) return { problem };
  }
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
    if (!host.includes(':') || !IPV6_PATTERN.test(host)) return { problem: `invalid IPv6 address ${describe(host)}` };
  } else if (rest.startsWith('[')) {
    return { problem: `invalid host ${describe(rest)}: write IPv6 addresses as \`[address]\` or \`[address]:port\`` };
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    return { problem: `write IPv6 addresses in brackets, e.g. \`[${rest}]\` or \`[${rest}]:2222\`` };
  } else {
    const colon = rest.indexOf(':');
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    portText = colon >= 0 ? rest.slice(colon + 1) : undefined;
    if (host === LOCAL) return { problem: '`local` means this machine and takes no user or port' };
    const problem = hostNameProblem(host);
    if (problem) return { problem };
  }
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    const parsed = parsePort(portText);
    if (typeof parsed === 'string') return { problem: parsed };
    port = parsed;
  }
  const written = remoteHost(host, user, port, position);
  return { host: portText !== undefined && port === DEFAULT_PORT ? { ...written, portWritten: true } : written };
}

/**
 * Parses `user@host[:port]`, `host`, `[v6]:port` or `local`. `user` is undefined when not written.
 * Throws ConfigError (reported at `position`, under key path `path`) for anything else.
 */
export function parseHostSpec(spec: string, position: SourcePosition, path = 'hosts'): HostSpec {
  const result = readHostSpec(spec, position);
  if ('problem' in result) {
    throw new ConfigError([{ ...position, path, message: result.problem }]);
  }
  return result.host;
}
