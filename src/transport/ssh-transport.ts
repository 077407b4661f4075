/** An open SSH connection as a Transport: commands, the early session, keepalive loss, a graceful close. */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { NodeSSH } from 'node-ssh';
import type { ClientChannel } from 'ssh2';
import type { Completed, ExitStatus, RemoteProcess, Transport } from './types.js';
import { collect } from './collect.js';
import type { EarlySession } from './pipelined-login.js';

/** How long a closed connection may take to hand its last writes to the kernel. */
const CLOSE_GRACE_MS = 1000;

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
