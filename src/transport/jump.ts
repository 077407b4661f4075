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
    const what = i + 1 < hops.length ? label(i + 1) : target.name;
    try {
      sock = await within(open[i]!.forward(next.host, next.port), creds.connectTimeoutMs);
    } catch (error) {
      closeAll(open);
      if (error === LATE) {
        const seconds = Math.round(creds.connectTimeoutMs / 1000);
        throw new ConnectError(
          `${label(i)} could not reach ${what} at ${address}: no answer within ${seconds} s (connect-timeout). ` +
            'The jump host got no reply from that address and port: check that it is the right one and that no ' +
            'firewall between the jump host and it drops the connection.',
          'timeout',
          true,
        );
      }
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

/** What `within` rejects with when the time is up. */
const LATE = new Error('late');

/** `promise`, or LATE after `ms` (the channel a jump host opens too late is closed with its connection). */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(LATE), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A hop's failure named by the hop; one before the hop's authentication may be tried again, as the target's. */
function hopError(label: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ConnectError)) return new ConnectError(`${label}: ${message}`, 'network');
  return new ConnectError(`${label}: ${message}`, error.kind, error.beforeAuth);
}
