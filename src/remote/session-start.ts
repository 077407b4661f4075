import { SessionFailed } from './session-types.js';
import { describeMissingShell } from './tools.js';
import { seconds } from './waits.js';

/** Time a host's login shell gets to start the session (the `hello` marker) unless told otherwise. */
export const DEFAULT_START_TIMEOUT_MS = 20_000;
/**
 * Time the host gets, beyond the start timeout, to accept the session's exec request: a stalled network or frozen
 * host is noticed by the SSH keepalives within about 40 s, and reported as such; this bounds a host that answers
 * keepalives but never the request.
 */
export const EXEC_ANSWER_GRACE_MS = 45_000;

/** A session's start deadlines (its exec request answered, then its hello), one at a time. */
export class StartDeadline {
  private timer: NodeJS.Timeout | undefined;

  /** `waiting`: the session has neither said hello, nor failed, nor ended. */
  constructor(private readonly waiting: () => boolean) {}

  /** Runs `then` in `ms` unless the session said hello, failed or ended by then (one deadline at a time). */
  set(ms: number, then: () => void): void {
    this.clear();
    this.timer = setTimeout(() => {
      if (this.waiting()) then();
    }, ms);
    this.timer.unref();
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** The host did not answer the exec request in time, though its connection is up. */
export function notAccepted(host: string, ms: number): SessionFailed {
  return new SessionFailed(
    host,
    'session',
    `${host} did not accept the request to start the session in ${seconds(ms)} s, though the connection is up; try again, and look at the SSH server's log`,
  );
}

/** No hello in time: a login file most likely reads input or execs another shell. */
export function notStarted(host: string, ms: number): SessionFailed {
  return new SessionFailed(
    host,
    'session',
    `the login shell of ${host} did not start the session in ${seconds(ms)} s: a login file such as ~/.bashrc may read input or exec another shell; see Troubleshooting in docs/operations.md (start-timeout sets the limit)`,
  );
}

/** Exit status 127 before hello: the login shell could not run `env` or `bash` (Alpine has no bash by default). */
export function noShell(host: string, stderrTail: string): SessionFailed {
  return new SessionFailed(
    host,
    'tools',
    `${describeMissingShell(stderrTail)}; see Troubleshooting in docs/operations.md`,
  );
}
