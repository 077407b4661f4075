import type { StepRecord } from '../remote/session.js';
import type { Block } from './document.js';
import type { ExecResult } from './exec.js';

export interface StepRow {
  id: string;
  label: string;
  status: 'running' | 'ok' | 'failed' | 'skipped';
  ms: number;
}

export interface HostRow {
  /** Milliseconds per phase (`inspect`, `stage`, `hooks`, `switch`, `activate`, `health`, `finish`). */
  phases: Record<string, number>;
  /** The health check's verdict after the switch (`HTTP 502, expected 200`, `fail after 3 attempts`). */
  /** The health check: passed or not, after how many attempts, what the last attempt saw. */
  health?: { ok: boolean; attempts: number; detail: string };
  reverted?: boolean;
  /** The path to the host when not direct: `via deploy@bastion:22`, `via proxy command …`. */
  via?: string;
}

/** Where the summary links to: the repository's commits and the run (empty when not on GitHub). */
export interface RunLinks {
  server: string;
  repository: string;
  runUrl: string;
}

/** The last lines of output a host's step printed (hooks), kept for the summary. */
export interface StepOutput {
  label: string;
  lines: string[];
  /** Lines printed in all (more than `lines` when the oldest were dropped). */
  total: number;
}

/** The values a host's hooks wrote to `$DEPLOY_OUTPUT`, by name (a later write replaces an earlier one). */
export interface HostHookOutputs {
  /** The host's name came from a secret (`${NAME}`): outputs show it as `***`. */
  masked: boolean;
  values: Map<string, string>;
}

/** Output kept per step while the run goes; the summary shows less (see summary.ts). */
export const OUTPUT_KEEP_LINES = 200;
export const OUTPUT_LINE_CHARS = 1000;

export interface FailureReport {
  /** The host it failed on; `runner` for the runner's own work; undefined when no one host failed (the fleet's). */
  host?: string;
  step: string;
  message: string;
  tail: string[];
}

/**
 * What happened in a run, collected from step events: the summary, outputs and annotations are all rendered from
 * this, never from inside a step.
 */
export class RunReport {
  readonly hosts = new Map<string, StepRow[]>();
  /** Per host: phase durations, health, whether it was switched back. */
  readonly rows = new Map<string, HostRow>();
  /** When each host's `current` was switched (epoch ms), for the fleet's switch window. */
  readonly switchedAt = new Map<string, number>();
  readonly warnings: string[] = [];
  /** Per host, per step id: the last lines of hook output. */
  readonly outputs = new Map<string, Map<string, StepOutput>>();
  /** Per host: the values its hooks wrote to `$DEPLOY_OUTPUT`, checked (see commands/hook-outputs.ts). */
  readonly hookOutputs = new Map<string, HostHookOutputs>();
  links?: RunLinks;
  failure?: FailureReport;
  release?: string;
  previous?: string;
  releasePath?: string;
  sha?: string;
  url?: string;
  /** The config file as a terminal in the checkout names it, when not the default `deploy.yml` (for the commands shown). */
  configPath?: string;
  /** exec: what the command did on each host it ran on (the `exec` output). */
  exec?: ExecResult[];
  /** The hosts in config order (the summary lists them so, not in the order they finished). */
  readonly order: string[] = [];
  /** A dry run: nothing was changed, whatever the command. */
  dryRun = false;
  /** Per host, after a failure: whether it confirmed that it undid this run's unfinished work (da_abort). */
  readonly undone = new Map<string, boolean>();
  /** Per host: the steps of its abort path it confirmed (`undone` markers: `switched-back`, `unlocked`, `end`…). */
  readonly undid = new Map<string, Set<string>>();
  /** Lines describing what changed (shown on success). */
  readonly changes: string[] = [];
  /** What a command tells beyond the outcome (a plan, a releases listing), rendered for the summary and the CLI. */
  readonly details: Block[] = [];
  private readonly started = Date.now();
  finishedMs?: number;

  constructor(
    readonly command: string,
    readonly environment: string,
    readonly application: string,
  ) {}

  step(host: string, record: StepRecord | StepRow): void {
    const rows = this.hosts.get(host) ?? [];
    const row: StepRow = {
      id: record.id,
      label: record.label,
      status: record.status,
      ms: record.status === 'running' ? 0 : record.ms,
    };
    const at = rows.findIndex((r) => r.id === row.id);
    if (at >= 0) rows[at] = row;
    else rows.push(row);
    this.hosts.set(host, rows);
  }

  /** Keeps a line a step printed (the last OUTPUT_KEEP_LINES per step, each cut to OUTPUT_LINE_CHARS). */
  output(host: string, step: { id: string; label: string }, line: string): void {
    let steps = this.outputs.get(host);
    if (!steps) {
      steps = new Map();
      this.outputs.set(host, steps);
    }
    let out = steps.get(step.id);
    if (!out) {
      out = { label: step.label, lines: [], total: 0 };
      steps.set(step.id, out);
    }
    out.total++;
    out.lines.push(line.length > OUTPUT_LINE_CHARS ? `${line.slice(0, OUTPUT_LINE_CHARS)}…` : line);
    if (out.lines.length > OUTPUT_KEEP_LINES) out.lines.shift();
  }

  /** The run is about these hosts (config order), and is a dry run or not. */
  begin(hosts: string[], dryRun: boolean | undefined): void {
    this.order.splice(0, this.order.length, ...hosts);
    this.dryRun = dryRun === true;
  }

  /** Hosts with rows (or steps), in config order; the runner (its build) first, other names last. */
  inOrder(hosts: Iterable<string>): string[] {
    // Each host's place looked up once (a sort compares each host about log2(n) times; a fleet has hundreds).
    const at = new Map(this.order.map((h, i) => [h, i] as const).reverse());
    const list = [...hosts];
    const rank = new Map(list.map((h) => [h, h === 'runner' ? -1 : (at.get(h) ?? this.order.length)] as const));
    return list.sort((a, b) => rank.get(a)! - rank.get(b)!);
  }

  row(host: string): HostRow {
    let row = this.rows.get(host);
    if (!row) {
      row = { phases: {} };
      this.rows.set(host, row);
    }
    return row;
  }

  /** First to last switch across the fleet, in ms (undefined before any switch). */
  get switchWindowMs(): number | undefined {
    const times = [...this.switchedAt.values()];
    return times.length ? Math.max(...times) - Math.min(...times) : undefined;
  }

  /** Times a runner-side step (`build`, `pack`) and records it under the pseudo-host `runner`. */
  async time<T>(id: string, label: string, fn: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    this.step('runner', { id, label, status: 'running', ms: 0 });
    try {
      const value = await fn();
      this.step('runner', { id, label, status: 'ok', ms: Date.now() - t0 });
      return value;
    } catch (error) {
      this.step('runner', { id, label, status: 'failed', ms: Date.now() - t0 });
      throw error;
    }
  }

  finish(): void {
    this.finishedMs = Date.now() - this.started;
  }

  get ok(): boolean {
    return !this.failure;
  }
}
