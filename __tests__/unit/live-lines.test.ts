/** Issue 17, "Late and silent": the heartbeat of a quiet step and the upload progress lines, as units. */
import type { HostConfig } from '../../src/config/index.js';
import type { Log } from '../../src/log.js';
import { LineSplitter } from '../../src/remote/markers.js';
import { EarlyLines, PARTIAL_LINE_MAX_MS, PARTIAL_LINE_QUIET_MS } from '../../src/remote/early-lines.js';
import { elapsed, Heartbeat, heartbeatMs, HEARTBEAT_MS, shortLabel } from '../../src/report/heartbeat.js';
import {
  bytesText,
  UploadMeters,
  uploadLine,
  uploadProgressMs,
  UPLOAD_PROGRESS_MS,
} from '../../src/report/upload-progress.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('heartbeat', () => {
  test('a quiet step gets a line per quiet interval; output keeps it quiet; its end stops the lines', async () => {
    const said: string[] = [];
    const beats = new Heartbeat((t) => said.push(t), 200);
    beats.begin('web1', 'php artisan migrate --force\nphp artisan cache:clear');
    await sleep(300);
    expect(said).toEqual(['still running `php artisan migrate --force` on web1, 0s']);
    // Signs of life every 100 ms: no line while they come.
    beats.activity('web1');
    for (let i = 0; i < 4; i++) {
      await sleep(100);
      beats.activity('web1');
    }
    expect(said).toHaveLength(1);
    await sleep(250);
    expect(said).toHaveLength(2);
    beats.end('web1');
    await sleep(450);
    expect(said).toHaveLength(2);
  });

  test('each host has its own; a new step replaces the one before', async () => {
    const said: string[] = [];
    const beats = new Heartbeat((t) => said.push(t), 150);
    beats.begin('web1', 'upload');
    beats.begin('web2', 'upload');
    beats.begin('web1', 'shared');
    await sleep(220);
    beats.end('web1');
    beats.end('web2');
    expect(said.sort()).toEqual(['still running `shared` on web1, 0s', 'still running `upload` on web2, 0s']);
  });

  test('a step that starts while the one before it was quiet gets its whole interval (one timer per host serves them)', async () => {
    const said: string[] = [];
    const beats = new Heartbeat((t) => said.push(t), 200);
    beats.begin('web1', 'lock');
    await sleep(120);
    beats.end('web1');
    beats.begin('web1', 'migrate');
    await sleep(150);
    expect(said).toEqual([]);
    await sleep(150);
    expect(said).toEqual(['still running `migrate` on web1, 0s']);
    beats.end('web1');
  });

  test('durations, labels and the interval override', () => {
    expect([elapsed(999), elapsed(45_000), elapsed(90_000), elapsed(605_000), elapsed(3_900_000)]).toEqual([
      '0s',
      '45s',
      '1m30s',
      '10m05s',
      '1h05m',
    ]);
    expect(shortLabel(`  ${'x'.repeat(80)}\nsecond`)).toBe(`${'x'.repeat(59)}…`);
    expect(HEARTBEAT_MS).toBe(30_000);
    expect(heartbeatMs({})).toBe(30_000);
    expect(heartbeatMs({ DEPLOY_HEARTBEAT_MS: '1000' })).toBe(1000);
    expect(heartbeatMs({ DEPLOY_HEARTBEAT_MS: 'soon' })).toBe(30_000);
    expect(heartbeatMs({ DEPLOY_HEARTBEAT_MS: '0' })).toBe(30_000);
  });
});

function recordingLog(live: boolean): { log: Log; lines: string[]; live: [string, string | undefined][] } {
  const lines: string[] = [];
  const liveCalls: [string, string | undefined][] = [];
  const log: Log = {
    info: (m) => lines.push(m),
    output: (m) => lines.push(m),
    warning: (m) => lines.push(m),
    error: (m) => lines.push(m),
    debug: () => undefined,
    group: (_t, fn) => fn(),
    startGroup: () => undefined,
    endGroup: () => undefined,
    ...(live ? { live: (key: string, text: string | undefined) => liveCalls.push([key, text]) } : {}),
  };
  return { log, lines, live: liveCalls };
}

const web1 = { name: 'web1' } as HostConfig;
const MiB = 1024 * 1024;

describe('upload progress', () => {
  test('lines while bytes move, at most one per interval, and the average at the end', async () => {
    const { log, lines } = recordingLog(false);
    const meters = new UploadMeters(log, (h) => `[${h.name}] `, 200);
    meters.update(web1, { sent: 1 * MiB, done: false });
    await sleep(300);
    meters.update(web1, { sent: 2 * MiB, total: 4 * MiB, done: false });
    meters.update(web1, { sent: 3 * MiB, total: 4 * MiB, done: false });
    await sleep(300);
    // A stall: no line (the heartbeat speaks for a stalled step).
    await sleep(300);
    meters.update(web1, { sent: 4 * MiB, total: 4 * MiB, done: true });
    await sleep(250);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\[web1\] {3}upload: 1\.0 MiB sent, [\d.]+ MiB\/s$/);
    expect(lines[1]).toMatch(/^\[web1\] {3}upload: 3\.0 MiB of 4\.0 MiB \(75%\), [\d.]+ MiB\/s$/);
    expect(lines[2]).toMatch(/^\[web1\] {3}upload: 4\.0 MiB sent in [01]s, [\d.]+ MiB\/s$/);
  });

  test('an upload done within the interval, or stopped, shows nothing more', async () => {
    const { log, lines } = recordingLog(false);
    const meters = new UploadMeters(log, () => '', 150);
    meters.update(web1, { sent: 200, total: 200, done: false });
    meters.update(web1, { sent: 200, total: 200, done: true });
    meters.update(web1, { sent: MiB, total: 8 * MiB, done: false });
    await sleep(180);
    meters.update(web1, { sent: 2 * MiB, total: 8 * MiB, done: true });
    await sleep(200);
    expect(lines).toEqual([expect.stringMatching(/^ {2}upload: 1\.0 MiB of 8\.0 MiB \(12%\)/)]);
  });

  test('on a terminal: one live line per host, redrawn, ended with the upload; no plain lines', async () => {
    const { log, lines, live } = recordingLog(true);
    const meters = new UploadMeters(log, () => '', 150);
    meters.update(web1, { sent: MiB, total: 2 * MiB, done: false });
    await sleep(600);
    meters.update(web1, { sent: 2 * MiB, total: 2 * MiB, done: true });
    expect(lines).toEqual([]);
    expect(live[0]).toEqual(['web1', expect.stringMatching(/^upload: 1\.0 MiB of 2\.0 MiB \(50%\), /)]);
    expect(live.at(-1)).toEqual(['web1', undefined]);
  });

  test('sizes, the line, and the interval override', () => {
    expect([bytesText(1000), bytesText(12.04 * MiB), bytesText(1.25 * 1024 * MiB)]).toEqual([
      '1 KiB',
      '12.0 MiB',
      '1.25 GiB',
    ]);
    expect(uploadLine(12 * MiB, 25.3 * MiB, MiB)).toBe('upload: 12.0 MiB of 25.3 MiB (47%), 1.0 MiB/s');
    expect(uploadLine(30 * MiB, 25.3 * MiB, MiB)).toBe('upload: 25.3 MiB of 25.3 MiB (100%), 1.0 MiB/s');
    expect(uploadLine(12 * MiB, undefined, 512 * 1024)).toBe('upload: 12.0 MiB sent, 512 KiB/s');
    expect(UPLOAD_PROGRESS_MS).toBe(5000);
    expect(uploadProgressMs({})).toBe(5000);
    expect(uploadProgressMs({ DEPLOY_UPLOAD_PROGRESS_MS: '100' })).toBe(100);
  });
});

describe('a line under way reaches the log early', () => {
  test('after a quiet spell (a prompt); while text keeps coming, once it has been under way for long', async () => {
    expect([PARTIAL_LINE_QUIET_MS, PARTIAL_LINE_MAX_MS]).toEqual([250, 2000]);
    const lines: { line: string; at: number }[] = [];
    const t0 = Date.now();
    const splitter = new LineSplitter((line) => lines.push({ line, at: Date.now() - t0 }));
    const early = new EarlyLines(splitter);
    const push = (text: string) => {
      splitter.push(text);
      early.data();
    };
    push('done\nEnter password: ');
    await sleep(400);
    expect(lines.map((l) => l.line)).toEqual(['done', 'Enter password: ']);
    expect(lines[1]!.at).toBeGreaterThanOrEqual(240);
    // A bar redrawn every 100 ms, never quiet for 250 ms: out after about 2 s.
    push('\n');
    for (let i = 0; i < 25; i++) {
      push(`${i * 4}%\r`);
      await sleep(100);
    }
    early.stop();
    const bar = lines.slice(2);
    expect(bar.length).toBeGreaterThanOrEqual(1);
    expect(bar[0]!.line).toMatch(/^0%\r4%\r.*%$/s);
  });

  test('lines that end as the next begins, in every chunk, are never cut early', async () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const early = new EarlyLines(splitter);
    splitter.push('line 0 st');
    early.data();
    for (let i = 1; i <= 25; i++) {
      await sleep(100);
      splitter.push(`art\nline ${i} st`);
      early.data();
    }
    early.stop();
    expect(lines).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i} start`));
  });
});
