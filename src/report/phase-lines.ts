import type { HostConfig } from '../config/index.js';
import { Cancelled } from '../errors.js';
import { HostFailure } from '../fleet/failures.js';
import type { Phase } from '../remote/phase.js';
import type { StepRecord } from '../remote/session.js';
import { phaseLine, type Log } from '../log.js';

/** What the log calls a phase (by its name in the fleet; the summary's columns keep the names). */
const TITLES: Readonly<Record<string, string>> = {
  health: 'health check',
  revert: 'switch back',
  base: 'delta base',
  ship: 'deploy',
};

interface Open {
  title: string;
  hosts: readonly HostConfig[];
  t0: number;
  /** Hosts whose step failed in this phase. */
  failed: Set<string>;
  /** A phase sent as one to a single host: each part gets a section of its own as its first step starts. */
  parts?: NonNullable<Phase['parts']>;
  part: number;
  suffix: string;
}

/**
 * The run's structure in the log: one section per phase of the fleet holding its per-host lines, a visible line
 * after each (`stage: 3/3 hosts, 1.2 s`), and a failure's own line after its phase's section, never folded away.
 * Connecting is no section of its own (its lines are few): it opens the first phase's (`connect and inspect`).
 */
export class PhaseLines {
  private open?: Open;
  /** The fleet is connecting (or connected, no phase yet) since then. */
  private connecting?: number;

  constructor(
    private readonly log: Log,
    private readonly fleetSize: number,
    /** The run was cancelled (a phase it stopped is cancelled, not failed). */
    private readonly signal?: AbortSignal,
    private readonly now: () => number = Date.now,
  ) {}

  start(name: string, hosts: readonly HostConfig[], parts?: Phase['parts']): void {
    this.close();
    if (name === 'connect') {
      this.connecting = this.now();
      return;
    }
    const t0 = this.connecting ?? this.now();
    const prefix = this.connecting !== undefined ? 'connect and ' : '';
    this.connecting = undefined;
    // A part of the fleet (a rolling batch, a restaged host) is named.
    const suffix = hosts.length < this.fleetSize ? ` (${hosts.map((h) => h.name).join(', ')})` : '';
    const split = hosts.length === 1 && parts !== undefined && parts.length > 1;
    const title = split ? parts[0]!.name : parts?.length ? parts.map((p) => p.name).join(' and ') : name;
    this.begin({
      title: `${prefix}${TITLES[title] ?? title}`,
      hosts,
      t0,
      failed: new Set(),
      parts: split ? parts : undefined,
      part: 0,
      suffix,
    });
  }

  /** A step's event (from the fleet's listener): failures are counted, a part's first step opens its section. */
  step(host: HostConfig, record: StepRecord): void {
    const open = this.open;
    if (!open) return;
    if (record.status === 'failed') open.failed.add(host.name);
    if (record.status !== 'running' || !open.parts) return;
    const next = open.parts.findIndex((p, i) => i > open.part && p.from === record.id);
    if (next < 0) return;
    this.close();
    const name = open.parts[next]!.name;
    this.begin({ ...open, title: TITLES[name] ?? name, t0: this.now(), part: next });
  }

  end(name: string, error?: unknown): void {
    if (name === 'connect') {
      if (error === undefined) return;
      // No section was opened: the failure is all there is to say.
      const hosts = this.fleetSize;
      const failedOn = error instanceof HostFailure ? error.host : undefined;
      this.log.info(
        phaseLine('connect', {
          total: hosts,
          ok: failedOn ? hosts - 1 : 0,
          ms: this.now() - (this.connecting ?? this.now()),
          failed: this.isCancel(error) ? undefined : `on ${failedOn ?? 'a host'}`,
          cancelled: this.isCancel(error),
        }),
      );
      this.connecting = undefined;
      this.failure(error);
      return;
    }
    this.close(error);
  }

  private begin(open: Open): void {
    this.open = open;
    this.log.startGroup(`${open.title}${open.suffix}`);
  }

  /** Ends the open section with its line, then (outside it) the failure that ended it. */
  private close(error?: unknown): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    this.log.endGroup();
    const failedOn = error instanceof HostFailure ? error.host : error ? [...open.failed][0] : undefined;
    if (failedOn) open.failed.add(failedOn);
    const total = open.hosts.length;
    this.log.info(
      phaseLine(open.title, {
        total,
        ok: total - open.failed.size,
        ms: this.now() - open.t0,
        failed: error && !this.isCancel(error) ? `on ${failedOn ?? 'a host'}` : undefined,
        cancelled: this.isCancel(error),
      }),
    );
    if (error) this.failure(error);
  }

  /** The error that ends the run, in a line of its own (host, step, cause). */
  private failure(error: unknown): void {
    if (this.isCancel(error)) return;
    const text = error instanceof Error ? error.message : String(error);
    this.log.info(`✗ ${text.split('\n')[0]}`);
  }

  private isCancel(error: unknown): boolean {
    if (error === undefined) return false;
    return (
      this.signal?.aborted === true ||
      error instanceof Cancelled ||
      (error instanceof Error && error.name === 'AbortError')
    );
  }
}
