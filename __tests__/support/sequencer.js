/**
 * Jest's test order: longest file first, so the two workers end together. Jest sorts by the times of the last run
 * in its cache; with no cache (a fresh clone, CI) it sorts by file size, which puts a short file with long waits
 * (net faults waiting out keepalives) last and leaves one worker alone with it for minutes. Here a file without a
 * cached time takes its time from test-times.json (seconds, measured), else an estimate from its size (a file that
 * starts sshd or runs the action costs far more per byte than a unit test).
 *
 * Refresh test-times.json after a full run: `npx jest --json --outputFile=.tmp/jest.json`, then
 * `node __tests__/support/sequencer.js .tmp/jest.json`.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import jestSequencer from '@jest/test-sequencer';

const BaseSequencer = jestSequencer.default ?? jestSequencer;
const TESTS = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIMES = join(TESTS, 'support/test-times.json');

function measured() {
  try {
    return JSON.parse(readFileSync(TIMES, 'utf8'));
  } catch {
    return {};
  }
}

/** Milliseconds a file is expected to take: its measured time, or a guess from its size and what it starts. */
export function expectedMs(path, times = measured()) {
  const seconds = times[relative(TESTS, path)];
  if (typeof seconds === 'number') return seconds * 1000;
  try {
    const kb = statSync(path).size / 1024;
    const live = /startSshd|fleetOfSshd|makeCase|runAction|startAction|runJob|createTestNetwork/.test(
      readFileSync(path, 'utf8'),
    );
    return kb * (live ? 3000 : 100);
  } catch {
    return 0;
  }
}

export default class LongestFirst extends BaseSequencer {
  times = measured();

  time(test) {
    return super.time(test) ?? expectedMs(test.path, this.times);
  }
}

// `node sequencer.js jest.json`: rewrites test-times.json from a `jest --json` run (files over 5 s, in seconds).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const run = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const rows = run.testResults
    .map((f) => [relative(TESTS, f.name), Math.round((f.endTime - f.startTime) / 1000)])
    .filter(([, s]) => s >= 5)
    .sort((a, b) => b[1] - a[1]);
  writeFileSync(TIMES, `${JSON.stringify(Object.fromEntries(rows), null, 2)}\n`);
  console.log(`${rows.length} files written to ${relative(process.cwd(), TIMES)}`);
}
