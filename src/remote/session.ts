import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ExitStatus, RemoteProcess, Transport } from '../transport/types.js';
import { LineSplitter, MarkerParser, printable, sizeText, type Marker, type MarkerTooLong } from './markers.js';
import { ABORT_SESSION, END_SESSION, frame, renderPhase, STOP, type Phase } from './phase.js';
import {
  MAX_SESSION_COMMAND,
  renderPrelude,
  sessionCommand,
  SESSION_LOOP,
  STDIN_SCRIPT_END,
  STDIN_SESSION_COMMAND,
  type PreludeOptions,
} from './prelude.js';
import { describeMissingShell, describeToolProblems } from './tools.js';

export interface StepRecord {
  id: string;
  label: string;
  status: 'running' | 'ok' | 'failed';
  ms: number;
  rc?: number;
  /** The last lines of the step's output, for failure reports. */
  tail: string[];
}

export interface SessionListener {
  step?(record: StepRecord): void;
  output?(line: string, step: StepRecord | undefined): void;
  warning?(text: string): void;
}

export interface Payload {
  open(): Readable;
}

export interface PhaseResult {
  ok: boolean;
  /** A step ended the phase early on purpose (STOP): the steps after it did not run. */
  stopped: boolean;
  rc: number;
  steps: StepRecord[];
  failed?: StepRecord;
  /** `da_data` values the steps reported, by key, in order. */
  data: Map<string, string[]>;
  /** The same values as bytes (for binary blobs such as a gzipped manifest). */
  bytes: Map<string, Buffer[]>;
}

/** The session ended while the runner still expected an answer (connection dropped, host process killed). */
export class SessionLost extends Error {
  constructor(
    host: string,
    readonly status: ExitStatus,
    readonly stderr: string,
  ) {
    const how =
      status.lostBecause ?? (status.signal ? `signal ${status.signal}` : `exit status ${status.code ?? 'unknown'}`);
    super(`${host}: the remote session ended unexpectedly (${how})${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    this.name = 'SessionLost';
  }
}

/**
 * The session failed for a reason of its own, before or between steps: it did not start in time, the host lacks
 * tools, or the host sent what no step sends. `step` is what the failure report names (`session`, `tools`).
 */
export class SessionFailed extends Error {
  constructor(
    host: string,
    readonly step: 'session' | 'tools',
    readonly detail: string,
  ) {
    super(`${host}: ${step}: ${detail}`);
    this.name = 'SessionFailed';
  }
}

/** Time a host's login shell gets to start the session (the `hello` marker) unless told otherwise. */
export const DEFAULT_START_TIMEOUT_MS = 20_000;
/**
 * Time the host gets, beyond the start timeout, to accept the session's exec request: a stalled network or frozen
 * host is noticed by the SSH keepalives within about 40 s, and reported as such; this bounds a host that answers
 * keepalives but never the request.
 */
const EXEC_ANSWER_GRACE_MS = 45_000;

const TAIL_LINES = 40;
/** Longest line kept in a step's tail (the tail goes into the job summary, which must stay small). */
const TAIL_LINE_CHARS = 2000;
/** Output a step may send to the log; the rest is counted, not shown (the tail still follows it). */
const STEP_OUTPUT_BYTES = 4 * 1024 * 1024;
/**
 * Data values (marker text) a phase may send in all: inspect's blobs (listings, two manifests) come to a few MB. Each
 * value is kept as text and as bytes until the phase is read, so this (with MAX_BLOB for one value) is what bounds
 * the runner's memory whatever a host sends: about 150 MB at worst, with the value in flight.
 */
export const MAX_PHASE_DATA = 48 * 1024 * 1024;

interface Pending {
  phase: Phase;
  steps: StepRecord[];
  data: Map<string, string[]>;
  bytes: Map<string, Buffer[]>;
  /** Marker text of the data values so far (see MAX_PHASE_DATA). */
  dataChars: number;
  current?: StepRecord;
  startedAt: number;
  resolve(result: PhaseResult): void;
  reject(error: Error): void;
}

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
  private pending: Pending | undefined;
  private stderrTail = '';
  private finished = false;
  /** The session said hello: its script runs. */
  private started = false;
  /** Why the runner gave up on this session (it did not start in time, it sent too much); set once. */
  private failure: SessionFailed | undefined;
  private startTimer: NodeJS.Timeout | undefined;
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
  ) {}

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
    this.deadline(this.execAnswerMs, () =>
      this.fail(
        new SessionFailed(
          this.name,
          'session',
          `${this.name} did not accept the request to start the session in ${seconds(this.execAnswerMs)} s, though the connection is up; try again, and look at the SSH server's log`,
        ),
      ),
    );
    this.starting = (async () => {
      const script = renderPrelude(this.prelude) + first + SESSION_LOOP;
      const inline = sessionCommand(script);
      const fits = inline.length <= MAX_SESSION_COMMAND;
      let proc: RemoteProcess;
      try {
        proc = await this.transport.start(fits ? inline : STDIN_SESSION_COMMAND);
      } catch (error) {
        const why = `the session could not start: ${error instanceof Error ? error.message : String(error)}`;
        this.pending?.reject(new SessionLost(this.name, { code: null, signal: null, lostBecause: why }, ''));
        this.pending = undefined;
        this.finish({ code: null, signal: null, lostBecause: why }, purpose === 'phase');
        throw error;
      }
      this.proc = proc;
      // A login file that reads stdin or execs another shell would keep the session from ever starting: a hang.
      if (!this.failure) this.deadline(this.startTimeoutMs, () => this.startTimedOut());
      void proc.exited.then((status) => {
        // 127 before hello: the login shell could not run `env` or `bash` (Alpine has no bash by default).
        if (!this.started && status.code === 127) {
          this.fail(
            new SessionFailed(
              this.name,
              'tools',
              `${describeMissingShell(this.stderrTail)}; see Troubleshooting in docs/operations.md`,
            ),
          );
        }
        this.pending?.reject(new SessionLost(this.name, status, this.stderrTail));
        this.pending = undefined;
        this.finish(status, status.code !== null);
      });
      this.listen(this.prelude.markerToken);
      this.startPings();
      if (this.failure) proc.stdin.end();
      else if (!fits) await this.write(frame(script + STDIN_SCRIPT_END));
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
    this.fail(
      new SessionFailed(
        this.name,
        'session',
        `the login shell of ${this.name} did not start the session in ${seconds(this.startTimeoutMs)} s: a login file such as ~/.bashrc may read input or exec another shell; see Troubleshooting in docs/operations.md (start-timeout sets the limit)`,
      ),
    );
    this.proc?.stdin.end();
  }

  /** Runs `then` in `ms` unless the session said hello, failed or ended by then (one deadline at a time). */
  private deadline(ms: number, then: () => void): void {
    clearTimeout(this.startTimer);
    this.startTimer = setTimeout(() => {
      if (!this.started && !this.finished && !this.failure) then();
    }, ms);
    this.startTimer.unref();
  }

  /** The runner gives up on this session: the phase under way (and any later one) fails with `failure`. */
  private fail(failure: SessionFailed): void {
    if (this.failure) return;
    this.failure = failure;
    clearTimeout(this.startTimer);
    this.pending?.reject(failure);
    this.pending = undefined;
  }

  private finish(status: ExitStatus, confirmed: boolean): void {
    this.finished = true;
    this.exitedWithStatus = confirmed;
    clearInterval(this.pingTimer);
    clearTimeout(this.startTimer);
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
    return this.pending !== undefined || (this.failure !== undefined && this.started);
  }

  /** Sends a phase (and its payload) and resolves with the outcome once the host reports the phase's end. */
  async run(phase: Phase, payload?: Payload): Promise<PhaseResult> {
    if (this.failure) throw this.failure;
    if (this.finished) throw new SessionLost(this.name, { code: null, signal: null }, 'the session has already ended');
    if (this.pending) throw new Error(`${this.name}: a phase is already running`);
    const result = new Promise<PhaseResult>((resolve, reject) => {
      this.pending = {
        phase,
        steps: [],
        data: new Map(),
        bytes: new Map(),
        dataChars: 0,
        startedAt: Date.now(),
        resolve,
        reject,
      };
    });
    result.catch(() => undefined);
    const pending = this.pending!;
    const sending = (async () => {
      if (this.starting) await this.write(frame(renderPhase(phase)));
      else await this.start(renderPhase(phase), 'phase');
      if (payload) await this.stream(payload.open(), pending);
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
    if (!this.starting) return (await within(this.start(ABORT_SESSION, 'abort'), left())) && this.waitExit(left());
    // A session given up before its hello has had its stdin ended: it exits without doing anything.
    if ((await within(this.starting, left())) && !this.failure) await within(this.write(frame(ABORT_SESSION)), left());
    return this.waitExit(left());
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
      // The whole session (pkill -s): commands under `timeout` live in process groups of their own.
      const command = `pkill -TERM -s ${this.pgid} 2>/dev/null; kill -TERM -- -${this.pgid} 2>/dev/null || kill -TERM ${this.pid}`;
      const signal = async () => {
        const via = side ? await side().catch(() => this.transport) : this.transport;
        try {
          await via.run(command);
        } finally {
          if (via !== this.transport) await via.close();
        }
      };
      await within(signal(), left());
    } else if (!this.failure) {
      // No hello yet: the host is still in the first phase its script carries, and reads stdin right after it.
      await within(this.write(frame(ABORT_SESSION)), left());
    }
    return this.waitExit(left());
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

  private waitExit(timeoutMs: number): Promise<boolean> {
    return within(this.exited, timeoutMs);
  }

  private startPings(): void {
    this.pingTimer = setInterval(() => {
      if (!this.pending && !this.finished && !this.failure) this.proc?.stdin.write('ping\n');
    }, this.pingMs);
    this.pingTimer.unref();
  }

  private async write(data: Buffer): Promise<void> {
    const proc = this.proc;
    if (this.finished || !proc)
      throw new SessionLost(this.name, { code: null, signal: null }, 'the session has already ended');
    if (!proc.stdin.write(data)) await this.drained(proc);
  }

  private async stream(source: Readable, pending: Pending): Promise<void> {
    try {
      for await (const chunk of source) {
        const proc = this.proc;
        // Only while its own phase runs: a chunk after that would land in the next phase's input.
        if (this.finished || this.pending !== pending || this.interrupted || !proc) break;
        if (!proc.stdin.write(chunk as Buffer)) await this.drained(proc);
      }
    } finally {
      source.destroy();
    }
  }

  private async drained(proc: RemoteProcess): Promise<void> {
    const ac = new AbortController();
    try {
      await Promise.race([once(proc.stdin, 'drain', { signal: ac.signal }), this.exited]);
    } finally {
      ac.abort();
    }
  }

  private listen(token: string): void {
    const proc = this.proc!;
    const parser = new MarkerParser(
      token,
      (line) => this.line(line),
      (marker) => this.marker(marker),
      (error) => this.tooLong(error),
    );
    const decoder = new StringDecoder('utf8');
    proc.stdout.on('data', (chunk: Buffer) => parser.push(decoder.write(chunk)));
    proc.stdout.on('end', () => parser.push(decoder.end()));
    proc.stdout.on('close', () => parser.end());
    // stderr lines are assembled across chunks and cut like output lines.
    const errors = new LineSplitter((line) => {
      if (line) this.line(line);
    });
    const errDecoder = new StringDecoder('utf8');
    proc.stderr.on('data', (chunk: Buffer) => {
      const text = errDecoder.write(chunk);
      this.stderrTail = (this.stderrTail + text.slice(-4000)).slice(-4000);
      errors.push(text);
    });
    proc.stderr.on('end', () => errors.push(errDecoder.end()));
    proc.stderr.on('close', () => errors.flush());
  }

  /** A marker line over its cap: the host sends what no step sends; the session is given up (and interrupted). */
  private tooLong(error: MarkerTooLong): void {
    const label = this.pending?.current?.label.split('\n')[0];
    const during = label ? ` (during ${label.length > 60 ? `${label.slice(0, 60)}…` : label})` : '';
    this.fail(
      new SessionFailed(
        this.name,
        'session',
        `${error.message}${during}: the host sent more than any step of a session sends; the run stops here`,
      ),
    );
  }

  private shown = 0;
  private hidden = 0;

  private line(text: string): void {
    const step = this.pending?.current;
    if (step) {
      step.tail.push(text.length > TAIL_LINE_CHARS ? `${text.slice(0, TAIL_LINE_CHARS)}… (line cut)` : text);
      if (step.tail.length > TAIL_LINES) step.tail.shift();
    }
    // A step that floods its output (a hook printing 50 MB) must not flood the log, nor hold the run up.
    if (this.shown < STEP_OUTPUT_BYTES) {
      this.shown += text.length + 1;
      this.listener.output?.(text, step);
      if (this.shown >= STEP_OUTPUT_BYTES) {
        this.listener.output?.(
          `… more than ${STEP_OUTPUT_BYTES / 1024 / 1024} MiB of output: the rest of this step's output is not shown`,
          step,
        );
      }
    } else {
      this.hidden += text.length + 1;
    }
  }

  /** A new step starts with a fresh output budget; the end of a cut step says how much was left out. */
  private resetOutput(step: StepRecord | undefined): void {
    if (this.hidden > 0) {
      this.listener.output?.(
        `… ${this.hidden} bytes of output not shown (the last ${TAIL_LINES} lines are in the failure report)`,
        step,
      );
    }
    this.shown = 0;
    this.hidden = 0;
  }

  private marker({ kind, args }: Marker): void {
    const p = this.pending;
    switch (kind) {
      case 'hello':
        // Once: a later one (a hook that learnt the token) must not redirect an interrupt to other processes.
        if (this.started) return;
        this.started = true;
        clearTimeout(this.startTimer);
        this.pid = Number(args[0]);
        this.pgid = Number(args[1]);
        return;
      case 'tools':
        // The session's check of the host's tools failed before hello; the script exits right after this.
        if (this.started) return;
        this.fail(new SessionFailed(this.name, 'tools', describeToolProblems(args)));
        return;
      case 'data': {
        // `=value` is sent as it is (printable ASCII, spaces included); anything else is base64.
        const raw = args.slice(1).join(' ');
        if (p) p.dataChars += raw.length;
        if (p && p.dataChars > MAX_PHASE_DATA) {
          this.fail(
            new SessionFailed(
              this.name,
              'session',
              `the host sent more than ${sizeText(MAX_PHASE_DATA)} of data values in one phase (the last one "${printable(args[0] ?? '')}"): more than any step of a session sends; the run stops here`,
            ),
          );
          return;
        }
        const bytes = raw.startsWith('=') ? Buffer.from(raw.slice(1)) : Buffer.from(raw, 'base64');
        const value = bytes.toString('utf8');
        const key = args[0] ?? '';
        if (key === 'warning') this.listener.warning?.(`${this.name}: ${value}`);
        if (!p) return;
        const values = p.data.get(key) ?? [];
        const blobs = p.bytes.get(key) ?? [];
        values.push(value);
        blobs.push(bytes);
        p.data.set(key, values);
        p.bytes.set(key, blobs);
        return;
      }
      case 'step-begin': {
        if (!p) return;
        const spec = p.phase.steps.find((s) => s.id === args[0]);
        const record: StepRecord = {
          id: args[0] ?? '?',
          label: spec?.label ?? args[0] ?? '?',
          status: 'running',
          ms: Date.now(),
          tail: [],
        };
        this.resetOutput(p.current);
        p.steps.push(record);
        p.current = record;
        this.listener.step?.(record);
        return;
      }
      case 'step-end': {
        const record = p?.current;
        if (!p || !record) return;
        this.resetOutput(record);
        record.rc = Number(args[1]);
        record.status = record.rc === 0 || record.rc === STOP ? 'ok' : 'failed';
        record.ms = Date.now() - record.ms;
        p.current = undefined;
        this.listener.step?.(record);
        return;
      }
      case 'phase-end': {
        if (!p) return;
        this.pending = undefined;
        const rc = Number(args[0]);
        const stopped = rc === STOP;
        p.resolve({
          ok: rc === 0 || stopped,
          stopped,
          rc,
          steps: p.steps,
          data: p.data,
          bytes: p.bytes,
          failed: stopped ? undefined : p.steps.find((s) => s.status === 'failed'),
        });
        return;
      }
    }
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/** The time left of `ms` from now, each time it is asked. */
function deadline(ms: number): () => number {
  const end = Date.now() + ms;
  return () => Math.max(0, end - Date.now());
}

/** Whether `work` settles successfully within `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([
    work.then(
      () => true,
      () => false,
    ),
    late,
  ]);
  clearTimeout(timer);
  return done;
}
