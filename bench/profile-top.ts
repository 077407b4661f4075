/**
 * `node .tmp/bench/bench/profile-top.js FILE.cpuprofile [N]`: the N (default 25) functions with the most self time in
 * a V8 CPU profile, and per source file its self time and its inclusive time (the samples whose stack passes through
 * the file at least once), so a benchmark's profile can be read without a browser. Frames of the bundle (dist/*.js)
 * are mapped back to their sources through the bundle's source maps (`src/remote/session-reader.ts`,
 * `node_modules/ssh2/lib/protocol/Protocol.js`) when the maps sit next to the bundle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
const [file, count] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-top FILE.cpuprofile [N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};

const maps = new Map<string, SourceMap | undefined>();
function mapOf(url: string): SourceMap | undefined {
  if (!maps.has(url)) {
    let map: SourceMap | undefined;
    try {
      const path = url.startsWith('file:') ? fileURLToPath(url) : url;
      if (existsSync(`${path}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {
      map = undefined;
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

/** Where a frame's code comes from: its source file (through the bundle's map) or its URL's last part. */
function whereOf(n: Node): { file: string; line: number } {
  const { url, lineNumber, columnNumber } = n.callFrame;
  const entry = (url ? mapOf(url)?.findEntry(lineNumber, columnNumber) : undefined) as
    | { originalSource?: string; originalLine: number }
    | undefined;
  if (entry?.originalSource) {
    const source = entry.originalSource.replace(/^.*?(node_modules\/|src\/)/, '$1').replace(/^webpack:\/\/[^/]*\//, '');
    return { file: source, line: entry.originalLine + 1 };
  }
  return { file: url.replace(/^.*\//, '') || '(native)', line: lineNumber + 1 };
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const where = new Map(profile.nodes.map((n) => [n.id, whereOf(n)]));

const selfUs = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  const w = where.get(id)!;
  total += us;
  if (n.callFrame.functionName === '(idle)') idle += us;
  const key = `${n.callFrame.functionName || '(anonymous)'} ${w.file}:${w.line}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byFile.set(w.file, (byFile.get(w.file) ?? 0) + us);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(where.get(at)!.file);
  for (const f of seen) inclusive.set(f, (inclusive.get(f) ?? 0) + us);
}
const busy = total - idle;
const top = (m: Map<string, number>, k: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(
      ([name, us]) =>
        `${(us / 1000).toFixed(1).padStart(8)} ms  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`,
    )
    .join('\n');
console.log(
  `total ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms not idle (the percentages' base)\n\n` +
    `by function (self):\n${top(byFunction, Number(count ?? 25))}\n\nby file (self):\n${top(byFile, 25)}\n\n` +
    `by file (inclusive):\n${top(inclusive, 40)}`,
);
