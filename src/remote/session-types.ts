import type { Readable } from 'node:stream';
import type { ExitStatus } from '../transport/types.js';

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
  /** How far the phase's payload (an upload) has gone; see UploadProgress. */
  upload?(progress: UploadProgress): void;
  /** A step of this run's abort path the host confirmed (`undone` markers: `switched-back`, `unlocked`, `end`…). */
  undone?(what: string): void;
}

export interface Payload {
  open(): Readable;
  /** Its size in bytes once known (the archive may still be packing while it is sent). */
  total?(): number | undefined;
}

/**
 * A payload on its way: bytes handed to the connection so far (the connection holds back what the host has not
 * taken yet), its size when known, and whether the sending ended (all sent, or stopped by the phase's end).
 */
export interface UploadProgress {
  sent: number;
  total?: number;
  done: boolean;
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
