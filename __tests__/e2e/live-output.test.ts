/**
 * Issue 17, "Late and silent": a host's output reaches the log as it is printed, a quiet step says it is still
 * running, and an upload reports its progress. Through dist/index.js, as the runner runs it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProxy } from '../support/proxy.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { doneWithin, makeCase } from '../hardening/harness.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

/** Each complete line of the child's stdout with the time (ms since the epoch) it was read. */
function stampLines(stream: NodeJS.ReadableStream): { line: string; at: number }[] {
  const lines: { line: string; at: number }[] = [];
  let partial = '';
  stream.on('data', (d: Buffer) => {
    const at = Date.now();
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) lines.push({ line, at });
  });
  return lines;
}

describe('hook output is in the log as it is printed', () => {
  test('a line printed every 2 s is in the log within 0.5 s of its print', async () => {
    const c = await makeCase(sshd, { fresh: true });
    c.config({ deploy: ['for i in 1 2 3 4; do echo "step $i $(date +%s%N)"; sleep 2; done'] });
    const run = c.start();
    const lines = stampLines(run.child.stdout!);
    const r = await doneWithin(run, 60_000);
    expect(r.code).toBe(0);
    const steps = lines
      .map(({ line, at }) => ({ m: /step (\d) (\d{19})$/.exec(line), at }))
      .filter(({ m }) => m)
      .map(({ m, at }) => ({ step: Number(m![1]), lateMs: at - Number(BigInt(m![2]!) / 1_000_000n) }));
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    for (const s of steps) expect(s).toEqual({ step: s.step, lateMs: expect.any(Number) });
    expect(steps.filter((s) => s.lateMs > 500)).toEqual([]);
  });

  test('a line without its newline yet (a prompt, on stdout and stderr) is in the log while the host waits', async () => {
    const c = await makeCase(sshd, { fresh: true });
    c.config({
      deploy: [
        'printf "Enter password (%s): " "$(date +%s%N)"; sleep 3; echo accepted',
        'printf "Continue? (%s) " "$(date +%s%N)" >&2; sleep 3; echo yes >&2',
      ],
    });
    const run = c.start();
    const lines = stampLines(run.child.stdout!);
    const r = await doneWithin(run, 60_000);
    expect(r.code).toBe(0);
    const late = (re: RegExp) =>
      lines
        .map(({ line, at }) => ({ m: re.exec(line), at }))
        .filter(({ m }) => m)
        .map(({ m, at }) => at - Number(BigInt(m![1]!) / 1_000_000n));
    const prompt = late(/Enter password \((\d{19})\): $/);
    const question = late(/Continue\? \((\d{19})\) $/);
    expect(prompt).toHaveLength(1);
    expect(question).toHaveLength(1);
    expect(prompt[0]).toBeLessThan(1000);
    expect(question[0]).toBeLessThan(1000);
    // The rest of the line follows on a line of its own, with no empty line for its newline.
    expect(r.stdout).toMatch(/Enter password \(\d+\): \n {2}accepted\n/);
    expect(r.stdout).toMatch(/Continue\? \(\d+\) \n {2}yes\n/);
  });
});

describe('a quiet step says it is still running', () => {
  test('a hook quiet for longer than the heartbeat (1 s here) gets a line per quiet second, none after its end', async () => {
    const c = await makeCase(sshd, { fresh: true });
    c.config({ deploy: ['echo migrating\nsleep 3.6\necho migrated'] });
    const run = c.start({}, { DEPLOY_HEARTBEAT_MS: '1000' });
    const r = await doneWithin(run, 60_000);
    expect(r.code).toBe(0);
    const beats = r.stdout.split('\n').filter((l) => l.startsWith('still running'));
    // The label is the hook's first line; the time is the step's.
    expect(beats).toEqual([
      `still running \`echo migrating …\` on ${c.hostName}, 1s`,
      `still running \`echo migrating …\` on ${c.hostName}, 2s`,
      `still running \`echo migrating …\` on ${c.hostName}, 3s`,
    ]);
    const lines = r.stdout.split('\n');
    const ended = lines.findIndex((l) => l.startsWith('✓ echo migrating'));
    expect(lines.findIndex((l) => l.startsWith('still running'))).toBeGreaterThan(lines.indexOf('  migrating'));
    expect(lines.slice(ended).filter((l) => l.startsWith('still running'))).toEqual([]);
  });

  test('a health check by URL from the runner, retrying, has its heartbeat too', async () => {
    let asked = 0;
    const server = createServer((_req, res) => {
      asked++;
      res.writeHead(asked < 3 ? 503 : 200).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/up`;
      const c = await makeCase(sshd, {
        fresh: true,
        extra: `    healthcheck: { url: "${url}", retries: 3, interval: 1s }\n`,
      });
      const r = await doneWithin(c.start({}, { DEPLOY_HEARTBEAT_MS: '700' }), 60_000);
      expect(r.code).toBe(0);
      expect(asked).toBe(3);
      expect(r.stdout).toContain(`still running \`health check ${url}\` on ${c.hostName}, 1s`);
    } finally {
      server.close();
    }
  });

  test('without the override, a short quiet spell gets no heartbeat', async () => {
    const c = await makeCase(sshd, { fresh: true });
    c.config({ deploy: ['sleep 2'] });
    const r = await doneWithin(c.start(), 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('still running');
  });
});

describe('upload progress', () => {
  test('a large upload through a slow link reports bytes, percent and rate as it goes', async () => {
    const proxy = await startProxy({ host: sshd.host, port: sshd.port }, { upBytesPerSecond: 4 * 1024 * 1024 });
    try {
      const c = await makeCase(sshd, { fresh: true, port: proxy.port, bigBytes: 16 * 1024 * 1024 });
      const r = await doneWithin(c.start({}, { DEPLOY_UPLOAD_PROGRESS_MS: '500' }), 90_000);
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      const progress = lines.filter((l) => /^ {2}upload: /.test(l));
      const percent = progress.filter((l) =>
        /^ {2}upload: [\d.]+ (KiB|MiB) of 16\.\d MiB \(\d{1,2}%\), [\d.]+ (KiB|MiB)\/s$/.test(l),
      );
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(percent.length).toBeGreaterThanOrEqual(1);
      // The last line says what went and how fast on average; all of them inside the upload step.
      expect(progress.at(-1)).toMatch(/^ {2}upload: 16\.\d MiB sent in \d+s, [\d.]+ (KiB|MiB)\/s$/);
      const begin = lines.indexOf('▶ upload');
      const end = lines.findIndex((l) => l.startsWith('✓ upload'));
      expect(lines.indexOf(progress[0]!)).toBeGreaterThan(begin);
      expect(lines.indexOf(progress.at(-1)!)).toBeLessThan(end);
    } finally {
      await proxy.close();
    }
  });

  test('an upload done within the interval shows no progress line', async () => {
    const c = await makeCase(sshd, { fresh: true });
    const r = await doneWithin(c.start(), 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('▶ upload');
    expect(r.stdout).not.toMatch(/^ {2}upload: /m);
  });
});
