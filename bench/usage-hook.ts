/**
 * Loaded into the action's process (`node --import`) by the scale benchmark: when the process exits, writes its own
 * resource usage (user and system CPU, peak RSS: getrusage(RUSAGE_SELF)) to the file named by BENCH_USAGE_FILE.
 * It only reads counters at exit, so it costs the measured process nothing while it runs.
 *
 * BENCH_CPU_PROF=DIR also profiles the process (Node 20 refuses `--cpu-prof` in NODE_OPTIONS): a `.cpuprofile` per
 * process in DIR, to open in Chrome's DevTools or summarise with `node bench/profile-top.js FILE`
 * (BENCH_CPU_PROF_US: the sampling interval, default 200 µs).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

export interface ProcessUsage {
  userMs: number;
  systemMs: number;
  /** Peak resident set size (ru_maxrss), in KiB. */
  maxRssKiB: number;
}

const profileDir = process.env['BENCH_CPU_PROF'];
if (profileDir) {
  // The in-process session answers synchronously, so the profile can be taken in the exit handler.
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  // Microseconds between samples: BENCH_CPU_PROF_US (default 200); a coarser one slows the process less.
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env['BENCH_CPU_PROF_US'] ?? 200) });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(join(profileDir, `action-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
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
