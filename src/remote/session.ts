import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ExitStatus, RemoteProcess, Transport } from '../transport/types.js';
import { MarkerParser, type Marker } from './markers.js';
import { ABORT_SESSION, END_SESSION, frame, renderPhase, STOP, type Phase } from './phase.js';
import { BOOTSTRAP, renderPrelude, type PreludeOptions } from './prelude.js';

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
    const how = status.lostBecause ?? (status.signal ? `signal ${status.signal}` : `exit status ${status.code ?? 'unknown'}`);
    super(`${host}: the remote session ended unexpectedly (${how})${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    this.name = 'SessionLost';
  }
}

const TAIL_LINES = 40;
/** Longest line kept in a step's tail (the tail goes into the job summary, which must stay small). */
const TAIL_LINE_CHARS = 2000;
/** Output a step may send to the log; the rest is counted, not shown (the tail still follows it). */
const STEP_OUTPUT_BYTES = 4 * 1024 * 1024;

interface Pending {
  phase: Phase;
  steps: StepRecord[];
  data: Map<string, string[]>;
  bytes: Map<string, Buffer[]>;
  current?: StepRecord;
  startedAt: number;
  resolve(result: PhaseResult): void;
  reject(error: Error): void;
}

/**
 * The runner's side of one host's session: a single remote process that evaluates the phases it is sent.
 * Between phases the runner pings, so the host can tell a waiting runner from a vanished one.
 */
export class HostSession {
  private pending: Pending | undefined;
  private stderrTail = '';
  private finished = false;
  private exitedWithStatus = false;
  private interrupted = false;
  private pingTimer: NodeJS.Timeout | undefined;
  private pid = 0;
  private pgid = 0;
  readonly exited: Promise<ExitStatus>;

  private constructor(
    private readonly transport: Transport,
    private readonly proc: RemoteProcess,
    private readonly listener: SessionListener,
    private readonly pingMs: number,
  ) {
    this.exited = proc.exited.then((status) => {
      this.finished = true;
      this.exitedWithStatus = status.code !== null;
      clearInterval(this.pingTimer);
      this.pending?.reject(new SessionLost(transport.name, status, this.stderrTail));
      this.pending = undefined;
      return status;
    });
  }

  static async open(transport: Transport, prelude: PreludeOptions, listener: SessionListener = {}): Promise<HostSession> {
    const proc = await transport.start(BOOTSTRAP);
    const session = new HostSession(transport, proc, listener, Math.max(1000, (prelude.idleSeconds * 1000) / 4));
    session.listen(prelude.markerToken);
    // The first phase follows the prelude at once (the host reads them in order): waiting for its hello would
    // cost a round trip. A host that cannot run the prelude ends the session, and the first phase reports it.
    await session.write(frame(renderPrelude(prelude)));
    session.startPings();
    return session;
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

  /** A phase is running (its answer has not come yet). */
  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Sends a phase (and its payload) and resolves with the outcome once the host reports the phase's end. */
  async run(phase: Phase, payload?: Payload): Promise<PhaseResult> {
    if (this.finished) throw new SessionLost(this.name, { code: null, signal: null }, 'the session has already ended');
    if (this.pending) throw new Error(`${this.name}: a phase is already running`);
    const result = new Promise<PhaseResult>((resolve, reject) => {
      this.pending = { phase, steps: [], data: new Map(), bytes: new Map(), startedAt: Date.now(), resolve, reject };
    });
    result.catch(() => undefined);
    try {
      await this.write(frame(renderPhase(phase)));
      if (payload) await this.stream(payload.open());
    } catch {
      // The host failed the phase and closed before taking it all: the phase's outcome says why.
    }
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
    if (!this.finished) void this.write(frame(END_SESSION)).catch(() => undefined);
  }

  /** Asks the host to undo this run's unfinished work and end; waits for it at most `timeoutMs`. */
  async abort(timeoutMs: number): Promise<boolean> {
    if (this.finished) return true;
    await this.write(frame(ABORT_SESSION)).catch(() => undefined);
    return this.waitExit(timeoutMs);
  }

  /**
   * Cancels whatever runs now: the upload stops, and SIGTERM goes to the session's process group on the host,
   * whose trap undoes the run's work and exits. The signal travels on `side` (a fresh connection) when given, so
   * it does not queue behind upload data still buffered on the session's own connection.
   */
  async interrupt(timeoutMs: number, side?: () => Promise<Transport>): Promise<boolean> {
    if (this.finished) return true;
    this.interrupted = true;
    if (this.pgid > 0) {
      // The whole session (pkill -s): commands under `timeout` live in process groups of their own.
      const command = `pkill -TERM -s ${this.pgid} 2>/dev/null; kill -TERM -- -${this.pgid} 2>/dev/null || kill -TERM ${this.pid}`;
      const via = side ? await side().catch(() => this.transport) : this.transport;
      await via.run(command).catch(() => undefined);
      if (via !== this.transport) await via.close();
    }
    return this.waitExit(timeoutMs);
  }

  /** Drops the session without a word: the host notices EOF and aborts by itself. */
  destroy(): void {
    clearInterval(this.pingTimer);
    this.proc.destroy();
  }

  private async waitExit(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const done = await Promise.race([this.exited.then(() => true), timeout]);
    clearTimeout(timer);
    return done;
  }

  private startPings(): void {
    this.pingTimer = setInterval(() => {
      if (!this.pending && !this.finished) this.proc.stdin.write('ping\n');
    }, this.pingMs);
    this.pingTimer.unref();
  }

  private async write(data: Buffer): Promise<void> {
    if (this.finished) throw new SessionLost(this.name, { code: null, signal: null }, 'the session has already ended');
    if (!this.proc.stdin.write(data)) await this.drained();
  }

  private async stream(source: Readable): Promise<void> {
    try {
      for await (const chunk of source) {
        if (this.finished || !this.pending || this.interrupted) break;
        if (!this.proc.stdin.write(chunk as Buffer)) await this.drained();
      }
    } finally {
      source.destroy();
    }
  }

  private async drained(): Promise<void> {
    const ac = new AbortController();
    try {
      await Promise.race([once(this.proc.stdin, 'drain', { signal: ac.signal }), this.exited]);
    } finally {
      ac.abort();
    }
  }

  private listen(token: string): void {
    const parser = new MarkerParser(
      token,
      (line) => this.line(line),
      (marker) => this.marker(marker),
    );
    const decoder = new StringDecoder('utf8');
    this.proc.stdout.on('data', (chunk: Buffer) => parser.push(decoder.write(chunk)));
    this.proc.stdout.on('end', () => parser.push(decoder.end()));
    this.proc.stdout.on('close', () => parser.end());
    this.proc.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderrTail = (this.stderrTail + text).slice(-4000);
      for (const line of text.split('\n')) if (line) this.line(line);
    });
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
        this.listener.output?.(`… more than ${STEP_OUTPUT_BYTES / 1024 / 1024} MiB of output: the rest of this step's output is not shown`, step);
      }
    } else {
      this.hidden += text.length + 1;
    }
  }

  /** A new step starts with a fresh output budget; the end of a cut step says how much was left out. */
  private resetOutput(step: StepRecord | undefined): void {
    if (this.hidden > 0) {
      this.listener.output?.(`… ${this.hidden} bytes of output not shown (the last ${TAIL_LINES} lines are in the failure report)`, step);
    }
    this.shown = 0;
    this.hidden = 0;
  }

  private marker({ kind, args }: Marker): void {
    const p = this.pending;
    switch (kind) {
      case 'hello':
        this.pid = Number(args[0]);
        this.pgid = Number(args[1]);
        return;
      case 'data': {
        // `=value` is sent as it is (printable, no spaces); anything else is base64.
        const raw = args[1] ?? '';
        const bytes = raw.startsWith('=') ? Buffer.from(raw.slice(1)) : Buffer.from(raw, 'base64');
        const value = bytes.toString('utf8');
        const key = args[0] ?? '';
        if (key === 'warning') this.listener.warning?.(`${this.name}: ${value}`);
        if (!p) return;
        p.data.set(key, [...(p.data.get(key) ?? []), value]);
        p.bytes.set(key, [...(p.bytes.get(key) ?? []), bytes]);
        return;
      }
      case 'step-begin': {
        if (!p) return;
        const spec = p.phase.steps.find((s) => s.id === args[0]);
        const record: StepRecord = { id: args[0] ?? '?', label: spec?.label ?? args[0] ?? '?', status: 'running', ms: Date.now(), tail: [] };
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
        p.resolve({ ok: rc === 0 || stopped, stopped, rc, steps: p.steps, data: p.data, bytes: p.bytes, failed: stopped ? undefined : p.steps.find((s) => s.status === 'failed') });
        return;
      }
    }
  }
}
