import type { HostConfig } from '../config/index.js';
import {
  HostSession,
  SessionFailed,
  SessionLost,
  type Payload,
  type PhaseResult,
  type SessionListener,
  type StepRecord,
  type UploadProgress,
} from '../remote/session.js';
import type { Phase } from '../remote/phase.js';
import { stepTitle } from '../remote/steps/hooks.js';
import type { PreludeOptions } from '../remote/prelude.js';
import type { Transport } from '../transport/types.js';
import { dropEarly, loadTransports, openTransport, openWithRetries, reachEarly, type Access } from './connect.js';
import { HostFailure } from './failures.js';
import { settleLimited } from './limit.js';

export interface Member {
  host: HostConfig;
  transport: Transport;
  session: HostSession;
}

export interface FleetListener {
  step?(host: HostConfig, record: StepRecord): void;
  output?(host: HostConfig, line: string, step: StepRecord | undefined): void;
  warning?(text: string): void;
  /** A host's connection failed before authentication and is tried again: `line` says why and when. */
  retry?(host: HostConfig, line: string): void;
  /** A phase ended on a host (for per-host phase timings). */
  phase?(host: HostConfig, name: string, ms: number, ok: boolean): void;
  /**
   * A phase starts across hosts (`connect` while the fleet opens): every step and output line until its end belongs
   * to it. Phases of a fleet never overlap (a phase run within another belongs to the outer one).
   */
  phaseStart?(name: string, hosts: readonly HostConfig[], parts?: Phase['parts']): void;
  /** The phase ended on every host; `error` is what ends the run (a HostFailure, a cancellation), if anything. */
  phaseEnd?(name: string, error?: unknown): void;
  /** How far a host's upload has gone (see UploadProgress). */
  upload?(host: HostConfig, progress: UploadProgress): void;
  /** A step of this run's abort path the host confirmed (see SessionListener.undone). */
  undone?(host: HostConfig, what: string): void;
}

export interface RunOptions {
  /** Only these hosts (a batch); default every host. */
  members?: readonly Member[];
  /** At most this many hosts at once; default all. */
  parallel?: number;
}

/** Time a host gets to undo its work after an abort or interrupt. */
const ABORT_WAIT_MS = 5000;

/**
 * The hosts of one run, each with one connection and one session. Phases run on all hosts at once and the call
 * returns when every host has answered: that is the barrier between phases.
 */
export class Fleet {
  private constructor(
    readonly members: Member[],
    private readonly access: Access,
    private readonly listener: FleetListener,
  ) {}

  /** Phases under way (a phase run inside another is part of the outer one). */
  private depth = 0;

  /**
   * Gets ready to open a fleet while the runner still has other work (a deploy's build description): loads SSH
   * and opens the TCP connections of the hosts reached first. Without it, `open` does the same itself.
   */
  static async warm(hosts: readonly HostConfig[], parallel: number): Promise<void> {
    reachEarly(hosts, parallel);
    await loadTransports(hosts);
  }

  /** Starts loading SSH (when some host needs it) so that it overlaps with whatever comes before `open`. */
  static preload(hosts: readonly HostConfig[]): void {
    loadTransports(hosts).catch(() => undefined);
  }

  /**
   * Connects to every host (at most `parallel` handshakes at once) and starts its session. The first `parallel`
   * TCP connections open while SSH is still loading; the ones no host took are closed at the end. A connection
   * that fails before authentication is tried again (`connect_retries`; see openWithRetries) unless `signal` aborts.
   */
  static async open(
    hosts: HostConfig[],
    access: Access,
    prelude: (host: HostConfig) => PreludeOptions,
    listener: FleetListener,
    parallel = hosts.length,
    signal?: AbortSignal,
  ): Promise<Fleet> {
    reachEarly(hosts, parallel);
    listener.phaseStart?.('connect', hosts);
    try {
      const fleet = await Fleet.connect(hosts, access, prelude, listener, parallel, signal);
      listener.phaseEnd?.('connect');
      return fleet;
    } catch (error) {
      listener.phaseEnd?.('connect', error);
      throw error;
    } finally {
      dropEarly();
    }
  }

  private static async connect(
    hosts: HostConfig[],
    access: Access,
    prelude: (host: HostConfig) => PreludeOptions,
    listener: FleetListener,
    parallel: number,
    signal: AbortSignal | undefined,
  ): Promise<Fleet> {
    const opened = await settleLimited(hosts, parallel, async (host) => {
      const transport = await openWithRetries(
        host,
        access,
        (line) => listener.retry?.(host, line),
        signal,
        (line) => listener.output?.(host, `proxy command: ${line}`, undefined),
      );
      try {
        const session = HostSession.open(
          transport,
          prelude(host),
          sessionListener(host, listener),
          access.startTimeoutMs,
        );
        return { host, transport, session };
      } catch (error) {
        await transport.close();
        throw error;
      }
    });
    const members = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = opened.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) {
      const fleet = new Fleet(members, access, listener);
      // No phase has run anywhere yet (a session starts with its first phase): nothing of this run is on any host.
      for (const m of members) m.session.endNow();
      const confirmed = await fleet.abort();
      const reason = (opened[failed] as PromiseRejectedResult).reason;
      const failure = new HostFailure(
        hosts[failed]!.name,
        'connect',
        reason instanceof Error ? reason.message : String(reason),
      );
      failure.cleanedUp = confirmed;
      throw failure;
    }
    return new Fleet(members, access, listener);
  }

  /**
   * Runs a phase on every host (or a batch), at most `parallel` at once; resolves when every host has answered
   * with each host's result, or throws the first host's failure.
   */
  async run(
    phaseFor: (m: Member) => Phase | undefined,
    payloadFor?: (m: Member) => Payload | undefined,
    opts: RunOptions = {},
  ): Promise<Map<Member, PhaseResult>> {
    const phases = new Map((opts.members ?? this.members).map((m) => [m, phaseFor(m)]));
    const members = [...phases].filter(([, phase]) => phase).map(([m]) => m);
    const first = phases.get(members[0]!);
    if (!first) return new Map();
    return this.phase(first.name, members, () => this.runPhases(members, phases, payloadFor, opts), first.parts);
  }

  /**
   * Runs `fn` as one phase of the fleet on `members` (the listener hears where it starts and ends); inside
   * another phase, as part of that one.
   */
  async phase<T>(name: string, members: readonly Member[], fn: () => Promise<T>, parts?: Phase['parts']): Promise<T> {
    if (this.depth > 0) return fn();
    this.depth++;
    this.listener.phaseStart?.(
      name,
      members.map((m) => m.host),
      parts,
    );
    try {
      const value = await fn();
      this.listener.phaseEnd?.(name);
      return value;
    } catch (error) {
      this.listener.phaseEnd?.(name, error);
      throw error;
    } finally {
      this.depth--;
    }
  }

  private async runPhases(
    members: Member[],
    phases: Map<Member, Phase | undefined>,
    payloadFor: ((m: Member) => Payload | undefined) | undefined,
    opts: RunOptions,
  ): Promise<Map<Member, PhaseResult>> {
    const results = await settleLimited(members, opts.parallel ?? members.length, async (m) => {
      const phase = phases.get(m);
      if (!phase) return undefined;
      const t0 = Date.now();
      try {
        const result = await m.session.run(phase, payloadFor?.(m));
        this.listener.phase?.(m.host, phase.name, Date.now() - t0, result.ok);
        return result;
      } catch (error) {
        this.listener.phase?.(m.host, phase.name, Date.now() - t0, false);
        throw error;
      }
    });
    const out = new Map<Member, PhaseResult>();
    let failure: HostFailure | undefined;
    results.forEach((r, i) => {
      const m = members[i]!;
      if (r.status === 'rejected') {
        if (r.reason instanceof SessionFailed) failure ??= new HostFailure(m.host.name, r.reason.step, r.reason.detail);
        failure ??= new HostFailure(
          m.host.name,
          'session',
          r.reason instanceof SessionLost ? r.reason.message : String(r.reason),
        );
      } else if (r.value) {
        out.set(m, r.value);
        if (!r.value.ok && !failure) {
          const step = r.value.failed;
          // The step's last words usually say why (`error: …`): they belong in the one-line failure too.
          const lines = [...(step?.tail ?? [])].reverse();
          const last = (lines.find((l) => /^error:/i.test(l.trim())) ?? lines.find((l) => l.trim() !== ''))?.trim();
          failure = new HostFailure(
            m.host.name,
            step ? stepTitle(step) : 'phase',
            `exited with code ${r.value.rc}${last ? `: ${last.length > 300 ? `${last.slice(0, 300)}…` : last}` : ''}`,
            step?.tail ?? [],
            r.value.rc,
            r.value.data,
          );
        }
      }
    });
    if (failure) throw failure;
    return out;
  }

  /**
   * Every host undoes this run's unfinished work: busy sessions are interrupted, idle ones asked to abort.
   * Resolves true when every session ended within the wait (its host confirmed the clean-up).
   */
  async abort(): Promise<boolean> {
    const confirmed = await Promise.all(
      this.members.map(async (m) => {
        let done = !m.session.lost;
        if (!m.session.ended) {
          done = m.session.busy
            ? await m.session.interrupt(ABORT_WAIT_MS, () => openTransport(m.host, this.access))
            : await m.session.abort(ABORT_WAIT_MS);
          if (!done) m.session.destroy();
        }
        await m.transport.close();
        return done;
      }),
    );
    return confirmed.every(Boolean);
  }

  /**
   * Ends every session normally and closes the connections. The work is committed by now, so no round trip is
   * spent waiting for the hosts' exits or for the servers' side of the close.
   */
  async close(): Promise<void> {
    await Promise.all(
      this.members.map(async (m) => {
        m.session.endNow();
        await m.transport.close();
      }),
    );
  }
}

function sessionListener(host: HostConfig, l: FleetListener): SessionListener {
  return {
    step: (record) => l.step?.(host, record),
    output: (line, step) => l.output?.(host, line, step),
    warning: (text) => l.warning?.(text),
    upload: (progress) => l.upload?.(host, progress),
    undone: (what) => l.undone?.(host, what),
  };
}
