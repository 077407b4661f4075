/**
 * The import structure of src/: every import runs down the layers below (or stays inside its own module), and no
 * chain of imports comes back to where it started. A small scanner of our own over TypeScript's own parser
 * (`ts.preProcessFile`: static, type-only and dynamic imports alike); dependency-cruiser would be the off-the-shelf
 * alternative.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const SRC = join(ROOT, 'src');

/**
 * Top to bottom. A module is a folder of src/ (`commands/`) or one file (`run-info.ts`); a file belongs to the
 * longest module that holds it. A module imports modules of lower layers only, never a sibling of its own layer.
 */
const LAYERS: string[][] = [
  // The entry points: the action's (two-line dispatcher) and the CLI's.
  ['index.ts', 'cli.ts'],
  // Each entry point's own world: inputs, state, log and summary on GitHub; arguments and terminal output.
  ['action/', 'cli/'],
  // Cancellation on SIGINT/SIGTERM, for both entry points.
  ['signals.ts'],
  // What a user runs: deploy, rollback, unlock, ... over a fleet.
  ['commands/'],
  // The run's report, its failure and progress, the job summary.
  ['report/'],
  // Many hosts at once: connect, open sessions, roll out, health checks.
  ['fleet/'],
  // One host's session script (prelude, phases, steps; inspect reads the stored manifests).
  ['remote/'],
  // The build artifact and its delta; how bytes reach a host: ssh, local shell, known hosts.
  ['artifact/', 'transport/'],
  // Plain data and helpers that know no other module.
  ['config/', 'releases/', 'run-info.ts', 'errors.ts', 'log.ts', 'units.ts', 'coalesce-writes.ts', 'esm-shims.ts'],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** `src/`-relative posix path. */
const rel = (file: string) => relative(SRC, file).split(sep).join(posix.sep);

function moduleOf(file: string): { module: string; layer: number } | undefined {
  let best: { module: string; layer: number } | undefined;
  LAYERS.forEach((modules, layer) => {
    for (const module of modules) {
      const holds = module.endsWith('/') ? file.startsWith(module) : file === module;
      if (holds && (!best || module.length > best.module.length)) best = { module, layer };
    }
  });
  return best;
}

/** Each file's relative imports, resolved to `src/`-relative `.ts` paths. */
const graph = new Map<string, string[]>(
  sources(SRC).map((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => rel(join(dirname(file), name.replace(/\.js$/, '.ts'))));
    return [rel(file), targets];
  }),
);

describe('imports in src/', () => {
  test('the scanner sees the code (a sanity check of the scan itself)', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('index.ts')).toEqual(expect.arrayContaining(['action/main.ts']));
  });

  test('every file has a layer', () => {
    const unplaced = [...graph.keys()].filter((f) => !moduleOf(f));
    expect(unplaced).toEqual([]); // add the new file or folder to LAYERS in __tests__/lint/imports.test.ts
  });

  test('every relative import names a file of src/', () => {
    const missing = [...graph].flatMap(([from, targets]) =>
      targets.filter((t) => !existsSync(join(SRC, t))).map((t) => `${from} -> ${t}`),
    );
    expect(missing).toEqual([]);
  });

  test('no import runs up a layer or across to a sibling of the same layer', () => {
    const wrong: string[] = [];
    for (const [from, targets] of graph) {
      const a = moduleOf(from);
      for (const to of targets) {
        const b = moduleOf(to);
        if (!a || !b || a.module === b.module) continue;
        if (b.layer < a.layer) wrong.push(`${from} -> ${to} (${a.module} is below ${b.module})`);
        if (b.layer === a.layer) wrong.push(`${from} -> ${to} (${a.module} and ${b.module} are siblings)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('no import cycle', () => {
    // Tarjan's strongly connected components: any component of more than one file (or a file importing itself)
    // is a cycle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[] = [];
    let next = 0;
    const visit = (v: string): void => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
      }
      if (low.get(v) !== index.get(v)) return;
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort().join(' <-> '));
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });
});
