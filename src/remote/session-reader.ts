import { StringDecoder } from 'node:string_decoder';
import type { RemoteProcess } from '../transport/types.js';
import { LineSplitter, MarkerParser, printable, sizeText, type Marker, type MarkerTooLong } from './markers.js';
import { EarlyLines } from './early-lines.js';
import { STOP, type Phase } from './phase.js';
import { SessionFailed, type PhaseResult, type SessionListener, type StepRecord } from './session-types.js';

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

/** The phase the runner waits for: what its steps reported so far, and how to settle it. */
export interface Pending {
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

/** What the reader leaves to the session: its own markers (hello, tools), and giving up on a host that sends too much. */
export interface ReaderHooks {
  control(marker: Marker): void;
  fail(failure: SessionFailed): void;
}

/**
 * The runner's reading of one session's output: marker dispatch for the phase under way (steps, data values, its
 * end), each step's output budget and tail, stderr lines, and the caps on what a host may send.
 */
export class SessionReader {
  /** The phase under way, until its end marker (or the session's failure) settles it. */
  pending: Pending | undefined;
  /** The last 4000 characters of the session's stderr (for a lost session's message). */
  stderrTail = '';
  private shown = 0;
  private hidden = 0;

  constructor(
    private readonly name: string,
    private readonly listener: SessionListener,
    private readonly hooks: ReaderHooks,
  ) {}

  /** Waits for `phase`: `result` settles with its end marker, or with the session's failure or loss. */
  expect(phase: Phase): { pending: Pending; result: Promise<PhaseResult> } {
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
    return { pending: this.pending!, result };
  }

  listen(proc: RemoteProcess, token: string): void {
    const parser = new MarkerParser(
      token,
      (line) => this.line(line),
      (marker) => this.marker(marker),
      (error) => this.tooLong(error),
    );
    const decoder = new StringDecoder('utf8');
    const outQuiet = new EarlyLines(parser);
    proc.stdout.on('data', (chunk: Buffer) => {
      parser.push(decoder.write(chunk));
      outQuiet.data();
    });
    proc.stdout.on('end', () => parser.push(decoder.end()));
    proc.stdout.on('close', () => {
      outQuiet.stop();
      parser.end();
    });
    // stderr lines are assembled across chunks and cut like output lines.
    const errors = new LineSplitter((line) => {
      if (line) this.line(line);
    });
    const errDecoder = new StringDecoder('utf8');
    const errQuiet = new EarlyLines(errors);
    proc.stderr.on('data', (chunk: Buffer) => {
      const text = errDecoder.write(chunk);
      this.stderrTail = (this.stderrTail + text.slice(-4000)).slice(-4000);
      errors.push(text);
      errQuiet.data();
    });
    proc.stderr.on('end', () => errors.push(errDecoder.end()));
    proc.stderr.on('close', () => {
      errQuiet.stop();
      errors.flush();
    });
  }

  /** A marker line over its cap: the host sends what no step sends; the session is given up (and interrupted). */
  private tooLong(error: MarkerTooLong): void {
    const label = this.pending?.current?.label.split('\n')[0];
    const during = label ? ` (during ${label.length > 60 ? `${label.slice(0, 60)}…` : label})` : '';
    this.hooks.fail(
      new SessionFailed(
        this.name,
        'session',
        `${error.message}${during}: the host sent more than any step of a session sends; the run stops here`,
      ),
    );
  }

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

  private marker(marker: Marker): void {
    const { kind, args } = marker;
    const p = this.pending;
    switch (kind) {
      case 'hello':
      case 'tools':
        this.hooks.control(marker);
        return;
      case 'undone':
        // The abort path runs in a phase or on its own (no phase under way): heard either way.
        this.listener.undone?.(printable(args[0] ?? ''));
        return;
      case 'data': {
        // `=value` is sent as it is (printable ASCII, spaces included); anything else is base64.
        const raw = args.slice(1).join(' ');
        if (p) p.dataChars += raw.length;
        if (p && p.dataChars > MAX_PHASE_DATA) {
          this.hooks.fail(
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
