/**
 * Jump hosts (OpenSSH's ProxyJump): each hop is an SSH connection whose `direct-tcpip` channel carries the next one,
 * the last carrying the target's. Every hop's host key is checked against `known-hosts` as the target's is (by the
 * same connectSsh), before authentication; a failure names the hop.
 */
import { hopName } from '../config/index.js';
import { ConnectError, connectSsh, type SshCredentials, type SshTarget } from './ssh.js';
import type { Carrier, SshTransport } from './ssh-transport.js';

/** One hop, its user resolved. */
export interface JumpHop {
  host: string;
  user: string;
  port: number;
  /** From a secret (`${NAME}`): messages name it `***`. */
  masked?: boolean;
}

/** Closes the hops from the last to the first. */
function closeAll(hops: SshTransport[]): void {
  for (const hop of [...hops].reverse()) void hop.close();
}

/**
 * Connects to `target` through `hops`. Only the first hop has a TCP connection of its own (opened early if
 * connectEarly was called for it); the target keeps its pipelined session. Closing the target closes its hops.
 */
export async function connectThrough(
  target: SshTarget,
  hops: readonly JumpHop[],
  creds: SshCredentials,
): Promise<SshTransport> {
  const open: SshTransport[] = [];
  const carrier = (sock: Carrier['sock'], session: boolean): Carrier => {
    const under = [...open];
    return { sock, session, close: () => closeAll(under) };
  };
  const label = (i: number) => `jump host ${hopName(hops[i]!)} (hop ${i + 1} of ${hops.length})`;
  let sock: Carrier['sock'] | undefined;
  for (const [i, hop] of hops.entries()) {
    const name = hopName(hop);
    try {
      const transport = await connectSsh(
        { ...hop, name },
        creds,
        sock && { sock, session: false, close: () => undefined },
      );
      open.push(transport);
    } catch (error) {
      closeAll(open);
      throw hopError(label(i), error);
    }
    const next = hops[i + 1] ?? target;
    const address = hops[i + 1]?.masked ? '***' : `${next.host}:${next.port}`;
    try {
      sock = await open[i]!.forward(next.host, next.port);
    } catch (error) {
      closeAll(open);
      const what = i + 1 < hops.length ? label(i + 1) : target.name;
      throw new ConnectError(
        `${label(i)} could not reach ${what} at ${address}: ${(error as Error).message}. ` +
          'Check that the jump host can reach that address and port, and that its sshd allows TCP forwarding ' +
          '(AllowTcpForwarding).',
        'network',
      );
    }
  }
  // On failure connectSsh closes what carries it: the hops.
  return connectSsh(target, creds, sock && carrier(sock, true));
}

/** A hop's failure named by the hop; one before the hop's authentication may be tried again, as the target's. */
function hopError(label: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ConnectError)) return new ConnectError(`${label}: ${message}`, 'network');
  return new ConnectError(`${label}: ${message}`, error.kind, error.beforeAuth);
}
