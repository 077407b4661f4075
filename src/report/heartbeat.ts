import type { HostConfig } from '../config/index.js';
import type { FleetListener } from '../fleet/fleet.js';
import type { StepRecord } from '../remote/session.js';

/** A running step quiet this long gets a line saying it still runs, and again after each such quiet spell. */
export const HEARTBEAT_MS = 30_000;

/**
 * The heartbeat's interval: HEARTBEAT_MS, or DEPLOY_HEARTBEAT_MS (milliseconds, at least 100) where a test needs a
 * shorter one. Read here only.
 */
export function heartbeatMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env['DEPLOY_HEARTBEAT_MS']);
  return Number.isFinite(ms) && ms >= 100 ? ms : HEARTBEAT_MS;
}

/** A duration as a person reads it in a log line: `45s`, `1m30s`, `1h05m`. */
export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A step's label for a one-line message: its first line, at most 60 characters. */
export function shortLabel(label: string): string {
  const first = label.trim().split('\n')[0]!.trim();
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
}

interface Beat {
  /** The step's label as given (shortened only when a heartbeat says it). */
  label: string;
  started: number;
  /** The step's last sign of life: its start, a line of output, a piece of its upload, or the last heartbeat. */
  last: number;
}

/**
 * One timer per host with a running step (one step runs at a time on a host): while the step is quiet, a line every
 * `everyMs` ("still running `php artisan migrate` on web1, 1m30s"). A host's timer outlives its step: the next
 * step takes it over (it fires, sees the new step's start, and waits the rest), and a timer that fires with no step
 * running ends; so a phase of short steps arms a timer or two per host, not two per step. Timers never keep the
 * process alive.
 */
export class Heartbeat {
  private readonly beats = new Map<string, Beat>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly say: (text: string) => void,
    private readonly everyMs = heartbeatMs(),
  ) {}

  /** A step started on `host`. */
  begin(host: string, label: string): void {
    const now = Date.now();
    this.beats.set(host, { label, started: now, last: now });
    if (!this.timers.has(host)) this.arm(host, this.everyMs);
  }

  /** The step running on `host` showed a sign of life. */
  activity(host: string): void {
    const beat = this.beats.get(host);
    if (beat) beat.last = Date.now();
  }

  /** The step on `host` ended (or its phase did): no more heartbeats for it. */
  end(host: string): void {
    this.beats.delete(host);
  }

  private arm(host: string, ms: number): void {
    const timer = setTimeout(() => this.check(host), ms);
    timer.unref();
    this.timers.set(host, timer);
  }

  private check(host: string): void {
    this.timers.delete(host);
    const beat = this.beats.get(host);
    if (!beat) return;
    const now = Date.now();
    const quiet = now - beat.last;
    if (quiet < this.everyMs) {
      this.arm(host, this.everyMs - quiet);
      return;
    }
    beat.last = now;
    this.say(`still running \`${shortLabel(beat.label)}\` on ${host}, ${elapsed(now - beat.started)}`);
    this.arm(host, this.everyMs);
  }
}

/** Work on the runner for `host` (a health check by URL, with its retries) with a heartbeat while it lasts. */
export async function watched<T>(
  say: (text: string) => void,
  host: string,
  label: string,
  work: () => Promise<T>,
  beats = new Heartbeat(say),
): Promise<T> {
  beats.begin(host, label);
  try {
    return await work();
  } finally {
    beats.end(host);
  }
}

/**
 * `inner` with a heartbeat for each host's running step: a step's start arms it, its output and upload keep it
 * quiet, the step's end or its phase's end (also a failed or cancelled one) clears it.
 */
export function withHeartbeat(
  inner: FleetListener,
  say: (text: string) => void,
  beats = new Heartbeat(say),
): FleetListener {
  return {
    ...inner,
    step(host: HostConfig, record: StepRecord) {
      if (record.status === 'running') beats.begin(host.name, record.label);
      else beats.end(host.name);
      inner.step?.(host, record);
    },
    output(host, line, step) {
      beats.activity(host.name);
      inner.output?.(host, line, step);
    },
    phase(host, name, ms, ok) {
      beats.end(host.name);
      inner.phase?.(host, name, ms, ok);
    },
    upload(host, progress) {
      beats.activity(host.name);
      inner.upload?.(host, progress);
    },
  };
}
