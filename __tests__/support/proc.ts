/**
 * Small process helpers shared by the test harness (sshd.ts, netns.ts).
 * Test support only; never imported by src/.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command without a shell; never rejects on a non-zero exit. */
export function run(
  file: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
        let code = 0;
        if (e) code = typeof e.code === 'number' ? e.code : 1;
        if (e && typeof e.code === 'string') stderr = `${stderr}${e.message}`;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Like run() but rejects with the command line and stderr on failure. */
export async function runOk(
  file: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const r = await run(file, args, opts);
  if (r.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

/** Synchronous best-effort run (for process 'exit' handlers); returns false on failure. */
export function runSyncQuiet(file: string, args: string[], input?: string): boolean {
  try {
    execFileSync(file, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'],
      input,
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

/** pid -> parent pid for every process visible in /proc. */
function parentMap(): Map<number, number> {
  const map = new Map<number, number>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return map;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ..." -- comm may contain spaces/parens, so split after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      map.set(Number(name), Number(rest[1]));
    } catch {
      // process vanished while scanning
    }
  }
  return map;
}

/** All live descendants of pid (not including pid). */
export function descendants(pid: number): number[] {
  const parents = parentMap();
  const children = new Map<number, number[]>();
  for (const [child, parent] of parents) {
    const list = children.get(parent);
    if (list) list.push(child);
    else children.set(parent, [child]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * SIGKILL a process and every descendant, synchronously.
 *
 * sshd puts each connection (and each session command) in its own session via setsid(), so
 * killing a process group is not enough. We freeze the tree top-down with SIGSTOP (a stopped
 * process cannot fork or exit and re-parent its children), re-scan until nothing new appears,
 * then SIGKILL everything we froze.
 */
export function killTreeSync(rootPid: number): number[] {
  const frozen = new Set<number>();
  signal(rootPid, 'SIGSTOP');
  frozen.add(rootPid);
  for (let round = 0; round < 50; round++) {
    let added = false;
    for (const pid of descendants(rootPid)) {
      if (frozen.has(pid)) continue;
      signal(pid, 'SIGSTOP');
      frozen.add(pid);
      added = true;
    }
    if (!added) break;
  }
  for (const pid of frozen) signal(pid, 'SIGKILL');
  return [...frozen];
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Crash safety net. Jest hands every test file a sandboxed copy of `process`, and 'exit'
 * listeners registered on that copy never fire, so an in-process handler alone cannot be
 * trusted. We therefore do both:
 *  - register a normal process 'exit' handler (works when the harness is used outside jest);
 *  - start a tiny detached watchdog (`sh` + `tail --pid`) that waits for this Node process to
 *    die and then runs a cleanup shell script. It survives SIGKILL of the test worker.
 * The returned cancel() kills the watchdog without running the cleanup.
 */
export function spawnWatchdog(cleanupScript: string, args: string[] = []): () => void {
  const script = `tail --pid=${process.pid} -f /dev/null >/dev/null 2>&1 || while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done\n${cleanupScript}`;
  let pid: number | undefined;
  try {
    const child = spawn('/bin/sh', ['-c', script, 'deploy-test-watchdog', ...args], {
      detached: true,
      stdio: 'ignore',
    });
    child.on('error', () => undefined);
    child.unref();
    pid = child.pid;
  } catch {
    pid = undefined;
  }
  return () => {
    if (pid !== undefined) killTreeSync(pid);
    pid = undefined;
  };
}

const exitHooks = new Set<() => void>();
let exitHookInstalled = false;

/** Run fn synchronously when the process exits (see spawnWatchdog for why this is not enough under jest). */
export function addExitHook(fn: () => void): () => void {
  exitHooks.add(fn);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const hook of [...exitHooks]) {
        try {
          hook();
        } catch {
          // best effort
        }
      }
    });
  }
  return () => exitHooks.delete(fn);
}
