/**
 * Issue 15, classes 3 (last part) and 4: a host whose login shell never starts the session, a session bash in a
 * hostile environment, and a host that sends a marker line without an end. Each case fails fast, names the host,
 * leaves the live release as it was, and keeps the runner's memory bounded.
 *
 * The host's login files are armed after the case's first deploy: sshd gives the login shell a HOME whose
 * `.bashrc` (and a BASH_ENV file) read what to do from files the test writes.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionResult, RunningAction } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { doneWithin, makeCase } from './harness.js';
import { record } from './invariants.js';
import { tempDir } from '../support/temp-dirs.js';

let sshd: SshdHandle;
let home: string;
beforeAll(async () => {
  home = tempDir('da-home-');
  // The login bash (run by sshd) sources ~/.bashrc; the session's own bash would source BASH_ENV.
  writeFileSync(
    join(home, '.bashrc'),
    `read -r mode < "$HOME/bashrc-mode" 2>/dev/null
case $mode in
  read) read -r line ;;
  sh) exec sh ;;
esac
`,
  );
  writeFileSync(
    join(home, 'env.sh'),
    `read -r mode < "$HOME/env-mode" 2>/dev/null
case $mode in
  read) echo "BASH_ENV reads stdin" >&2; read -r line; set -o noclobber; export CDPATH=/ ;;
esac
`,
  );
  sshd = await startSshd({ extraConfig: [`SetEnv HOME=${home} BASH_ENV=${join(home, 'env.sh')}`] });
});
afterAll(async () => {
  await sshd?.stop();
});

function arm(file: 'bashrc-mode' | 'env-mode', mode: string): void {
  writeFileSync(join(home, file), `${mode}\n`);
}
function disarm(): void {
  rmSync(join(home, 'bashrc-mode'), { force: true });
  rmSync(join(home, 'env-mode'), { force: true });
}

const errors = (r: ActionResult) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));

/** The highest VmHWM (peak resident set) of the run's process, polled until it ends. */
function peakRss(run: RunningAction): () => number {
  let peak = 0;
  const pid = run.child.pid;
  const poll = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // the process has ended
    }
  };
  const timer = setInterval(poll, 50);
  void run.done.finally(() => clearInterval(timer));
  return () => peak;
}

describe('a login shell that never starts the session', () => {
  afterEach(disarm);

  for (const [mode, what] of [
    ['read', 'a ~/.bashrc that reads stdin'],
    ['sh', 'a ~/.bashrc that does `exec sh`'],
  ] as const) {
    test(`${what}: the run fails after start-timeout, naming the host and the likely cause`, async () => {
      const c = await makeCase(sshd);
      arm('bashrc-mode', mode);
      const t0 = Date.now();
      const r = await doneWithin(c.start({ 'start-timeout': '3' }), 25_000);
      const ms = Date.now() - t0;
      disarm();
      record({ invariants: '------', note: `failed after ${(ms / 1000).toFixed(1)} s` });
      expect(r.code).not.toBe(0);
      const text = errors(r).join('\n');
      expect(text).toContain(
        `${c.hostName}: session: the login shell of ${c.hostName} did not start the session in 3 s`,
      );
      expect(text).toContain('~/.bashrc may read input or exec another shell');
      expect(ms).toBeLessThan(12_000);
      await c.check(r);
    }, 60_000);
  }
});

describe('a hostile environment for the session bash', () => {
  afterEach(disarm);

  test('a BASH_ENV file that reads stdin, sets noclobber and CDPATH: ignored, the deploy succeeds', async () => {
    const c = await makeCase(sshd);
    arm('env-mode', 'read');
    const r = await doneWithin(c.start({ 'start-timeout': '5' }), 25_000);
    disarm();
    expect(errors(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('BASH_ENV reads stdin');
    await c.check(r);
  }, 60_000);
});

describe('a marker line without an end', () => {
  test('30 MB after a marker prefix: the run fails naming the host and the key, peak RSS under 300 MB', async () => {
    // A hook can learn the session's marker token (the session command is in /proc/<pid>/cmdline of its bash):
    // a host can send anything, so the runner must bound what it holds whatever comes.
    const hook = [
      'p=$$',
      'while [ "$p" -gt 1 ]; do c=$(tr "\\0" " " < /proc/$p/cmdline); case $c in "bash --noprofile"*) break ;; esac; p=$(awk "{print \\$4}" /proc/$p/stat); done',
      't=$(printf %s "$c" | sed -n "s/.*echo \\([A-Za-z0-9+/=]*\\) |.*/\\1/p" | base64 -d | gzip -dc | sed -n "s/^DA_T=\\([0-9a-f]*\\)$/\\1/p")',
      '[ -n "$t" ] || { echo "no token found" >&2; exit 9; }',
      'printf "\\n\\036%s data x " "$t"',
      'head -c 30000000 /dev/zero | tr "\\0" A',
      'sleep 1',
    ].join('\n');
    const c = await makeCase(sshd, { deploy: [hook] });
    const t0 = Date.now();
    const run = c.start();
    const peak = peakRss(run);
    const r = await doneWithin(run, 60_000);
    const ms = Date.now() - t0;
    record({ invariants: '------', note: `${(ms / 1000).toFixed(1)} s, peak RSS ${(peak() / 1e6).toFixed(0)} MB` });
    expect(errors(r).join('\n')).not.toContain('exit code 9');
    expect(r.code).not.toBe(0);
    expect(errors(r).join('\n')).toMatch(
      new RegExp(`${c.hostName.replace(/[.]/g, '\\.')}: session: the marker line of data "x" is longer than 64 KiB`),
    );
    expect(peak()).toBeLessThan(300 * 1024 * 1024);
    await c.check(r);
  }, 90_000);
});
