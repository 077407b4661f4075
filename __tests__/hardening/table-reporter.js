/**
 * Jest reporter: after a run that included __tests__/hardening, prints one table of every hardening case:
 * the case, the invariants it held (1–6: ✓ held, ✗ broken, - not applicable), its status and its time.
 * The invariant records come from invariants.ts (one JSON file per test in RESULTS_DIR).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RESULTS_DIR = join(tmpdir(), 'da-hardening-results');

export default class HardeningTable {
  onRunStart() {
    rmSync(RESULTS_DIR, { recursive: true, force: true });
    mkdirSync(RESULTS_DIR, { recursive: true });
    this.t0 = Date.now();
  }

  onRunComplete(_contexts, results) {
    const files = results.testResults.filter((f) => f.testFilePath.includes('/__tests__/hardening/'));
    if (files.length === 0) return;
    const records = new Map();
    if (existsSync(RESULTS_DIR)) {
      for (const f of readdirSync(RESULTS_DIR)) {
        try {
          const r = JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8'));
          records.set(r.name, r);
        } catch {
          // a half-written record: ignore
        }
      }
    }
    const rows = [];
    for (const file of files) {
      const suite = file.testFilePath.replace(/^.*\/__tests__\/hardening\//, '').replace(/\.test\.ts$/, '');
      for (const t of file.testResults) {
        const rec = records.get(t.fullName);
        const status = t.status === 'passed' ? 'pass' : t.status;
        rows.push([
          suite,
          t.title,
          rec ? rec.invariants : 'n/a',
          status,
          `${((t.duration ?? 0) / 1000).toFixed(1)} s`,
          rec?.notes?.join('; ') ?? '',
        ]);
      }
    }
    const head = ['suite', 'case', 'inv 1-6', 'result', 'time', 'notes'];
    const width = head.map((h, i) =>
      Math.min(i === 1 ? 90 : i === 5 ? 60 : 40, Math.max(h.length, ...rows.map((r) => [...r[i]].length))),
    );
    const cell = (text, i) => {
      const chars = [...text];
      return chars.length > width[i]
        ? `${chars.slice(0, width[i] - 1).join('')}…`
        : `${text}${' '.repeat(width[i] - chars.length)}`;
    };
    const line = (r) => `| ${r.map(cell).join(' | ')} |`;
    const out = [
      '',
      'Hardening results (invariants: 1 current, 2 shared/, 3 locks, 4 no partial release, 5 next deploy, 6 step failed with host+step)',
      line(head),
      `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...rows.map(line),
      '',
      `${rows.filter((r) => r[3] === 'pass').length}/${rows.length} cases passed; wall time ${((Date.now() - this.t0) / 1000).toFixed(1)} s`,
      '',
    ].join('\n');
    process.stdout.write(out);
    writeFileSync(join(tmpdir(), 'da-hardening-table.txt'), out);
  }
}
