/**
 * Runs the jobs of a workflow we ship, one by one, the way Actions would for the one step that uses this action:
 * its `with:` evaluated against `matrix`, `needs.<job>.outputs`, `secrets` and `vars`, then dist/index.js run as
 * the runner runs it, and the job's `outputs:` evaluated from that step's outputs. Only the expressions our example
 * workflows use are understood; anything else throws, so a workflow that outgrows this fails its test loudly.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runAction, type ActionResult } from './action.js';

type Obj = Record<string, unknown>;

export interface JobContext {
  matrix?: Record<string, string>;
  needs?: Record<string, { outputs: Record<string, string> }>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  steps?: Record<string, { outputs: Record<string, string> }>;
}

export interface JobRun {
  result: ActionResult;
  /** The job's `outputs:`, as later jobs read them through `needs`. */
  outputs: Record<string, string>;
}

export function loadWorkflow(path: string): { jobs: Record<string, Obj> } {
  return parse(readFileSync(path, 'utf8')) as { jobs: Record<string, Obj> };
}

/** One `${{ … }}` expression's value, for the forms the examples use. */
function value(expr: string, ctx: JobContext): string {
  const path = expr.trim().split('.');
  const [root, ...rest] = path;
  const from = (o: unknown, keys: string[]): string => {
    let v: unknown = o;
    for (const k of keys) v = v && typeof v === 'object' ? (v as Obj)[k] : undefined;
    if (v === undefined) throw new Error(`workflow expression \${{ ${expr} }}: not set in this job's context`);
    return String(v);
  };
  if (root === 'matrix' || root === 'secrets' || root === 'vars') return from(ctx[root], rest);
  if ((root === 'needs' || root === 'steps') && rest[1] === 'outputs') return from(ctx[root], rest);
  throw new Error(`workflow expression \${{ ${expr} }}: not understood by this test runner`);
}

export function evaluate(text: string, ctx: JobContext): string {
  return text.replace(/\$\{\{([^}]*)\}\}/g, (_, expr: string) => value(expr, ctx));
}

/** The job's step that uses this action, and its id. */
function ourStep(job: Obj): { id?: string; with: Record<string, string> } {
  const steps = job['steps'] as Obj[];
  const step = steps.find((s) => /\/deploy-action@/.test(String(s['uses'] ?? '')));
  if (!step) throw new Error('the job has no step that uses deploy-action');
  return { id: step['id'] as string | undefined, with: (step['with'] ?? {}) as Record<string, string> };
}

/** Runs the job's deploy-action step in `workspace` (its checkout) and evaluates the job's outputs. */
export async function runJob(
  job: Obj,
  ctx: JobContext,
  workspace: string,
  env: Record<string, string> = {},
): Promise<JobRun> {
  const step = ourStep(job);
  const inputs = Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, evaluate(String(v), ctx)]));
  const result = await runAction({ inputs, workspace, env });
  const stepOutputs = step.id ? { [step.id]: { outputs: result.outputs } } : {};
  const outputs = Object.fromEntries(
    Object.entries((job['outputs'] ?? {}) as Record<string, string>).map(([k, v]) => [
      k,
      evaluate(v, { ...ctx, steps: stepOutputs }),
    ]),
  );
  return { result, outputs };
}

/** A matrix job's legs: one context per value of its one matrix key. */
export function matrixLegs(job: Obj): Record<string, string>[] {
  const matrix = ((job['strategy'] ?? {}) as Obj)['matrix'] as Record<string, unknown[]> | undefined;
  if (!matrix) return [{}];
  const [key, values] = Object.entries(matrix)[0]!;
  return values.map((v) => ({ [key]: String(v) }));
}
