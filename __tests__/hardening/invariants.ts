/**
 * The invariants every hardening case must hold, on every host, whatever the fault:
 *  1. current resolves to a complete release that was live before or was fully deployed in this run;
 *  2. shared/ is byte-identical to before (unless the run succeeded and a hook wrote there);
 *  3. no lock of a finished run remains; a foreign lock is never removed;
 *  4. no partial release remains (every release dir was there before or is in the history as deployed), no
 *     pending record of a finished run, no temporary link;
 *  5. the next plain deploy succeeds;
 *  6. the step failed, naming the host and the step, whenever the deploy did not complete.
 * Each checked case appends a record to a results directory; the table reporter prints them at the end.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  type Stats,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionResult } from '../support/action.js';

export const RESULTS_DIR = join(tmpdir(), 'da-hardening-results');

export interface Snapshot {
  /** readlink(current), '' when absent; 'DIR' when current is a plain directory. */
  current: string;
  releases: string[];
  sharedHash: string;
  /** Contents of .deploy/lock/owner ('' when no lock). */
  lockOwner: string;
  pending: string[];
  historyLines: number;
}

function ls(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** A hash of a tree: every path, its type, mode, link target and content. */
export function treeHash(root: string): string {
  const h = createHash('sha256');
  const walk = (rel: string) => {
    const abs = join(root, rel);
    let st: Stats;
    try {
      st = lstatSync(abs);
    } catch {
      h.update(`missing ${rel}\n`);
      return;
    }
    h.update(`${rel} ${st.mode.toString(8)} `);
    if (st.isSymbolicLink()) h.update(`-> ${readlinkSync(abs)}\n`);
    else if (st.isFile()) h.update(readFileSync(abs)).update('\n');
    else if (st.isDirectory()) {
      h.update('dir\n');
      for (const e of ls(abs)) walk(rel ? `${rel}/${e}` : e);
    }
  };
  walk('');
  return h.digest('hex');
}

export function snapshot(dp: string): Snapshot {
  let current = '';
  try {
    const st = lstatSync(join(dp, 'current'));
    current = st.isSymbolicLink() ? readlinkSync(join(dp, 'current')) : 'DIR';
  } catch {
    current = '';
  }
  let lockOwner = '';
  if (existsSync(join(dp, '.deploy/lock'))) {
    try {
      lockOwner = readFileSync(join(dp, '.deploy/lock/owner'), 'utf8').trim() || '?';
    } catch {
      lockOwner = '?';
    }
  }
  return {
    current,
    releases: ls(join(dp, 'releases')),
    sharedHash: treeHash(join(dp, 'shared')),
    lockOwner,
    pending: ls(join(dp, '.deploy/pending')),
    historyLines: history(dp).length,
  };
}

export interface HistoryLine {
  event: string;
  release: string;
  [k: string]: unknown;
}

export function history(dp: string): HistoryLine[] {
  try {
    return readFileSync(join(dp, '.deploy/history.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as HistoryLine);
  } catch {
    return [];
  }
}

/** Releases the history calls deployed (and not failed since). */
function deployed(dp: string): Set<string> {
  const ok = new Set<string>();
  for (const h of history(dp)) {
    if (h.event === 'deploy' || h.event === 'redeploy') ok.add(h.release);
    if (h.event === 'failed') ok.delete(h.release);
  }
  return ok;
}

export interface HostUnderTest {
  /** The host's name as the action prints it (user@host:port). */
  name: string;
  deployPath: string;
  before: Snapshot;
}

export interface CheckOptions {
  hosts: HostUnderTest[];
  /** The main step's result (and the post step's, when it ran). */
  result: ActionResult;
  post?: ActionResult;
  /** The run was cancelled by a signal (the message names the cancellation, not a host). */
  cancelled?: boolean;
  /** The run was killed (SIGKILL): no message is possible; the post step must have finished the job. */
  killed?: boolean;
  /** A file the release must contain to count as complete (default VERSION). */
  completeFile?: string;
  /** Runs the next plain deploy; must resolve with its result. Omit to skip invariant 5 (recorded as such). */
  nextDeploy?: () => Promise<ActionResult>;
  /** A hook of a successful run may write into shared/. */
  hooksWriteShared?: boolean;
  /** The test's full name (needed in test.concurrent, where jest cannot tell which test is running). */
  caseName?: string;
}

export interface Verdict {
  held: boolean[];
  problems: string[];
  /** The deploy completed (current moved to a release fully deployed by this run) on every host. */
  completed: boolean;
}

/** Checks invariants 1–6 (5 when nextDeploy is given) on every host; throws with every broken one. */
export async function checkInvariants(o: CheckOptions): Promise<Verdict> {
  const t0 = Date.now();
  const problems: string[] = [];
  const held = [true, true, true, true, true, true];
  const fail = (n: number, msg: string) => {
    held[n - 1] = false;
    problems.push(`invariant ${n}: ${msg}`);
  };
  const release = o.result.outputs['attempted-release'] || (o.result.outputs['release'] ?? '');
  let completed = true;
  for (const h of o.hosts) {
    const dp = h.deployPath;
    const after = snapshot(dp);
    const ok = deployed(dp);
    // This run's release: the output, or (a killed run writes no outputs) what the history recorded since.
    const mine =
      release ||
      (history(dp)
        .slice(h.before.historyLines)
        .find((l) => l.event === 'deploy')?.release ??
        '');
    const newRelease = after.current !== h.before.current && after.current === `releases/${mine}` && ok.has(mine);
    if (!newRelease) completed = false;
    // 1. current
    if (h.before.current === 'DIR') {
      if (after.current !== 'DIR')
        fail(1, `${h.name}: current was a plain directory and is now ${after.current || 'missing'}`);
    } else if (after.current !== h.before.current && !newRelease) {
      fail(
        1,
        `${h.name}: current is ${after.current || 'missing'}, was ${h.before.current || 'missing'}, and ${mine || 'no release of this run'} is not recorded as deployed`,
      );
    } else if (after.current) {
      const target = join(dp, after.current);
      if (!existsSync(join(target, 'REVISION')) || !existsSync(join(target, o.completeFile ?? 'VERSION'))) {
        fail(1, `${h.name}: current → ${after.current} is not a complete release`);
      }
    }
    // 2. shared
    if (after.sharedHash !== h.before.sharedHash && !(newRelease && o.hooksWriteShared)) {
      fail(2, `${h.name}: shared/ changed`);
    }
    // 3. locks
    if (h.before.lockOwner) {
      if (after.lockOwner !== h.before.lockOwner)
        fail(
          3,
          `${h.name}: the foreign lock of ${h.before.lockOwner} was removed or replaced (now ${after.lockOwner || 'none'})`,
        );
    } else if (after.lockOwner) {
      fail(3, `${h.name}: a lock (owner ${after.lockOwner}) remains after the run ended`);
    }
    // 4. partial releases, pending records, temporary links
    for (const r of after.releases) {
      if (!h.before.releases.includes(r) && !ok.has(r))
        fail(4, `${h.name}: releases/${r} is left behind but was never deployed`);
    }
    const strayPending = after.pending.filter((p) => !h.before.pending.includes(p));
    if (strayPending.length) fail(4, `${h.name}: pending records left: ${strayPending.join(', ')}`);
    const temp = ls(join(dp, '.deploy')).filter((e) => e.startsWith('current.'));
    if (temp.length) fail(4, `${h.name}: temporary links left: ${temp.join(', ')}`);
  }
  // 6. the step failed, with a message naming the host and the step, when the deploy did not complete.
  if (!completed) {
    const r = o.result;
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    if (o.killed) {
      if (r.signal !== 'SIGKILL') fail(6, `the killed run ended with ${r.code ?? r.signal}`);
    } else if (r.code === 0) {
      fail(6, 'the deploy did not complete but the step succeeded');
    } else if (o.cancelled) {
      if (!errors.some((l) => /cancelled/.test(l)))
        fail(6, `no error line says the run was cancelled: ${errors.join(' / ') || '(none)'}`);
    } else if (!errors.some((e) => o.hosts.some((h) => e.includes(`${h.name}: `)))) {
      fail(6, `no error line names the host and the step: ${errors.join(' / ') || '(none)'}`);
    }
  }
  // 5. the next plain deploy
  if (o.nextDeploy && problems.length === 0) {
    const next = await o.nextDeploy();
    if (next.code !== 0)
      fail(
        5,
        `the next deploy failed: ${next.stdout
          .split('\n')
          .filter((l) => l.startsWith('::error'))
          .join(' / ')}`,
      );
    for (const h of o.hosts) {
      const cur = snapshot(h.deployPath).current;
      if (next.code === 0 && cur !== `releases/${next.outputs['release']}`)
        fail(5, `${h.name}: after the next deploy current is ${cur}`);
    }
  }
  const verdict = { held, problems, completed };
  record({
    name: o.caseName,
    invariants: held.map((v, i) => (i === 4 && !o.nextDeploy ? '-' : v ? '✓' : '✗')).join(''),
    checkMs: Date.now() - t0,
    problems,
  });
  if (problems.length) throw new Error(problems.join('\n'));
  return verdict;
}

/** Appends a record for the running test (merged into the table by the reporter). */
export function record(data: {
  name?: string;
  invariants: string;
  checkMs?: number;
  problems?: string[];
  note?: string;
}): void {
  const name = data.name ?? expect.getState().currentTestName ?? 'unknown';
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${createHash('sha1').update(name).digest('hex').slice(0, 16)}.json`);
  let prev: { invariants?: string; notes?: string[] } = {};
  try {
    prev = JSON.parse(readFileSync(file, 'utf8')) as typeof prev;
  } catch {
    // first record of this test
  }
  // Several checks in one test (several hosts or rounds): an invariant holds when it held in every check.
  const merged = prev.invariants
    ? [...data.invariants]
        .map((c, i) => (c === '✗' || prev.invariants![i] === '✗' ? '✗' : c === '-' ? prev.invariants![i]! : c))
        .join('')
    : data.invariants;
  const notes = [...(prev.notes ?? []), ...(data.note ? [data.note] : [])];
  writeFileSync(file, JSON.stringify({ name, invariants: merged, notes, problems: data.problems ?? [] }));
}
