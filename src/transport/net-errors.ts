/**
 * What a network error means for reaching a host, in one sentence with what to check: the one place that turns
 * socket and resolver codes (`ECONNREFUSED`, `ENOTFOUND`, …) into messages. The code stays in the message, for
 * whoever searches for it. The action speaks of the runner; the CLI of this machine.
 */
import type { Surface } from '../config/index.js';

export interface NetTarget {
  host: string;
  port: number;
}

interface Words {
  /** Whose address a firewall sees. */
  us: string;
  /** Where a name that only resolves inside a network can be resolved. */
  inside: string;
  /** What to do about a firewall that drops our packets. */
  dropped: string;
}

const WORDS: Record<Surface, Words> = {
  action: {
    us: "the runner's",
    inside: 'run the job on a self-hosted runner inside that network',
    // Hosted runners come from a wide, changing set of addresses: an allow-list on the host rarely holds them.
    dropped:
      "GitHub's hosted runners connect from addresses that change: allow them all, or run the job on a self-hosted " +
      'runner whose address the host allows',
  },
  cli: {
    us: "this machine's",
    inside: 'connect to that network first (a VPN?)',
    dropped: 'is the host up, and does its firewall allow this machine (a VPN needed?)',
  },
};

/** The code of a socket or resolver error (`error.code`), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The sentence for a connection that failed before the SSH handshake with `code`, or undefined for a code without
 * one (the caller keeps the error's own text).
 */
export function describeNetError(
  code: string | undefined,
  { host, port }: NetTarget,
  surface: Surface = 'action',
): string | undefined {
  const w = WORDS[surface];
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing listens on port ${port} of ${host} (ECONNREFUSED): wrong port? is sshd running? a firewall that rejects ${w.us} address?`;
    case 'ENOTFOUND':
      return `the name ${host} does not resolve (ENOTFOUND): a typo? a private name that only resolves inside your network? use the host's IP address, or ${w.inside}`;
    case 'EAI_AGAIN':
      return `the name ${host} could not be resolved now (EAI_AGAIN: the DNS server did not answer): a private name that only resolves inside your network? try again, use the host's IP address, or ${w.inside}`;
    case 'ETIMEDOUT':
      return `no answer from port ${port} of ${host} (ETIMEDOUT): a firewall that drops ${w.us} packets? ${w.dropped}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to ${host} (${code}): is the address right, and reachable from ${w.us} network? ${w.dropped}`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${host} closed the connection on port ${port} before the SSH handshake finished (${code}): a firewall or fail2ban that refuses ${w.us} address? sshd's MaxStartups reached? is it an SSH server on that port?`;
    default:
      return undefined;
  }
}

/**
 * A handshake that did not finish within the connect timeout: whether the TCP connection came up tells a silent
 * firewall from a port that answers but speaks no SSH (or a host too busy to).
 */
export function describeHandshakeTimeout(
  target: NetTarget,
  seconds: number,
  tcpUp: boolean,
  surface: Surface = 'action',
): string {
  const { host, port } = target;
  const w = WORDS[surface];
  return tcpUp
    ? `no SSH connection within ${seconds} s: port ${port} of ${host} accepted the TCP connection, but the SSH handshake did not finish: is it an SSH server on that port? a host too busy to answer? (a slow host: raise connect-timeout)`
    : `no SSH connection within ${seconds} s: no answer from port ${port} of ${host}: a firewall that drops ${w.us} packets? ${w.dropped}`;
}

/** The connection of a running session failed: why, for the host's failure message. */
export function describeLostConnection(error: { message: string; code?: string }): string {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE')
    return `the host closed the connection (${error.code}): sshd restarted, the host rebooted, or a firewall cut an idle connection`;
  const code = error.code && !error.message.includes(error.code) ? ` (${error.code})` : '';
  return `the connection failed: ${error.message}${code}`;
}
