import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostConfig } from '../config/index.js';
import { Fleet, type FleetListener, type Member } from '../fleet/fleet.js';
import { FleetFailure, HostFailure } from '../fleet/failures.js';
import { SessionFailed } from '../remote/session.js';
import { doctor as doctorStep, readDoctor } from '../remote/steps/doctor.js';
import { needsHttpUser } from '../remote/steps/writable.js';
import { heading, paragraph, type Block } from '../report/document.js';
import { progress } from '../report/progress.js';
import { Cancelled } from '../errors.js';
import type { CommandContext } from './context.js';
import { checkRows, checkTable, type HostEvidence } from './doctor-checks.js';
import { preludeFor } from './fleet-run.js';
import { reportInvalid } from './host-messages.js';

/** Files counted for the build's size at most: a rough figure is enough to compare with free disk. */
const MAX_FILES = 200_000;

/** The size of `source` on this machine, roughly (files and symlinks as they are, `.git` left out). */
export function buildSize(dir: string): number {
  let bytes = 0;
  let files = 0;
  const walk = (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (++files > MAX_FILES) return;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.git') walk(p);
      } else {
        try {
          bytes += lstatSync(p).size;
        } catch {
          /* gone meanwhile */
        }
      }
    }
  };
  walk(dir);
  return bytes;
}

/**
 * doctor: connects to every host and checks, in one phase and without changing anything, what a deploy needs. A
 * table per host (✓, ⚠, ✗ with the fix) goes into the report's details; the run fails, naming the hosts, when a
 * deploy would fail on any of them.
 */
export async function doctor(ctx: CommandContext): Promise<void> {
  const c = ctx.config;
  const evidence = new Map<string, HostEvidence>();
  const loginLines = new Map<string, number>();
  const stepped = new Set<string>();
  const base = progress(ctx.log, ctx.report, c.hosts.length, ctx.signal);
  // Lines a host sends before its first step are the login files' (the session prints nothing before then).
  const listener: FleetListener = {
    ...base,
    step(host, record) {
      stepped.add(host.name);
      base.step?.(host, record);
    },
    output(host, line, step) {
      if (!step && !stepped.has(host.name) && line.trim())
        loginLines.set(host.name, (loginLines.get(host.name) ?? 0) + 1);
      base.output?.(host, line, step);
    },
  };
  const step = doctorStep({
    acl: c.writableMode === 'acl' && c.writableDirs.length > 0,
    sudo: c.writableUseSudo || c.clearUseSudo,
    httpUser: c.httpUser && needsHttpUser(c.writableMode) && c.writableDirs.length > 0 ? c.httpUser : undefined,
  });
  const buildBytes = buildSize(ctx.source);
  // A host that cannot be reached is a row of its own; the others are checked without it.
  let left: HostConfig[] = c.hosts;
  while (left.length) {
    let fleet: Fleet;
    try {
      fleet = await Fleet.open(left, ctx.access, (h) => preludeFor(ctx, h), listener, c.maxParallel);
    } catch (error) {
      if (ctx.signal.aborted) throw new Cancelled();
      if (!(error instanceof HostFailure) || error.step !== 'connect') throw error;
      const message = error.message.replace(`${error.host}: connect: `, '');
      evidence.set(error.host, { loginLines: 0, failure: { step: 'connect', message }, answeredAt: Date.now() });
      left = left.filter((h) => h.name !== error.host);
      continue;
    }
    // Nothing to undo on any host (doctor changes nothing): a cancellation just ends the sessions.
    const onAbort = () => void fleet.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await checkFleet(ctx, fleet, step, evidence);
      await fleet.close();
    } catch (error) {
      await fleet.abort();
      throw error;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    break;
  }
  if (ctx.signal.aborted) throw new Cancelled();
  const out: Block[] = [heading('Doctor')];
  const failing: string[] = [];
  for (const host of c.hosts) {
    const e = evidence.get(host.name);
    if (!e) continue;
    e.loginLines = loginLines.get(host.name) ?? 0;
    const rows = checkRows(host, e, { config: c, buildBytes, surface: ctx.surface });
    if (rows.some((r) => r.mark === '✗')) failing.push(host.name);
    out.push(heading(host.name, 2), checkTable(rows));
  }
  out.push(
    paragraph(
      failing.length
        ? `A deploy would fail on ${failing.join(', ')}: see the fix of each ✗.`
        : 'Every host has what a deploy needs.',
    ),
  );
  ctx.report.details.push(...out);
  if (failing.length)
    throw new FleetFailure(
      'doctor',
      `a deploy would fail on ${failing.join(', ')}; see the fix of each ✗ in the table of each host`,
    );
}

/** Runs the doctor step on every member; a session that fails to start is that host's evidence, not the run's end. */
async function checkFleet(
  ctx: CommandContext,
  fleet: Fleet,
  step: ReturnType<typeof doctorStep>,
  evidence: Map<string, HostEvidence>,
): Promise<void> {
  const members = fleet.members;
  const answered = new Map<Member, number>();
  const run = async (m: Member) => {
    try {
      return await m.session.run({ name: 'doctor', steps: [step] });
    } finally {
      answered.set(m, Date.now());
    }
  };
  const settled = await fleet.phase('doctor', members, () => Promise.allSettled(members.map(run)));
  settled.forEach((r, i) => {
    const m = members[i]!;
    const answeredAt = answered.get(m) ?? Date.now();
    if (r.status === 'rejected') {
      const reason = r.reason as unknown;
      const failure =
        reason instanceof SessionFailed
          ? { step: reason.step, message: reason.detail }
          : { step: 'session', message: reason instanceof Error ? reason.message : String(reason) };
      evidence.set(m.host.name, { loginLines: 0, failure, answeredAt });
      return;
    }
    if (!r.value.ok) {
      const tail = r.value.failed?.tail.at(-1) ?? '';
      const message = `the doctor step exited with code ${r.value.rc}${tail ? `: ${tail.slice(0, 300)}` : ''}`;
      evidence.set(m.host.name, { loginLines: 0, failure: { step: 'session', message }, answeredAt });
      return;
    }
    const facts = readDoctor(r.value, m.host.deployPath);
    reportInvalid(ctx, m.host.name, facts.invalid);
    evidence.set(m.host.name, { loginLines: 0, facts, answeredAt });
  });
}
