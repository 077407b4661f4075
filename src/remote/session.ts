import type { ExitStatus, RemoteProcess, Transport } from '../transport/types.js';
import type { Marker } from './markers.js';
import { ABORT_SESSION, END_SESSION, frame, renderPhase, type Phase } from './phase.js';
import {
  MAX_SESSION_COMMAND,
  preludeParts,
  sessionCommand,
  SESSION_LOOP,
  STDIN_SCRIPT_END,
  STDIN_SESSION_COMMAND,
  type PreludeOptions,
} from './prelude.js';
import { send, streamTo, terminate } from './session-input.js';
import { SessionReader } from './session-reader.js';
import {
  DEFAULT_START_TIMEOUT_MS,
  EXEC_ANSWER_GRACE_MS,
  noShell,
  notAccepted,
  notStarted,
  StartDeadline,
} from './session-start.js';
import { SessionFailed, SessionLost, type Payload, type PhaseResult, type SessionListener } from './session-types.js';
import { describeToolProblems } from './tools.js';
import { deadline, within } from './waits.js';

export { MAX_PHASE_DATA } from './session-reader.js';
export { DEFAULT_START_TIMEOUT_MS } from './session-start.js';
export { SessionFailed, SessionLost } from './session-types.js';
export type { Payload, PhaseResult, SessionListener, StepRecord, UploadProgress } from './session-types.js';

/**
 * The runner's side of one host's session: a single remote process that evaluates the phases it is sent.
 * Between phases the runner pings, so the host can tell a waiting runner from a vanished one.
 *
 * The process starts with the first phase: the prelude and that phase travel in the exec request itself, so the
 * host is at work as soon as the request arrives, a round trip earlier than if they followed on stdin.
 */
export class HostSession {
  private proc: RemoteProcess | undefined;
  private starting: Promise<void> | undefined;
  private readonly reader: SessionReader;
  private finished = false;
  /** The session said hello: its script runs. */
  private started = false;
  /** Why the runner gave up on this session (it did not start in time, it sent too much); set once. */
  private failure: SessionFailed | undefined;
  private readonly startDeadline = new StartDeadline(() => !this.started && !this.finished && !this.failure);
  private exitedWithStatus = false;
  private interrupted = false;
  private pingTimer: NodeJS.Timeout | undefined;
  private pid = 0;
  private pgid = 0;
  private exit!: (status: ExitStatus) => void;
  readonly exited = new Promise<ExitStatus>((resolve) => (this.exit = resolve));

  private constructor(
    private readonly transport: Transport,
    private readonly prelude: PreludeOptions,
    private readonly listener: SessionListener,
    private readonly pingMs: number,
    private readonly startTimeoutMs: number,
    private readonly execAnswerMs: number,
  ) {
    this.reader = new SessionReader(transport.name, listener, {
      control: (marker) => this.control(marker),
      fail: (failure) => this.fail(failure),
    });
  }

  /**
   * A session on a connected transport; its process starts with the first phase (or abort) sent to it: the host
   * must accept that exec request within `execAnswerMs`, and its login shell start the session (hello) within
   * `startTimeoutMs` of that.
   */
  static open(
    transport: Transport,
    prelude: PreludeOptions,
    listener: SessionListener = {},
    startTimeoutMs = DEFAULT_START_TIMEOUT_MS,
    execAnswerMs = startTimeoutMs + EXEC_ANSWER_GRACE_MS,
  ): HostSession {
    return new HostSession(
      transport,
      prelude,
      listener,
      Math.max(1000, (prelude.idleSeconds * 1000) / 4),
      startTimeoutMs,
      execAnswerMs,
    );
  }

  /**
   * Starts the remote process with `first` (a rendered phase, or the abort request) in its script, which travels in
   * the exec request, or on stdin when it would not fit. If the process cannot start, nothing of this session ran on
   * the host, so nothing of it is left to undo; but an abort was asked to undo an earlier session's work, and that
   * is not confirmed.
   */
  private start(first: string, purpose: 'phase' | 'abort'): Promise<void> {
    this.startDeadline.set(this.execAnswerMs, () => this.fail(notAccepted(this.name, this.execAnswerMs)));
    this.starting = (async () => {
      const [shared, token, helpers] = preludeParts(this.prelude);
      const inline = sessionCommand([shared, token, helpers + first + SESSION_LOOP]);
      const fits = inline.length <= MAX_SESSION_COMMAND;
      let proc: RemoteProcess;
      try {
        proc = await this.transport.start(fits ? inline : STDIN_SESSION_COMMAND);
      } catch (error) {
        const why = `the session could not start: ${error instanceof Error ? error.message : String(error)}`;
        this.reader.pending?.reject(new SessionLost(this.name, { code: null, signal: null, lostBecause: why }, ''));
        this.reader.pending = undefined;
        this.finish({ code: null, signal: null, lostBecause: why }, purpose === 'phase');
        throw error;
      }
      this.proc = proc;
      // A login file that reads stdin or execs another shell would keep the session from ever starting: a hang.
      if (!this.failure) this.startDeadline.set(this.startTimeoutMs, () => this.startTimedOut());
      void proc.exited.then((status) => {
        // 127 before hello: the login shell could not run `env` or `bash` (Alpine has no bash by default).
        if (!this.started && status.code === 127) this.fail(noShell(this.name, this.reader.stderrTail));
        this.reader.pending?.reject(new SessionLost(this.name, status, this.reader.stderrTail));
        this.reader.pending = undefined;
        this.finish(status, status.code !== null);
      });
      this.reader.listen(proc, this.prelude.markerToken);
      this.startPings();
      if (this.failure) proc.stdin.end();
      else if (!fits) await this.write(frame(shared + token + helpers + first + SESSION_LOOP + STDIN_SCRIPT_END));
    })();
    return this.starting;
  }

  /**
   * No hello within the deadline: the phase fails with the likely cause, and stdin ends, so a login file waiting
   * for input gets EOF and a shell reading commands from it exits. A session script that still starts after that
   * meets EOF at its first read and undoes what its first phase did (da_lost), before the runner's abort stops
   * waiting for its exit.
   */
  private startTimedOut(): void {
    this.fail(notStarted(this.name, this.startTimeoutMs));
    this.proc?.stdin.end();
  }

  /** The runner gives up on this session: the phase under way (and any later one) fails with `failure`. */
  private fail(failure: SessionFailed): void {
    if (this.failure) return;
    this.failure = failure;
    this.startDeadline.clear();
    this.reader.pending?.reject(failure);
    this.reader.pending = undefined;
  }

  private finish(status: ExitStatus, confirmed: boolean): void {
    this.finished = true;
    this.exitedWithStatus = confirmed;
    clearInterval(this.pingTimer);
    this.startDeadline.clear();
    this.exit(status);
  }

  get name(): string {
    return this.transport.name;
  }

  get ended(): boolean {
    return this.finished;
  }

  /**
   * The session ended without an exit status (connection dropped, process killed): nothing confirms that the host
   * undid the run's work. Every exit path of the session script runs the abort path first, so a status confirms it.
   */
  get lost(): boolean {
    return this.finished && !this.exitedWithStatus;
  }

  /**
   * A phase is running (its answer has not come yet), or the session was given up while its script may run (it
   * sent too much): either way, ending it takes an interrupt.
   */
  get busy(): boolean {
    return this.reader.pending !== undefined || (this.failure !== undefined && this.started);
  }

  /** Sends a phase (and its payload) and resolves with the outcome once the host reports the phase's end. */
  async run(phase: Phase, payload?: Payload): Promise<PhaseResult> {
    if (this.failure) throw this.failure;
    if (this.finished) throw new SessionLost(this.name, { code: null, signal: null }, 'the session has already ended');
    if (this.reader.pending) throw new Error(`${this.name}: a phase is already running`);
    const { pending, result } = this.reader.expect(phase);
    const sending = (async () => {
      if (this.starting) await this.write(frame(renderPhase(phase)));
      else await this.start(renderPhase(phase), 'phase');
      // Only while its own phase runs: a chunk after that would land in the next phase's input.
      const target = () =>
        this.finished || this.reader.pending !== pending || this.interrupted ? undefined : this.proc;
      if (payload) await streamTo(payload, target, this.exited, (p) => this.listener.upload?.(p));
    })();
    // The host failed the phase and closed before taking it all: the phase's outcome says why. A session that
    // never starts (its exec request unanswered) fails by its start deadline, without waiting for the send.
    await Promise.race([sending.catch(() => undefined), result.catch(() => undefined)]);
    return result;
  }

  /** Ends a session whose work is done, and waits for the host's exit. */
  async end(): Promise<ExitStatus> {
    this.endNow();
    return this.exited;
  }

  /**
   * Ends a session whose work is done and committed, without waiting for the host's exit: there is nothing left to
   * confirm, and the host ends by itself on the end message (or, failing that, on EOF).
   */
  endNow(): void {
    clearInterval(this.pingTimer);
    if (!this.starting) this.finish({ code: 0, signal: null }, true);
    // Written at once when the process runs: the connection may be closed right after this call.
    else if (this.proc) void this.write(frame(END_SESSION)).catch(() => undefined);
    else void this.starting.then(() => this.write(frame(END_SESSION))).catch(() => undefined);
  }

  /**
   * Asks the host to undo this run's unfinished work and end; waits for it at most `timeoutMs`. A session that has
   * not started yet starts with that request (the `post:` step's way to finish an abandoned run).
   */
  async abort(timeoutMs: number): Promise<boolean> {
    if (this.finished) return true;
    const left = deadline(timeoutMs);
    if (!this.starting)
      return (await within(this.start(ABORT_SESSION, 'abort'), left())) && within(this.exited, left());
    // A session given up before its hello has had its stdin ended: it exits without doing anything.
    if ((await within(this.starting, left())) && !this.failure) await within(this.write(frame(ABORT_SESSION)), left());
    return within(this.exited, left());
  }

  /**
   * Cancels whatever runs now: the upload stops, and SIGTERM goes to the session's process group on the host,
   * whose trap undoes the run's work and exits. The signal travels on `side` (a fresh connection) when given, so
   * it does not queue behind upload data still buffered on the session's own connection.
   */
  async interrupt(timeoutMs: number, side?: () => Promise<Transport>): Promise<boolean> {
    if (this.finished) return true;
    this.interrupted = true;
    if (!this.starting) return this.abort(timeoutMs);
    const left = deadline(timeoutMs);
    if (!(await within(this.starting, left()))) return this.finished && !this.lost;
    if (this.pgid > 0) {
      await within(terminate(this.transport, this.pid, this.pgid, side), left());
    } else if (!this.failure) {
      // No hello yet: the host is still in the first phase its script carries, and reads stdin right after it.
      await within(this.write(frame(ABORT_SESSION)), left());
    }
    return within(this.exited, left());
  }

  /** Drops the session without a word: the host notices EOF and aborts by itself. */
  destroy(): void {
    clearInterval(this.pingTimer);
    if (!this.starting) this.finish({ code: null, signal: null }, true);
    else
      void this.starting.then(
        () => this.proc?.destroy(),
        () => undefined,
      );
  }

  private startPings(): void {
    this.pingTimer = setInterval(() => {
      if (!this.reader.pending && !this.finished && !this.failure) this.proc?.stdin.write('ping\n');
    }, this.pingMs);
    this.pingTimer.unref();
  }

  private async write(data: Buffer): Promise<void> {
    const proc = this.proc;
    if (this.finished || !proc)
      throw new SessionLost(this.name, { code: null, signal: null }, 'the session has already ended');
    await send(proc, data, this.exited);
  }

  /** The session's own markers: its start (hello), or its check of the host's tools failing before that. */
  private control({ kind, args }: Marker): void {
    switch (kind) {
      case 'hello':
        // Once: a later one (a hook that learnt the token) must not redirect an interrupt to other processes.
        if (this.started) return;
        this.started = true;
        this.startDeadline.clear();
        this.pid = Number(args[0]);
        this.pgid = Number(args[1]);
        return;
      case 'tools':
        // The session's check of the host's tools failed before hello; the script exits right after this.
        if (this.started) return;
        this.fail(new SessionFailed(this.name, 'tools', describeToolProblems(args)));
        return;
    }
  }
}
