import type { Phase, Step } from '../phase.js';
import type { PhaseResult } from '../session.js';
import { MAINTENANCE_SH } from '../sh/index.js';
import { exportsOf } from './hooks.js';

/**
 * Maintenance mode on a host: `on` and `off` run in the live release (`current/`), with the environment's env,
 * within hook_timeout. The phase that switches it sets the session variables the abort path needs to turn it off
 * again (see sh/maintenance.sh); `.deploy/maintenance` records which run turned it on.
 */
export interface MaintenanceCommands {
  on: string;
  off: string;
  env: Record<string, string>;
  timeoutMs: number;
}

/** Who switches it: a deploy (turns off only what it turned on) or the `maintenance` command (whoever did). */
export type MaintenanceKind = 'deploy' | 'manual';

/** The `da_data` key of the steps below. */
export const MAINTENANCE = 'maintenance';

const LIB = [MAINTENANCE_SH] as const;

/** The session variables of maintenance (they stay set for the abort path). */
export function maintenanceVars(c: MaintenanceCommands): Record<string, string> {
  return {
    DA_MAINT_ON: c.on,
    DA_MAINT_OFF: c.off,
    DA_MAINT_ENV: exportsOf(c.env),
    DA_MAINT_SECS: String(Math.max(1, Math.round(c.timeoutMs / 1000))),
  };
}

/** Runs `on` (changes the host under the lock: fenced). */
export function maintenanceOn(kind: MaintenanceKind): Step {
  return { id: 'maintenance-on', label: 'maintenance on', body: `da_maint_on ${kind}`, fenced: true, lib: LIB };
}

/** Runs `off` (never fenced: it undoes what the run did, or what an operator asked for). */
export function maintenanceOff(kind: MaintenanceKind): Step {
  return { id: 'maintenance-off', label: 'maintenance off', body: `da_maint_off ${kind}`, lib: LIB };
}

/** Sends the functions only (with maintenancePhase, the variables): the abort path that follows can run `off`. */
export function maintenanceReady(): Step {
  return { id: 'maintenance-ready', label: 'maintenance off ready', body: ':', lib: LIB };
}

/** In a deploy's finish phase: reports whether maintenance this run turned on is still on. */
export function maintenanceLeft(): Step {
  return { id: 'maintenance-left', label: 'maintenance check', body: 'da_maint_left', lib: LIB };
}

/** A phase of `steps` that also sets the maintenance variables. */
export function maintenancePhase(name: string, c: MaintenanceCommands, steps: Step[]): Phase {
  return { name, vars: maintenanceVars(c), steps };
}

/**
 * What the maintenance steps of a phase reported on a host (host data: only the known words are read). `failed`
 * carries the exit status of `off`.
 */
export type MaintenanceOutcome = 'on' | 'held' | 'none' | 'off' | 'left' | { failed: number };

export function maintenanceOutcomes(r: PhaseResult | undefined): MaintenanceOutcome[] {
  const out: MaintenanceOutcome[] = [];
  for (const v of r?.data.get(MAINTENANCE) ?? []) {
    if (v === 'on' || v === 'held' || v === 'none' || v === 'off' || v === 'left') out.push(v);
    else if (/^failed \d{1,3}$/.test(v)) out.push({ failed: Number(v.slice(7)) });
  }
  return out;
}
