/**
 * Config bench: the runner's CPU to read deploy.yml (parse, validate, expand) per host line. Each reading runs in a
 * fresh process (bench/config-child.ts), as the action reads the file once with code V8 has not optimised; the
 * sizes take turns in every run, so a change of the machine's load falls on all of them.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const CHILD = fileURLToPath(new URL('./config-child.js', import.meta.url));

export interface ConfigRow {
  hosts: number;
  /** Median CPU of loadConfig, ms. */
  cpuMs: number;
}

export function configBench(sizes: readonly number[], runs: number): { rows: ConfigRow[]; perHostMs: number } {
  const samples = new Map<number, number[]>(sizes.map((n) => [n, []]));
  for (let run = 0; run < runs; run++) {
    for (const n of run % 2 ? [...sizes].reverse() : sizes) {
      samples.get(n)!.push(Number(execFileSync(process.execPath, [CHILD, String(n)], { encoding: 'utf8' }).trim()));
    }
  }
  const rows = sizes.map((hosts) => ({ hosts, cpuMs: median(samples.get(hosts)!) }));
  const [first, last] = [rows[0]!, rows[rows.length - 1]!];
  return { rows, perHostMs: (last.cpuMs - first.cpuMs) / (last.hosts - first.hosts) };
}
