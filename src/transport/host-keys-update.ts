import type { Client } from 'ssh2';

type GlobalRequestHandler = (proto: unknown, name: string, wantReply: boolean, data: unknown) => void;

/** The parts of ssh2's protocol object this module relies on (undocumented; ssh2 is pinned). */
interface HandlerProtocol {
  _handlers?: { GLOBAL_REQUEST?: GlobalRequestHandler };
  requestSuccess?: () => void;
}

/**
 * OpenSSH's sshd sends every host key it has after the login (`hostkeys-00@openssh.com`, for clients that update
 * their known_hosts: OpenSSH's UpdateHostKeys). ssh2 answers it by asking the server to prove each key (one more
 * request and reply, a signature per key on the host) and verifying each proof, to emit a `hostkeys` event that
 * nothing here listens to: the host key is pinned by known-hosts before the login, and never updated from the
 * connection. That cost every host about 1.5 ms of the runner's CPU with one host key (a server with RSA, ECDSA and
 * Ed25519 keys makes it three proofs), and the host the signatures. This leaves the announcement unanswered, as
 * OpenSSH's own client does without UpdateHostKeys (it asks for no reply); other global requests go to ssh2 as
 * before. Returns false, changing nothing, when ssh2 is shaped differently. Call it right after `client.connect()`.
 */
export function ignoreHostKeysUpdate(client: Client): boolean {
  const proto = (client as unknown as { _protocol?: HandlerProtocol })._protocol;
  const handlers = proto?._handlers;
  const handler = handlers?.GLOBAL_REQUEST;
  if (!handlers || typeof handler !== 'function' || typeof proto?.requestSuccess !== 'function') return false;
  handlers.GLOBAL_REQUEST = function (this: unknown, p, name, wantReply, data) {
    if (name !== 'hostkeys-00@openssh.com') return handler.call(this, p, name, wantReply, data);
    // As ssh2 does for it: a server that asks for a reply gets success.
    if (wantReply) proto.requestSuccess!();
  };
  return true;
}
