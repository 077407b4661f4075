import type { Client, ClientChannel } from 'ssh2';

/** The parts of ssh2's client and protocol objects this module relies on (undocumented; ssh2 is pinned). */
interface Protocol {
  service(name: string): void;
  exec(chan: number, cmd: string, wantReply: boolean): void;
  _handlers: {
    SERVICE_ACCEPT?: (proto: unknown, name: string) => void;
    EXT_INFO?: (proto: unknown, exts: unknown) => void;
  };
}
interface ClientInternals {
  _protocol?: Protocol;
  /** The server's software version from its identification line (`OpenSSH_9.2p1`). */
  _remoteVer?: string;
}

/**
 * The command ssh2 is given for the session opened during login: it never reaches the server (the wrapped
 * `exec` below swaps in the real command); if it ever did, the host would run nothing.
 */
const PLACEHOLDER = 'exit 70 # deploy-action: session opened during login';

/** A session channel opened while the login was under way; its command follows once the runner knows it. */
export interface EarlySession {
  /**
   * Runs `command` on that channel: resolves with it once the server accepted the command. Undefined when no such
   * channel was opened (not OpenSSH, ssh2 shaped differently) or it was used already.
   */
  exec(command: string): Promise<ClientChannel> | undefined;
}

/**
 * Logs in with fewer round trips. ssh2 waits for each answer before the next request: the `ssh-userauth` service,
 * then the key, then (after the login) the session channel, then the command: four round trips. The protocol lets
 * a client send the first three together when the key exchange authenticated the server (RFC 4253 §7: every
 * method ssh2 offers signs the exchange with the host key; the host key was checked by then) and names what a
 * server does with messages that follow a login request (RFC 4252 §5.1: those after the request that succeeded go to
 * the service; OpenSSH works through its input in order, so the channel request is read once the login succeeded).
 * With `openSession` the session channel is requested in the same flight; only for a login that is one attempt (one
 * private key, no agent), since a channel request that arrives while the server is still waiting for a second
 * attempt is refused.
 *
 * Only with OpenSSH servers, whose order of processing was checked (__tests__/transport/ssh-login.test.ts); other
 * servers get ssh2's usual sequence. Wraps two methods of the connection's protocol object and one of its message
 * handlers, which ssh2 does not document; if their shape changes, this does nothing. Call it right after
 * `client.connect()`, before the handshake completes.
 */
export function pipelineLogin(client: Client, opts: { openSession: boolean }): EarlySession {
  const none: EarlySession = { exec: () => undefined };
  const internals = client as unknown as ClientInternals;
  const proto = internals._protocol;
  const handlers = proto?._handlers;
  const accept = handlers?.SERVICE_ACCEPT;
  const extInfo = handlers?.EXT_INFO;
  if (!proto || !handlers || typeof accept !== 'function' || typeof extInfo !== 'function') return none;
  if (
    typeof proto.service !== 'function' ||
    typeof proto.exec !== 'function' ||
    proto.service.length !== 1 ||
    proto.exec.length !== 3
  )
    return none;

  // The login starts once: early (below), or on the server's answer to the service request if that comes first.
  let loginStarted = false;
  handlers.SERVICE_ACCEPT = (p, name) => {
    if (name !== 'ssh-userauth') return accept(p, name);
    if (loginStarted) return;
    loginStarted = true;
    accept(p, name);
  };

  let early: Promise<ClientChannel> | undefined;
  let command: string | undefined;
  let held: ((command: string) => void) | undefined;
  const exec = proto.exec;
  proto.exec = function (this: Protocol, chan, cmd, wantReply) {
    if (cmd !== PLACEHOLDER || !early) return exec.call(this, chan, cmd, wantReply);
    held = (real) => exec.call(this, chan, real, wantReply);
    if (command !== undefined) held(command);
  };

  // Early means once the service is asked for and the server's EXT_INFO is read: ssh2 picks an RSA key's signature
  // algorithm from its server-sig-algs. OpenSSH (7.2 on) sends it right after its NEWKEYS, as ssh2 offers ext-info-c;
  // without it, the login waits for the server's answer as usual. This runs inside ssh2's packet handling, whose
  // errors end the connection the usual way.
  let requested = false;
  let extSeen = false;
  const startEarly = () => {
    if (!requested || !extSeen || loginStarted || !/^OpenSSH_/.test(internals._remoteVer ?? '') || !isOpen(client))
      return;
    handlers.SERVICE_ACCEPT!(proto, 'ssh-userauth');
    if (!opts.openSession) return;
    early = new Promise<ClientChannel>((resolve, reject) => {
      try {
        client.exec(PLACEHOLDER, (err, channel) => (err ? reject(err) : resolve(channel)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    early.catch(() => undefined); // a failed login ends the connection and this with it: connect() reports that
  };
  handlers.EXT_INFO = (p, exts) => {
    extInfo(p, exts);
    if (extSeen) return;
    extSeen = true;
    startEarly();
  };
  const service = proto.service;
  proto.service = function (this: Protocol, name) {
    service.call(this, name);
    if (name !== 'ssh-userauth' || requested) return;
    requested = true;
    startEarly();
  };

  return {
    exec(real) {
      if (!early || command !== undefined) return undefined;
      command = real;
      held?.(real);
      return early;
    },
  };
}

function isOpen(client: Client): boolean {
  const sock = (client as unknown as { _sock?: { writable?: boolean } })._sock;
  return !!sock?.writable;
}
