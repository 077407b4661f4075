/**
 * Faults on the host: failing and flooding hooks, a full disk, two deploys at once, and a `current` that is a plain
 * directory (signals to the runner at every phase: runner-signals.test.ts). Every case is followed by the invariant
 * check on the host.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import type { ActionResult } from '../support/action.js';
import { doneWithin, makeCase, sleep } from './harness.js';
import { record, snapshot, treeHash } from './invariants.js';
import { tempDir } from '../support/temp-dirs.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

const errors = (r: ActionResult) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));

describe('hooks', () => {
  test('a failing deploy hook', async () => {
    const c = await makeCase(sshd, { deploy: ['echo migrating; echo "boom" >&2; exit 7'] });
    const r = await c.run();
    expect(r.code).not.toBe(0);
    expect(errors(r).join('\n')).toContain('exited with code 7');
    await c.check(r);
  });

  test('a hook that never ends: stopped after hook_timeout, nothing activated, the lock released', async () => {
    const c = await makeCase(sshd, { deploy: ['sleep 600'], extra: '    hook_timeout: 2s\n' });
    const t0 = Date.now();
    const r = await doneWithin(c.start(), 30_000);
    record({ invariants: '------', note: `stopped and undone in ${((Date.now() - t0) / 1000).toFixed(1)} s` });
    expect(r.code).not.toBe(0);
    expect(errors(r).join('\n')).toContain('stopped after hook_timeout (2 s)');
    await c.check(r);
  });

  test('a hook writing 50 MB of output (one 25 MB line, then 25 MB of lines) and failing: bounded memory, time and summary', async () => {
    const hook = "head -c 25000000 /dev/zero | tr '\\0' x; echo; yes 'a line of output' | head -c 25000000; exit 3";
    const c = await makeCase(sshd, { deploy: [hook] });
    const t0 = Date.now();
    // The runner's heap is capped: holding the output (or a line of it) in memory fails the case.
    const r = await doneWithin(c.start({}, { NODE_OPTIONS: '--max-old-space-size=160' }), 90_000);
    const ms = Date.now() - t0;
    record({
      invariants: '------',
      note: `${(ms / 1000).toFixed(1)} s, stdout ${(r.stdout.length / 1e6).toFixed(1)} MB, summary ${(r.summary.length / 1024).toFixed(0)} KiB`,
    });
    expect(r.stderr).not.toMatch(/heap out of memory|FATAL ERROR/);
    expect(r.code).toBe(1);
    expect(errors(r).join('\n')).toContain('exited with code 3');
    expect(ms).toBeLessThan(60_000);
    expect(Buffer.byteLength(r.summary)).toBeLessThan(1024 * 1024);
    await c.check(r);
  }, 120_000);
});

describe('disk full', () => {
  test('the deploy path fills up during the upload (2 MiB tmpfs, 3 MiB release)', async () => {
    const mnt = tempDir('da-full-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
    try {
      const c = await makeCase(sshd, { deployPath: join(mnt, 'app') });
      const big = Buffer.alloc(3 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
      writeFileSync(join(c.ws.app, 'big.bin'), big);
      const r = await c.run();
      expect(r.code).not.toBe(0);
      expect(r.stdout).toMatch(/No space left on device/);
      await c.check(r, {
        nextDeploy: async () => {
          rmSync(join(c.ws.app, 'big.bin'));
          c.config();
          return c.run();
        },
      });
    } finally {
      execFileSync('umount', ['-l', mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});

describe('races and odd layouts', () => {
  test('two deploys started at the same moment: exactly one wins, the other fails on the lock', async () => {
    const c = await makeCase(sshd, { deploy: ['sleep 0.5'] });
    const [a, b] = await Promise.all([c.run(), c.run()]);
    const winners = [a, b].filter((r) => r.code === 0);
    expect(winners).toHaveLength(1);
    const loser = a.code === 0 ? b : a;
    expect(errors(loser).join('\n')).toMatch(
      new RegExp(`${c.hostName.replace(/[.]/g, '\\.')}: lock: the deploy lock is held`),
    );
    await c.check(winners[0]!);
    await c.check(loser, {
      nextDeploy: undefined,
      hosts: [{ name: c.hostName, deployPath: c.dp, before: { ...snapshot(c.dp) } }],
    });
  });

  test('a remote current that is a plain directory: a clear error, nothing deleted', async () => {
    const c = await makeCase(sshd, { fresh: true });
    mkdirSync(join(c.dp, 'current'), { recursive: true });
    writeFileSync(join(c.dp, 'current/index.html'), 'the old site\n');
    const before = treeHash(c.dp);
    const r = await c.run();
    expect(r.code).not.toBe(0);
    expect(errors(r).join('\n')).toMatch(/current exists and is not a symlink/);
    expect(treeHash(c.dp)).toBe(before);
    expect(statSync(join(c.dp, 'current')).isDirectory()).toBe(true);
    await c.check(r, {
      hosts: [{ name: c.hostName, deployPath: c.dp, before: snapshot(c.dp) }],
      nextDeploy: undefined,
    });
    await sleep(0);
  });
});
