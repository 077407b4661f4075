/**
 * Issue 15, class 5: hosts that are not exactly Debian. busybox applets first in PATH (as on Alpine), no `tar`,
 * POSIXLY_CORRECT in the user's environment. The session checks its tools when it starts and fails at once naming
 * each missing or unsuitable one and what to install; an environment that only changes how tools parse their
 * arguments does not reach them.
 *
 * The login environment is armed after the case's first deploy: sshd gives the login shell a HOME whose `.bashrc`
 * exports the PATH and variables the test writes (the session's bash inherits them, as it would a real login's).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionResult } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { doneWithin, makeCase } from './harness.js';
import { record } from './invariants.js';
import { tempDir } from '../support/temp-dirs.js';

let sshd: SshdHandle;
let home: string;
beforeAll(async () => {
  home = tempDir('da-home-');
  writeFileSync(
    join(home, '.bashrc'),
    `if read -r p < "$HOME/path" 2>/dev/null; then export PATH="$p"; fi
if read -r e < "$HOME/env" 2>/dev/null; then export "$e"; fi
`,
  );
  sshd = await startSshd({ extraConfig: [`SetEnv HOME=${home}`] });
});
afterAll(async () => {
  await sshd?.stop();
});
afterEach(() => {
  rmSync(join(home, 'path'), { force: true });
  rmSync(join(home, 'env'), { force: true });
});

const errors = (r: ActionResult) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));

/** A directory of links to every applet busybox offers (bash is not one of them). */
function busyboxDir(): string {
  const dir = tempDir('da-busybox-');
  const applets = execFileSync('busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const a of applets) if (!a.includes('/')) symlinkSync('/usr/bin/busybox', join(dir, a));
  return dir;
}

/** A directory of links to everything in /usr/bin and /bin but the named tools. */
function pathWithout(tools: string[]): string {
  const dir = tempDir('da-path-');
  for (const from of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(from)) {
      if (tools.includes(name)) continue;
      try {
        symlinkSync(join(from, name), join(dir, name));
      } catch {
        // already linked from the other directory (a merged /usr)
      }
    }
  }
  return dir;
}

describe('tools on the host', () => {
  test('busybox applets first in PATH: refused at once by name, with what to install', async () => {
    const c = await makeCase(sshd);
    const bb = busyboxDir();
    try {
      writeFileSync(join(home, 'path'), `${bb}:/usr/bin:/bin\n`);
      const t0 = Date.now();
      const r = await doneWithin(c.start(), 30_000);
      const ms = Date.now() - t0;
      rmSync(join(home, 'path'));
      record({ invariants: '------', note: `failed after ${(ms / 1000).toFixed(1)} s` });
      expect(r.code).not.toBe(0);
      const text = errors(r).join('\n');
      expect(text).toContain(`${c.hostName}: tools: `);
      expect(text).toMatch(/busybox[^\n]*\bhead\b/);
      expect(text).toMatch(/\bfind\b/);
      expect(text).toContain('apk add bash coreutils findutils');
      expect(ms).toBeLessThan(10_000);
      await c.check(r);
    } finally {
      rmSync(bb, { recursive: true, force: true });
    }
  }, 60_000);

  test('no tar on the host: refused at once, naming tar and what to install', async () => {
    const c = await makeCase(sshd);
    const dir = pathWithout(['tar']);
    try {
      writeFileSync(join(home, 'path'), `${dir}\n`);
      const t0 = Date.now();
      const r = await doneWithin(c.start(), 30_000);
      const ms = Date.now() - t0;
      rmSync(join(home, 'path'));
      record({ invariants: '------', note: `failed after ${(ms / 1000).toFixed(1)} s` });
      expect(r.code).not.toBe(0);
      const text = errors(r).join('\n');
      expect(text).toContain(`${c.hostName}: tools: `);
      expect(text).toMatch(/missing[^\n]*\btar\b/);
      expect(text).toContain('apt-get install');
      expect(ms).toBeLessThan(10_000);
      await c.check(r);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('POSIXLY_CORRECT=1 in the login environment: a deploy with writable_mode chmod succeeds', async () => {
    const c = await makeCase(sshd);
    writeFileSync(join(home, 'env'), 'POSIXLY_CORRECT=1\n');
    // Hooks see the environment the session runs in.
    c.config({ deploy: ['echo "posix: ${POSIXLY_CORRECT:-unset} $SHELLOPTS"'] });
    const r = await doneWithin(c.start(), 30_000);
    rmSync(join(home, 'env'));
    expect(errors(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('posix: unset');
    expect(r.stdout).not.toMatch(/posix: .*\bposix\b/);
    await c.check(r);
  }, 60_000);
});
