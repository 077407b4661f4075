/**
 * `node .tmp/bench/bench/profile-top.js FILE.cpuprofile [N]`: the N (default 25) functions with the most self time in
 * a V8 CPU profile, and per source file its self time and its inclusive time (the samples whose stack passes through
 * the file at least once), so a benchmark's profile can be read without a browser. Frames of the bundle (dist/*.js)
 * are mapped back to their sources through the bundle's source maps (`src/remote/session-reader.ts`,
 * `node_modules/ssh2/lib/protocol/Protocol.js`) when the maps sit next to the bundle.
 *
 * `profile-top SMALL.cpuprofile:10 LARGE.cpuprofile:50 [N]` (two profiles of the same deploy to 10 and to 50 hosts):
 * the difference per extra host, per function and per file, which is what the scale bench's slope is made of.
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
const args = process.argv.slice(2);
const files = args.filter((a) => a.includes('.cpuprofile'));
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 25);
if (files.length < 1 || files.length > 2)
  throw new Error('usage: profile-top FILE.cpuprofile[:HOSTS] [FILE2.cpuprofile:HOSTS] [N]');

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

interface Summary {
  total: number;
  busy: number;
  byFunction: Map<string, number>;
  byFile: Map<string, number>;
  inclusive: Map<string, number>;
}

function summarize(file: string): Summary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
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
    if (n.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const key = `${n.callFrame.functionName || '(anonymous)'} ${w.file}:${w.line}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byFile.set(w.file, (byFile.get(w.file) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(where.get(at)!.file);
    for (const f of seen) inclusive.set(f, (inclusive.get(f) ?? 0) + us);
  }
  return { total, busy: total - idle, byFunction, byFile, inclusive };
}

const top = (m: Map<string, number>, k: number, base: number, unit = 'ms') =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(
      ([name, us]) =>
        `${(us / 1000).toFixed(unit === 'ms' ? 1 : 2).padStart(8)} ${unit}  ${((100 * us) / base).toFixed(1).padStart(5)} %  ${name}`,
    )
    .join('\n');

if (files.length === 1) {
  const s = summarize(files[0]!.replace(/:\d+$/, ''));
  console.log(
    `total ${(s.total / 1000).toFixed(0)} ms sampled, ${(s.busy / 1000).toFixed(0)} ms not idle (the percentages' base)\n\n` +
      `by function (self):\n${top(s.byFunction, count, s.busy)}\n\nby file (self):\n${top(s.byFile, 25, s.busy)}\n\n` +
      `by file (inclusive):\n${top(s.inclusive, 40, s.busy)}`,
  );
} else {
  const [[a, na], [b, nb]] = files.map((f) => {
    const m = /^(.*):(\d+)$/.exec(f);
    if (!m) throw new Error(`${f}: say how many hosts its deploy had (FILE.cpuprofile:HOSTS)`);
    return [summarize(m[1]!), Number(m[2])] as const;
  }) as [[Summary, number], [Summary, number]];
  const extra = nb - na;
  const diff = (x: Map<string, number>, y: Map<string, number>) =>
    new Map([...new Set([...x.keys(), ...y.keys()])].map((k) => [k, ((y.get(k) ?? 0) - (x.get(k) ?? 0)) / extra]));
  const perHost = (b.busy - a.busy) / extra;
  console.log(
    `not idle: ${(a.busy / 1000).toFixed(0)} ms at ${na} hosts, ${(b.busy / 1000).toFixed(0)} ms at ${nb}: ` +
      `${(perHost / 1000).toFixed(2)} ms per extra host (the percentages' base)\n\n` +
      `per extra host, by function (self):\n${top(diff(a.byFunction, b.byFunction), count, perHost, 'ms/host')}\n\n` +
      `per extra host, by file (self):\n${top(diff(a.byFile, b.byFile), 25, perHost, 'ms/host')}\n\n` +
      `per extra host, by file (inclusive):\n${top(diff(a.inclusive, b.inclusive), 40, perHost, 'ms/host')}`,
  );
}
