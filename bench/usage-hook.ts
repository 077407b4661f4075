/**
 * Loaded into the action's process (`node --import`) by the scale benchmark: when the process exits, writes its own
 * resource usage (user and system CPU, peak RSS: getrusage(RUSAGE_SELF)) to the file named by BENCH_USAGE_FILE.
 * It only reads counters at exit, so it costs the measured process nothing while it runs.
 */
import { writeFileSync } from 'node:fs';

export interface ProcessUsage {
  userMs: number;
  systemMs: number;
  /** Peak resident set size (ru_maxrss), in KiB. */
  maxRssKiB: number;
}

const file = process.env['BENCH_USAGE_FILE'];
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    const usage: ProcessUsage = {
      userMs: u.userCPUTime / 1000,
      systemMs: u.systemCPUTime / 1000,
      maxRssKiB: u.maxRSS,
    };
    writeFileSync(file, JSON.stringify(usage));
  });
}
