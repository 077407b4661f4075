import type { HostConfig, Surface } from '../config/index.js';
import type { Certificate } from '../transport/certificate.js';
import type { KnownHosts } from '../transport/known-hosts.js';
import type { CredentialNames } from '../transport/ssh.js';
import { q } from '../remote/quote.js';
import { LocalTransport } from '../transport/local.js';
import { connectEarly } from '../transport/tcp.js';
import type { Transport } from '../transport/types.js';

/** Closes what reachEarly opened and no connection took. */
export { dropEarly } from '../transport/tcp.js';

/** How the runner authenticates and checks hosts. */
export interface Access {
  privateKey?: string;
  passphrase?: string;
  agent?: string;
  /** An OpenSSH user certificate of privateKey, presented at login instead of the plain key. */
  certificate?: Certificate;
  knownHosts: KnownHosts;
  connectTimeoutMs: number;
  /** Time a host's login shell gets to start the session (default DEFAULT_START_TIMEOUT_MS). */
  startTimeoutMs?: number;
  /** Who runs (the action or the CLI): how connection errors speak of this machine (default: the action). */
  surface?: Surface;
  /** How messages name the credentials (default: the action's inputs). */
  names?: CredentialNames;
}

let ssh: Promise<typeof import('../transport/ssh.js')> | undefined;

/** SSH (ssh2 and its crypto) is loaded on first use: start-up stays quick, and `local` never loads it. */
function loadSsh(): Promise<typeof import('../transport/ssh.js')> {
  ssh ??= import('../transport/ssh.js');
  return ssh;
}

/**
 * Loads SSH when some host needs it. Started before a command runs, loading overlaps with the build; a deploy
 * awaits it before describing the build, whose walk would otherwise hold back the first connection.
 */
export async function loadTransports(hosts: readonly HostConfig[]): Promise<void> {
  if (hosts.some((h) => !h.local)) await loadSsh();
}

/**
 * Opens the TCP connections of the hosts a fleet reaches first (`parallel` of them, in order) while SSH is still
 * loading, so their handshakes start one round trip sooner. Call it right before the fleet connects, never ahead of
 * a build (see connectEarly).
 */
export function reachEarly(hosts: readonly HostConfig[], parallel: number): void {
  for (const h of hosts.filter((h) => !h.local && !h.proxyCommand).slice(0, parallel)) {
    // Through jump hosts, only the first hop has a TCP connection of its own.
    const first = h.jump?.[0] ?? h;
    connectEarly(first.host, first.port);
  }
}

/** Tries after a connection that failed before authentication, unless `connect_retries` says otherwise. */
export const DEFAULT_CONNECT_RETRIES = 2;
/** The first pause before trying again; each next one is twice as long. */
const FIRST_BACKOFF_MS = 1000;
/** A try that would have less than this before the deadline is not started. */
const MIN_TRY_MS = 1000;

/** Whether a failed connection may be tried again: it failed before authentication started (see ConnectError). */
function beforeAuth(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { beforeAuth?: unknown }).beforeAuth === true;
}

/** A pause that ends early (false) when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      resolve(ok);
    };
    const stop = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Opens a host's transport, trying again after a failure before authentication (refused, timed out, reset, a name
 * that does not resolve) up to `connect_retries` times, after 1 s, 2 s, 4 s…, all within connect-timeout × tries;
 * `retrying` hears each retry as a line. A refused key or host key fails at once. Only for the fleet's first
 * connections: nothing is retried once a host is locked (a reconnection to undo work goes through openTransport).
 */
export async function openWithRetries(
  host: HostConfig,
  access: Access,
  retrying: (line: string) => void,
  signal?: AbortSignal,
  output?: (line: string) => void,
): Promise<Transport> {
  const tries = host.local ? 1 : (host.connectRetries ?? DEFAULT_CONNECT_RETRIES) + 1;
  const deadline = Date.now() + access.connectTimeoutMs * tries;
  for (let attempt = 1; ; attempt++) {
    const left = Math.max(MIN_TRY_MS, deadline - Date.now());
    try {
      return await openTransport(
        host,
        { ...access, connectTimeoutMs: Math.min(access.connectTimeoutMs, left) },
        output,
      );
    } catch (error) {
      const wait = FIRST_BACKOFF_MS * 2 ** (attempt - 1);
      const again =
        attempt < tries && beforeAuth(error) && !signal?.aborted && deadline - Date.now() - wait >= MIN_TRY_MS;
      const message = error instanceof Error ? error.message : String(error);
      if (!again) {
        if (attempt > 1 && error instanceof Error) error.message = `${message} (${attempt} tries)`;
        throw error;
      }
      retrying(`${host.name}: ${message} — retrying in ${wait / 1000} s (${attempt + 1} of ${tries})`);
      if (!(await pause(wait, signal))) throw error;
    }
  }
}

/**
 * `proxy_command` with `%h`, `%p` and `%r` replaced by the host, port and user, each quoted as one word (`%%`: `%`).
 */
export function expandProxyCommand(command: string, host: Pick<HostConfig, 'host' | 'port' | 'user'>): string {
  const values: Record<string, string> = { h: q(host.host), p: q(host.port), r: q(host.user ?? ''), '%': '%' };
  return command.replace(/%([hpr%])/g, (_, k: string) => values[k]!);
}

/** Connects to a host: directly, through its jump hosts, or over its proxy command (whose stderr goes to `output`). */
export async function openTransport(
  host: HostConfig,
  access: Access,
  output: (line: string) => void = () => undefined,
): Promise<Transport> {
  if (host.local) return new LocalTransport();
  const target = { host: host.host, port: host.port, user: host.user ?? '', name: host.name };
  if (host.proxyCommand !== undefined) {
    const [{ connectSsh }, { startProxyCommand }] = await Promise.all([
      loadSsh(),
      import('../transport/proxy-command.js'),
    ]);
    return connectSsh(target, access, startProxyCommand(expandProxyCommand(host.proxyCommand, host), output));
  }
  if (host.jump?.length) {
    const { connectThrough } = await import('../transport/jump.js');
    const hops = host.jump.map((hop) => ({ ...hop, user: hop.user ?? target.user }));
    return connectThrough(target, hops, access);
  }
  const { connectSsh } = await loadSsh();
  return connectSsh(target, access);
}
