import { FENCE_CHECK } from './fence.js';
import { q } from './quote.js';
import { FILES_RESTORE_SH, REAP_SH } from './sh/index.js';

/**
 * A step that exits with this status ends its phase early without failing it (the session stays up): the runner
 * decides what comes next. Used when a staged delta does not verify and a full upload must follow.
 */
export const STOP = 99;

/** One step of a phase: a bash function body run in a subshell with `set -euo pipefail`, cwd = deploy path. */
export interface Step {
  /** Stable id reported in markers and the summary (`prepare`, `lock`, `hook-1`). */
  id: string;
  /** What users read in logs and the summary. */
  label: string;
  body: string;
  /** The step runs even where the deploy path does not exist yet (`prepare`, read-only surveys). */
  mayLackDeployPath?: boolean;
  /**
   * The step changes the host under this run's lock: before its body runs, the run proves that it still holds the
   * lock (da_fence, bash builtins only), or the step fails with LOCK_LOST and the run stops.
   */
  fenced?: boolean;
  /** Shell functions the body uses that the prelude does not define (see libs.ts): sent once with the phase. */
  lib?: readonly string[];
  /**
   * A built-in step whose output is a line or two said when it is done: the output is held with the step's end and
   * leaves in the same write (one SSH packet) as the next step's begin, instead of a packet per line; the runner
   * pays for every packet. Never for a step that runs the user's commands or reports progress as it goes: a brief
   * step's output is seen only when it ends. A process a brief step leaves running must not keep its stdout or
   * stderr (cleanup's background `rm` writes to /dev/null): the step would be waited for until that process ends.
   */
  brief?: boolean;
}

/** The same steps, each fenced (see Step.fenced). */
export function fenced(steps: Step[]): Step[] {
  return steps.map((step) => ({ ...step, fenced: true }));
}

/** A phase is what one message to a host carries: main-shell variable assignments, then steps in order. */
export interface Phase {
  name: string;
  /** Shell variables for the steps, assigned in the session before they run (values are quoted here). */
  vars?: Record<string, string>;
  steps: Step[];
  /**
   * Phases sent as one (stage, hooks, switch, finish): each part's name and the id of its first step, in order.
   * Only the log reads them (a part of its own on one host).
   */
  parts?: { name: string; from: string }[];
}

/**
 * Renders a phase into the script a host evaluates. Steps run one after another until one fails; the phase ends
 * with a `phase-end <rc>` marker. Steps are called outside any `if`/`||` so `set -e` inside them is in force.
 * A failed phase ends the session: the host undoes this run's work (`da_abort`) and exits, so a half-read upload
 * can never be mistaken for the next message and the runner needs no extra round trip to clean up.
 */
export function renderPhase(phase: Phase): string {
  const lines: string[] = [];
  if (phase.steps.some((step) => step.fenced)) lines.push(FENCE_CHECK.replace(/\n$/, ''));
  for (const lib of new Set(phase.steps.flatMap((step) => step.lib ?? []))) lines.push(lib.replace(/\n$/, ''));
  for (const [name, value] of Object.entries(phase.vars ?? {})) {
    // LC_*/LANG would change how the session counts the bytes of what it reads.
    if (!/^[A-Z][A-Z0-9_]*$/.test(name) || /^(LC_|LANG)/.test(name)) throw new Error(`bad phase variable name ${name}`);
    lines.push(`${name}=${q(value)}`);
  }
  phase.steps.forEach((step, i) => {
    lines.push(`da_f_${i}() {`, step.body.replace(/\s+$/, '') || ':', '}');
  });
  lines.push('da_rc=0');
  phase.steps.forEach((step, i) => {
    const flag = step.mayLackDeployPath ? 'may-lack-deploy-path' : step.fenced ? 'fenced' : '';
    const args = step.brief ? ` ${flag || '-'} brief` : flag ? ` ${flag}` : '';
    lines.push(`if [ "$da_rc" -eq 0 ]; then da_step ${q(step.id)} da_f_${i}${args}; da_rc=$?; fi`);
  });
  lines.push('da_mark phase-end "$da_rc"');
  lines.push(`if [ "$da_rc" -ne 0 ] && [ "$da_rc" -ne ${STOP} ]; then da_abort; exit "$da_rc"; fi`);
  // Work a step left for after its phase (see da_after_phase): the runner has the phase's outcome meanwhile.
  lines.push('da_after_phase');
  return `${lines.join('\n')}\n`;
}

/** The framing the session loop reads: a decimal byte count on its own line, then the script. */
export function frame(script: string): Buffer {
  const body = Buffer.from(script, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}\n`), body]);
}

/** The message that ends a session whose work is complete. */
export const END_SESSION = 'exit 0\n';

/**
 * The message that makes a host undo this run's unfinished work (see `da_abort`) and end the session. An earlier
 * session of the same run that still runs on the host (its runner was killed mid-hook) is stopped first. It brings
 * the files step's restore (see steps/files.ts), which a session that did not stage has not defined. Sent as a
 * session's first phase, it lets the held hello out first (da_flush): stopping the earlier session may take seconds.
 */
export const ABORT_SESSION = `${FILES_RESTORE_SH}${REAP_SH}da_flush\nda_reap\nda_abort\nda_mark phase-end 0\nexit 0\n`;
