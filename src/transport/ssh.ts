import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import type { Surface } from '../config/index.js';
import type { Completed, ExitStatus, RemoteProcess, Transport } from './types.js';
import { collect } from './collect.js';
import { pipelineLogin, type EarlySession } from './pipelined-login.js';
import { signWithoutAsking } from './sign-at-once.js';
import { describeHandshakeTimeout, describeLostConnection, describeNetError, errorCode } from './net-errors.js';
import { CLIENT_IDENT, takeTcp } from './tcp.js';
import { pinnedHostKeyAlgorithms, verifyHostKey, type HostKeyVerdict, type KnownHosts } from './known-hosts.js';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** Display name for messages, e.g. `deploy@web1:2222`. */
  name: string;
}

export interface SshCredentials {
  privateKey?: string;
  passphrase?: string;
  /** Path of an SSH agent socket (the CLI's SSH_AUTH_SOCK). */
  agent?: string;
  knownHosts: KnownHosts;
  connectTimeoutMs: number;
  /** Who runs (the action or the CLI): how a network error's hint speaks of this machine. */
  surface?: Surface;
  /** How messages name the credentials (default: the action's inputs). */
  names?: CredentialNames;
}

/** How messages name the credentials: the action's inputs, or the CLI's key file, agent and variable. */
export interface CredentialNames {
  /** Whose public key must be in authorized_keys, e.g. "the public key of ssh-private-key". */
  publicKey: string;
  /** Where the passphrase comes from, e.g. "ssh-passphrase". */
  passphrase: string;
}

const INPUT_NAMES: CredentialNames = { publicKey: 'the public key of ssh-private-key', passphrase: 'ssh-passphrase' };

/** An SSH keepalive every 10 s; after 3 unanswered ones the connection counts as lost (about 40 s of silence). */
const KEEPALIVE_MS = 10_000;
const KEEPALIVE_COUNT = 3;
/** How long a closed connection may take to hand its last writes to the kernel. */
const CLOSE_GRACE_MS = 1000;

/** A connection failure the user can act on; the message says what to do. */
export class ConnectError extends Error {
  constructor(
    message: string,
    readonly kind: 'host-key' | 'auth' | 'network' | 'timeout',
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** A stream that carries the connection instead of a TCP connection of its own (a jump host's channel, a proxy command). */
export interface Carrier {
  sock: Duplex;
  /** Closed after the connection: the jump hosts under it, a proxy command. */
  close(): void;
  /** Whether a session channel may be opened during the login (false for a jump host: it only forwards). */
  session?: boolean;
  /** Why the carrier ended before the handshake did (a proxy command that exited): the message to show. */
  failure?(): string | undefined;
}

/**
 * One SSH connection per host. The host key must match a pinned known_hosts line before authentication starts
 * (fail closed); the private key stays in memory. `via` carries it instead of a TCP connection of its own.
 */
export async function connectSsh(target: SshTarget, creds: SshCredentials, via?: Carrier): Promise<SshTransport> {
  let verdict: HostKeyVerdict | undefined;
  const pinned = pinnedHostKeyAlgorithms(creds.knownHosts, target.host, target.port);
  const sock = via?.sock ?? takeTcp(target.host, target.port);
  // Whether TCP came up tells a silent firewall from a port that speaks no SSH, when the handshake times out.
  let tcpUp = !(sock instanceof Socket) || !sock.connecting;
  sock.once('connect', () => (tcpUp = true));
  const config: ConnectConfig = {
    sock,
    ident: CLIENT_IDENT,
    host: target.host,
    port: target.port,
    username: target.user,
    readyTimeout: creds.connectTimeoutMs,
    keepaliveInterval: KEEPALIVE_MS,
    keepaliveCountMax: KEEPALIVE_COUNT,
    hostVerifier: (key: Buffer) => {
      verdict = verifyHostKey(creds.knownHosts, target.host, target.port, key);
      return verdict.ok;
    },
    ...(pinned
      ? { algorithms: { serverHostKey: pinned as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } }
      : {}),
    ...(creds.privateKey ? { privateKey: creds.privateKey, passphrase: creds.passphrase || undefined } : {}),
    ...(creds.agent ? { agent: creds.agent } : {}),
    // Straight to the key: ssh2 would otherwise ask for `none` first, one more round trip for every connection.
    authHandler: [...(creds.privateKey ? (['publickey'] as const) : []), ...(creds.agent ? (['agent'] as const) : [])],
  };
  const ssh = new NodeSSH();
  let early: EarlySession | undefined;
  try {
    // node-ssh creates the client and starts it synchronously (the key is given as text, not read from a file).
    const connecting = ssh.connect(config as Parameters<NodeSSH['connect']>[0]);
    if (ssh.connection) {
      signWithoutAsking(ssh.connection);
      // A session channel in the login's flight only when the login is one attempt (see pipelineLogin).
      early = pipelineLogin(ssh.connection, {
        openSession: via?.session !== false && !!creds.privateKey && !creds.agent,
      });
    }
    await connecting;
  } catch (error) {
    ssh.dispose();
    sock.destroy();
    via?.close();
    const failure = via?.failure?.();
    if (failure && !(verdict && !verdict.ok)) throw new ConnectError(`${target.name}: ${failure}`, 'network');
    throw explain(error, target, creds, verdict, tcpUp);
  }
  // node-ssh stops listening for errors once connected; a reset later must end the sessions, not the process,
  // and say why they ended (a stalled network is only noticed by the keepalive).
  const transport = new SshTransport(target.name, ssh, sock, early, via);
  ssh.connection?.on('error', (error: Error & { level?: string; code?: string }) => {
    transport.lostBecause ??=
      error.level === 'client-timeout'
        ? `the host stopped answering: no reply to SSH keepalives for ${((KEEPALIVE_MS * (KEEPALIVE_COUNT + 1)) / 1000).toFixed(0)} s (a stalled network or a frozen host)`
        : describeLostConnection(error);
  });
  ssh.connection?.on('close', () => (transport.lostBecause ??= 'the connection was closed'));
  return transport;
}

function explain(
  error: unknown,
  target: SshTarget,
  creds: SshCredentials,
  verdict: HostKeyVerdict | undefined,
  tcpUp: boolean,
): Error {
  const where = `${target.name} (${target.host}:${target.port})`;
  if (verdict && !verdict.ok) return new ConnectError(verdict.message, 'host-key');
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  const level = (error as { level?: string }).level;
  const network = describeNetError(code, target, creds.surface);
  if (level === 'client-authentication') {
    return new ConnectError(
      `${where}: the server refused the key for user "${target.user}". Check that ` +
        `${(creds.names ?? INPUT_NAMES).publicKey} is in ~${target.user}/.ssh/authorized_keys on the host.`,
      'auth',
    );
  }
  if (/encrypted|passphrase|bad decrypt/i.test(message)) {
    const passphrase = (creds.names ?? INPUT_NAMES).passphrase;
    return new ConnectError(`the SSH private key could not be read: ${message} (is ${passphrase} right?)`, 'auth');
  }
  if (/Cannot parse privateKey|Unsupported key format/i.test(message)) {
    return new ConnectError(`the SSH private key could not be read: ${message}`, 'auth');
  }
  if (network) return new ConnectError(network, code === 'ETIMEDOUT' ? 'timeout' : 'network');
  if (level === 'client-timeout' || /timed out/i.test(message)) {
    const seconds = Math.round(creds.connectTimeoutMs / 1000);
    return new ConnectError(describeHandshakeTimeout(target, seconds, tcpUp, creds.surface), 'timeout');
  }
  if (/Unable to exchange encryption keys|no matching/i.test(message) && verdict === undefined) {
    return new ConnectError(
      `${where}: the server offers none of the host key types pinned in ${creds.knownHosts.source?.name ?? 'known-hosts'} (${message}). ` +
        'A host key of a different type than the pinned one is refused; pin the key the server really has.',
      'host-key',
    );
  }
  return new ConnectError(`${where}: ${message}`, 'network');
}

export class SshTransport implements Transport {
  /** Set when the connection went away on its own (not by close()). */
  lostBecause: string | undefined;
  private closing = false;

  constructor(
    readonly name: string,
    private readonly ssh: NodeSSH,
    private readonly socket: Duplex,
    private readonly early?: EarlySession,
    private readonly via?: Carrier,
  ) {}

  /** A `direct-tcpip` channel from this host to `host:port`: the stream of the next hop of a jump chain. */
  forward(host: string, port: number): Promise<Duplex> {
    const connection = this.ssh.connection;
    if (!connection) return Promise.reject(new Error(this.lostBecause ?? 'the SSH connection is closed'));
    return new Promise<Duplex>((resolve, reject) =>
      connection.forwardOut('127.0.0.1', 0, host, port, (err, channel) => (err ? reject(err) : resolve(channel))),
    );
  }

  async start(command: string): Promise<RemoteProcess> {
    const channel = await this.channelFor(command);
    let status: ExitStatus = { code: null, signal: null };
    channel.on('exit', (code: number | null, signal?: string) => {
      status = { code: code ?? null, signal: signal ?? null };
    });
    const exited = new Promise<ExitStatus>((resolve) =>
      channel.on('close', () => {
        // The channel's close comes after the connection's error, so the reason is known by now.
        if (status.code === null && this.lostBecause && !this.closing)
          status = { ...status, lostBecause: this.lostBecause };
        resolve(status);
      }),
    );
    channel.on('error', () => undefined);
    return { stdin: channel, stdout: channel, stderr: channel.stderr, exited, destroy: () => channel.destroy() };
  }

  /**
   * A channel running `command`: the session channel opened during the login if there is one (it fails only if the
   * server refused it or the connection went away; a new channel is asked for then), else a new one.
   */
  private async channelFor(command: string): Promise<ClientChannel> {
    const early = this.early?.exec(command);
    if (early) {
      try {
        return await early;
      } catch {
        // A lost connection is reported as such; a refused channel or command is asked for again the usual way.
        if (this.lostBecause) throw new Error(this.lostBecause);
      }
    }
    const connection = this.ssh.connection;
    if (!connection) throw new Error(this.lostBecause ?? `${this.name}: the SSH connection is closed`);
    return new Promise<ClientChannel>((resolve, reject) => {
      // A connection lost meanwhile fails the request too; its reason (set first) says more than "Unable to exec".
      const fail = (err: Error) => reject(this.lostBecause ? new Error(this.lostBecause) : err);
      try {
        connection.exec(command, (err, ch) => (err ? fail(err) : resolve(ch)));
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error))); // "Not connected": gone before the request
      }
    });
  }

  async run(command: string): Promise<Completed> {
    return collect(await this.start(command));
  }

  async close(): Promise<void> {
    this.closing = true;
    // What was written (the session's end, the disconnect message) is on its way once the kernel has it: the socket
    // goes then, without waiting a round trip for the server's side of the close (forever, behind a stalled network).
    // Writes the kernel cannot even take (a stalled network with full buffers) are dropped after a second.
    const socket = this.socket;
    this.ssh.dispose();
    if (!(socket instanceof Socket)) {
      // A channel of a jump host, or a proxy command's pipes: what carries it goes with it.
      socket.destroy();
      this.via?.close();
      return;
    }
    if (!socket.destroyed) {
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      timer.unref();
      socket.unref();
      const gone = () => {
        clearTimeout(timer);
        socket.destroy();
      };
      if (socket.writableFinished) gone();
      else socket.once('finish', gone);
    }
  }
}
