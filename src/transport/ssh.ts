import { Socket } from 'node:net';
import { NodeSSH } from 'node-ssh';
import type { ConnectConfig } from 'ssh2';
import type { Surface } from '../config/index.js';
import { pipelineLogin, type EarlySession } from './pipelined-login.js';
import {
  certificateMismatch,
  keyFingerprint,
  parsedPrivateKey,
  presentCertificate,
  signWithoutAsking,
} from './sign-at-once.js';
import { ignoreHostKeysUpdate } from './host-keys-update.js';
import { gcmKeyObjects } from './cipher-keys.js';
import type { Certificate } from './certificate.js';
import { describeHandshakeTimeout, describeLostConnection, describeNetError, errorCode } from './net-errors.js';
import { type Carrier, SshTransport } from './ssh-transport.js';
import { CLIENT_IDENT, takeTcp } from './tcp.js';
import type { HostKeyVerdict, KnownHosts } from './known-hosts.js';
import { checkHostKey, hostKeyAlgorithms } from './host-certificate.js';

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
  /** An OpenSSH user certificate of privateKey: the login presents it instead of the plain key. */
  certificate?: Certificate;
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
  /** The certificate and the key, e.g. "the certificate in ssh-certificate" and "ssh-private-key". */
  certificate?: { certificate: string; key: string };
}

const INPUT_NAMES: CredentialNames = {
  publicKey: 'the public key of ssh-private-key',
  passphrase: 'ssh-passphrase',
  certificate: { certificate: 'the certificate in ssh-certificate', key: 'ssh-private-key' },
};

/** An SSH keepalive every 10 s; after 3 unanswered ones the connection counts as lost (about 40 s of silence). */
const KEEPALIVE_MS = 10_000;
const KEEPALIVE_COUNT = 3;

/** A connection failure the user can act on; the message says what to do. */
export class ConnectError extends Error {
  constructor(
    message: string,
    readonly kind: 'host-key' | 'auth' | 'network' | 'timeout',
    /** It failed before the server's host key was seen, so before authentication: trying again is safe. */
    readonly beforeAuth = false,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/**
 * One SSH connection per host. The host key must match a pinned known_hosts line before authentication starts
 * (fail closed); the private key stays in memory. `via` carries it instead of a TCP connection of its own.
 */
export async function connectSsh(target: SshTarget, creds: SshCredentials, via?: Carrier): Promise<SshTransport> {
  let verdict: HostKeyVerdict | undefined;
  const names = (creds.names ?? INPUT_NAMES).certificate ?? INPUT_NAMES.certificate!;
  const mismatch =
    creds.certificate && creds.privateKey
      ? certificateMismatch(creds.certificate, creds.privateKey, creds.passphrase, names)
      : undefined;
  if (mismatch) throw new ConnectError(mismatch, 'auth');
  const pinned = hostKeyAlgorithms(creds.knownHosts, target.host, target.port);
  const key = creds.privateKey ? parsedPrivateKey(creds.privateKey, creds.passphrase || undefined) : undefined;
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
      verdict = checkHostKey(creds.knownHosts, target.host, target.port, key);
      return verdict.ok;
    },
    ...(pinned
      ? { algorithms: { serverHostKey: pinned as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } }
      : {}),
    // The key parsed once per run (see parsedPrivateKey); one ssh2 cannot read goes as text, for ssh2's own error.
    ...(creds.privateKey && !key ? { privateKey: creds.privateKey, passphrase: creds.passphrase || undefined } : {}),
    ...(creds.agent ? { agent: creds.agent } : {}),
    // Straight to the key: ssh2 would otherwise ask for `none` first, one more round trip for every connection.
    authHandler: [
      ...(key ? [{ type: 'publickey' as const, username: target.user, key }] : []),
      ...(creds.privateKey && !key ? (['publickey'] as const) : []),
      ...(creds.agent ? (['agent'] as const) : []),
    ] as ConnectConfig['authHandler'],
  };
  const ssh = new NodeSSH();
  let early: EarlySession | undefined;
  try {
    // node-ssh creates the client and starts it synchronously (the key is given as text, not read from a file).
    const connecting = ssh.connect(config as Parameters<NodeSSH['connect']>[0]);
    if (ssh.connection) {
      signWithoutAsking(ssh.connection);
      ignoreHostKeysUpdate(ssh.connection);
      gcmKeyObjects(ssh.connection);
      if (creds.certificate && !presentCertificate(ssh.connection, creds.certificate))
        throw new Error('this version of ssh2 cannot log in with a certificate (its internals changed)');
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
  if (verdict?.ok && /signature verification failed/.test(String((error as Error)?.message))) {
    // The host key (or a copy of a host certificate, which is public) was accepted, but the host cannot sign with it.
    return new ConnectError(
      `${where}: the host's key exchange signature was not made by the host key it presented: someone could be ` +
        'intercepting the connection (presenting a copy of the real host key or certificate). Refusing to connect.',
      'host-key',
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  const level = (error as { level?: string }).level;
  const network = describeNetError(code, target, creds.surface);
  if (level === 'client-authentication' && creds.certificate) {
    const names = (creds.names ?? INPUT_NAMES).certificate ?? INPUT_NAMES.certificate!;
    return new ConnectError(
      `${where}: the server refused ${names.certificate} for user "${target.user}" (principals: ` +
        `${creds.certificate.principals.join(', ') || 'any'}). Check that sshd's TrustedUserCAKeys holds the CA ` +
        `that signed it and that "${target.user}" is one of its principals (ssh-keygen -L -f the -cert.pub file).`,
      'auth',
    );
  }
  if (level === 'client-authentication') {
    // The fingerprint, as sshd logs it and `ssh-keygen -lf` prints it, tells which key was offered.
    const fingerprint = creds.privateKey ? keyFingerprint(creds.privateKey, creds.passphrase || undefined) : undefined;
    return new ConnectError(
      `${where}: the server refused the key ${fingerprint ? `${fingerprint} ` : ''}for user "${target.user}". Check that ` +
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
  if (network) return new ConnectError(network, code === 'ETIMEDOUT' ? 'timeout' : 'network', verdict === undefined);
  if (level === 'client-timeout' || /timed out/i.test(message)) {
    const seconds = Math.round(creds.connectTimeoutMs / 1000);
    const text = describeHandshakeTimeout(target, seconds, tcpUp, creds.surface);
    return new ConnectError(text, 'timeout', verdict === undefined);
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
