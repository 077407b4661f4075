import type { Readable, Writable } from 'node:stream';

/** A short command's exit code and collected output. */
export interface Completed {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ExitStatus {
  code: number | null;
  signal: string | null;
  /** Why the connection under the process went away, when it did (e.g. a keepalive timeout, a reset). */
  lostBecause?: string;
}

/** A command started on a host, with its three streams. */
export interface RemoteProcess {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Settles when the process has ended and its streams are closed. */
  exited: Promise<ExitStatus>;
  /** Drops the process's channel (ssh) or kills it (local): the last resort of a cancelled run. */
  destroy(): void;
}

/** How the engine reaches a host: SSH, or a local shell for the `local` host. Nothing above knows which. */
export interface Transport {
  /** The host as users name it, for messages. */
  readonly name: string;
  /** Starts `command` in the host's login shell (ssh) or in bash (local). */
  start(command: string): Promise<RemoteProcess>;
  /** Runs a short command to completion (used to signal a session from the side). */
  run(command: string): Promise<Completed>;
  close(): Promise<void>;
}
