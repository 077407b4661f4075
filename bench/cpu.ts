import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** CPU time a timed run used: by the runner (the bench's child processes: the action) and by the simulated hosts. */
export interface CpuUse {
  runnerMs: number;
  /** Undefined where the bench cannot count the hosts' CPU (no cgroup v2 it may write). */
  hostsMs?: number;
}

/** A run being counted: the runner's share ends when its process has exited, the hosts' once their work is done. */
export interface CpuMark {
  runnerEnd(): void;
  end(): CpuUse;
}

/** Clock ticks per second of /proc's times; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** CPU time of this process's children that have ended and been waited for (/proc/self/stat cutime + cstime). */
function childrenMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
}

let groups = 0;

/**
 * Counts the CPU the simulated hosts use: every sshd is moved into one cgroup (v2) made for them, below the bench's
 * own, so what their sessions start (bash and every tool) is counted too. No controller is enabled on it: it only
 * counts (`cpu.stat`), and CPU is shared as before. Needs root and a writable cgroup2 mount; without them only the
 * runner is counted.
 */
export class CpuMeter {
  private constructor(private readonly group: string | undefined) {}

  static forHosts(pids: number[]): CpuMeter {
    const mount = cgroup2Mount();
    const own = ownCgroup();
    if (!mount || own === undefined || process.getuid?.() !== 0) return new CpuMeter(undefined);
    const group = join(mount, own, `da-bench-${process.pid}-${++groups}`);
    try {
      mkdirSync(group);
    } catch {
      return new CpuMeter(undefined);
    }
    try {
      for (const pid of pids) writeFileSync(join(group, 'cgroup.procs'), String(pid));
      return new CpuMeter(group);
    } catch {
      // Back where they were, and the group goes: a meter that counts some hosts would be wrong.
      for (const pid of pids) {
        try {
          writeFileSync(join(dirname(group), 'cgroup.procs'), String(pid));
        } catch {
          // not moved, or gone
        }
      }
      new CpuMeter(group).close();
      return new CpuMeter(undefined);
    }
  }

  private hostsUsec(): number | undefined {
    if (!this.group) return undefined;
    const line = readFileSync(join(this.group, 'cpu.stat'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('usage_usec '));
    return line ? Number(line.split(' ')[1]) : undefined;
  }

  start(): CpuMark {
    const runner0 = childrenMs();
    const hosts0 = this.hostsUsec();
    let runner1: number | undefined;
    return {
      runnerEnd: () => {
        runner1 ??= childrenMs();
      },
      end: () => {
        const hosts1 = this.hostsUsec();
        return {
          runnerMs: (runner1 ?? childrenMs()) - runner0,
          ...(hosts0 !== undefined && hosts1 !== undefined ? { hostsMs: (hosts1 - hosts0) / 1000 } : {}),
        };
      },
    };
  }

  /** Removes the cgroup once the hosts have stopped (what their sessions left running may take a moment to end). */
  close(): void {
    if (!this.group) return;
    const deadline = Date.now() + 2000;
    for (;;) {
      try {
        rmdirSync(this.group);
        return;
      } catch {
        if (Date.now() > deadline) return; // left for the machine to drop at its next boot
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      }
    }
  }
}

function cgroup2Mount(): string | undefined {
  try {
    const line = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .find((l) => l.split(' - ')[1]?.startsWith('cgroup2 '));
    return line?.split(' ')[4];
  } catch {
    return undefined;
  }
}

/** This process's cgroup v2 path (`0::/path` in /proc/self/cgroup). */
function ownCgroup(): string | undefined {
  try {
    return readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'))
      ?.slice(3);
  } catch {
    return undefined;
  }
}
