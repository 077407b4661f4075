/**
 * `node .tmp/bench/bench/log-replay.js HOSTS [SRC]`: the runner's CPU for what a fleet's marker lines set off, alone.
 * HOSTS hosts' sessions (4 phases, 17 steps, 55 markers and 8 output lines each; each host's packet a socket read
 * of its own, ten hosts per turn of the event loop) are replayed through the session reader, the fleet's progress
 * listener (report, heartbeat, phase sections) and the Actions log, written to stdout as the action does; the CPU
 * it took goes to stderr (ms). Run it with stdout a pipe (`| cat >/dev/null`), in a fresh process each time. SRC is
 * another build of `src/` compiled by tsc (default: this one), so two builds can be compared turn about.
 */
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
// Static imports make tsc compile the modules replayed (the default SRC).
import '../src/action/actions-log.js';
import '../src/coalesce-writes.js';
import '../src/remote/session-reader.js';
import '../src/report/progress.js';
import '../src/report/report.js';

// biome-ignore lint/suspicious/noExplicitAny: another build's modules, whatever their types
type Any = any;

const [hostsArg, srcArg] = process.argv.slice(2);
const count = Number(hostsArg ?? 50);
const src = srcArg ? pathToFileURL(`${srcArg}/`).href : new URL('../src/', import.meta.url).href;
const load = (path: string): Promise<Any> => import(new URL(path, src).href);

const { coalesceWrites } = await load('coalesce-writes.js');
coalesceWrites(process.stdout as Writable, { flushOnExit: true, orderedBefore: [process.stderr], turn: true });
const { SessionReader } = await load('remote/session-reader.js');
const { progress } = await load('report/progress.js');
const { RunReport } = await load('report/report.js');
const { actionsLog } = await load('action/actions-log.js');

const token = 'abcdef0123456789abcdef0123456789';
const mark = `\n\x1e${token} `;
const phases = (
  [
    ['inspect', 4],
    ['stage', 6],
    ['switch', 3],
    ['finish', 4],
  ] as const
).map(([name, n]) => ({
  name,
  steps: Array.from({ length: n }, (_, i) => ({ id: `${name}-${i}`, label: `${name} step ${i}`, body: '' })),
}));
const hosts = Array.from({ length: count }, (_, i) => ({ name: `web${i}` }));

/** A host's packets for a phase: a step's begin (and an output line every other step), a data value and its end. */
function packets(phase: (typeof phases)[number], host: string): Buffer[] {
  const out: string[] = [];
  phase.steps.forEach((s, i) => {
    out.push(`${mark}step-begin ${s.id}\n${i % 2 ? `some output of ${s.id} on ${host}\n` : ''}`);
    out.push(`${mark}data key-${i} =value${i}\n${mark}step-end ${s.id} 0\n`);
  });
  out.push(`${mark}phase-end 0\n`);
  return out.map((t) => Buffer.from(t));
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const tick = () => new Promise((resolve) => process.nextTick(resolve));
const t0 = process.cpuUsage();
const listener = progress(actionsLog, new RunReport('deploy', 'production', 'app'), count);
const readers = hosts.map((host) => {
  const reader = new SessionReader(
    host.name,
    {
      step: (record: Any) => listener.step?.(host, record),
      output: (line: string, step: Any) => listener.output?.(host, line, step),
      warning: (text: string) => listener.warning?.(text),
    },
    {
      control: () => undefined,
      fail: (error: Error) => {
        throw error;
      },
    },
  );
  const proc = { stdout: new EventEmitter(), stderr: new EventEmitter() };
  reader.listen(proc, token);
  return { reader, proc, host };
});
for (const phase of phases) {
  listener.phaseStart?.(phase.name, hosts);
  const all = readers.map(({ reader, proc, host }) => ({
    result: reader.expect(phase).result,
    proc,
    sent: packets(phase, host.name),
  }));
  for (let i = 0; i < Math.max(...all.map((a) => a.sent.length)); i++) {
    for (const [j, a] of all.entries()) {
      const packet = a.sent[i];
      if (packet) {
        a.proc.stdout.emit('data', packet);
        await tick(); // a socket read is a callback of its own: the tick's queue runs after it
      }
      if (j % 10 === 9) await turn();
    }
    await turn();
  }
  await Promise.all(all.map((a) => a.result));
  listener.phaseEnd?.(phase.name);
}
await turn();
const used = process.cpuUsage(t0);
process.stderr.write(`${((used.user + used.system) / 1000).toFixed(1)}\n`);
