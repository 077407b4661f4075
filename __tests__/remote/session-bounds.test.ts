/**
 * The session's own limits, over the local transport: the start deadline, the tool check, and the cap on the data
 * values a phase may send. (The same cases through dist/index.js and real sshd hosts are in __tests__/hardening.)
 */
import { existsSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Transport } from '../../src/transport/types.js';
import { LocalTransport } from '../../src/transport/local.js';
import { HostSession, MAX_PHASE_DATA, SessionFailed } from '../../src/remote/session.js';
import { prepare } from '../../src/remote/steps/prepare.js';
import { lock } from '../../src/remote/steps/lock.js';
import { TOOLS_EXIT } from '../../src/remote/tools.js';
import { tempDir } from '../support/temp-dirs.js';

const prelude = (deployPath: string) => ({
  markerToken: `t${Math.random().toString(16).slice(2)}`,
  owner: 'run-1',
  deployPath,
  idleSeconds: 30,
  runJson: '"sha":"abc"',
});

/** The local transport with something run before the session's command, as a login file would. */
function withLogin(before: string): Transport {
  const local = new LocalTransport();
  return {
    name: 'web1',
    start: (command) => local.start(`${before}\n${command}`),
    run: (c) => local.run(c),
    close: async () => undefined,
  };
}

async function failure(work: Promise<unknown>): Promise<SessionFailed> {
  try {
    await work;
  } catch (error) {
    if (error instanceof SessionFailed) return error;
    throw error;
  }
  throw new Error('the phase did not fail');
}

describe('start deadline', () => {
  test('a login file that reads stdin: the phase fails after the deadline, the host gets EOF and undoes what it did', async () => {
    const dp = tempDir('da-dp-');
    const s = HostSession.open(withLogin('read -r line'), prelude(dp), {}, 400);
    const t0 = Date.now();
    const f = await failure(s.run({ name: 'inspect', steps: [prepare(), lock('"owner":"run-1"')] }));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(f.step).toBe('session');
    expect(f.message).toBe(
      'web1: session: the login shell of web1 did not start the session in 0.4 s: a login file such as ~/.bashrc may read input or exec another shell; see Troubleshooting in docs/operations.md (start-timeout sets the limit)',
    );
    expect(s.busy).toBe(false);
    expect(await s.abort(5000)).toBe(true);
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
    rmSync(dp, { recursive: true, force: true });
  });

  test('an exec request that is never answered: the phase fails by its own deadline, not blaming the login shell', async () => {
    const never: Transport = {
      name: 'web2',
      start: () => new Promise(() => undefined),
      run: () => new Promise(() => undefined),
      close: async () => undefined,
    };
    const s = HostSession.open(never, prelude('/nonexistent'), {}, 100, 300);
    const f = await failure(s.run({ name: 'inspect', steps: [prepare()] }));
    expect(f.message).toBe(
      "web2: session: web2 did not accept the request to start the session in 0.3 s, though the connection is up; try again, and look at the SSH server's log",
    );
    const t0 = Date.now();
    expect(await s.abort(500)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  test('a session that starts in time is not affected by its deadline', async () => {
    const dp = tempDir('da-dp-');
    const s = HostSession.open(new LocalTransport(), prelude(dp), {}, 300);
    const first = await s.run({ name: 'inspect', steps: [prepare()] });
    await new Promise((r) => setTimeout(r, 500));
    const second = await s.run({ name: 'again', steps: [{ id: 'x', label: 'x', body: 'true' }] });
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect((await s.end()).code).toBe(0);
    rmSync(dp, { recursive: true, force: true });
  });
});

describe('tool check', () => {
  test('no tar in PATH: step tools, naming tar, exit status 69, nothing created', async () => {
    const bin = tempDir('da-bin-');
    for (const from of ['/usr/bin', '/bin']) {
      for (const name of readdirSync(from)) {
        if (name === 'tar') continue;
        try {
          symlinkSync(join(from, name), join(bin, name));
        } catch {
          // linked already (merged /usr)
        }
      }
    }
    const dp = join(tempDir('da-dp-'), 'app');
    const s = HostSession.open(withLogin(`export PATH=${bin}`), prelude(dp));
    const f = await failure(s.run({ name: 'inspect', steps: [prepare()] }));
    expect(f.step).toBe('tools');
    expect(f.detail).toMatch(
      /^this host lacks tools the session needs: missing: tar\. Install them \(Alpine: `apk add bash tar`; Debian, Ubuntu: `apt-get install tar`\)/,
    );
    expect((await s.exited).code).toBe(TOOLS_EXIT);
    expect(existsSync(dp)).toBe(false);
    rmSync(bin, { recursive: true, force: true });
  });
});

test('no bash on the host (status 127 before hello): step tools, saying to install bash', async () => {
  const bin = tempDir('da-bin-');
  symlinkSync('/usr/bin/env', join(bin, 'env'));
  const s = HostSession.open(withLogin(`PATH=${bin}`), prelude('/nonexistent'));
  const f = await failure(s.run({ name: 'inspect', steps: [prepare()] }));
  expect(f.step).toBe('tools');
  expect(f.detail).toMatch(
    /^this host has no bash \(the session runs in bash 4\.3 or later\): install it \(Alpine: `apk add bash/,
  );
  rmSync(bin, { recursive: true, force: true });
});

describe('data values a phase may send', () => {
  test(`more than ${MAX_PHASE_DATA / 1024 / 1024} MiB in one phase: the session fails, is interrupted, and undoes its work`, async () => {
    const dp = tempDir('da-dp-');
    const s = HostSession.open(new LocalTransport(), prelude(dp));
    expect((await s.run({ name: 'inspect', steps: [prepare(), lock('"owner":"run-1"')] })).ok).toBe(true);
    // Three blobs of 20 MiB each, then a long wait: the runner must not wait for the phase to end.
    const body = 'for i in 1 2 3; do head -c 15728640 /dev/zero | da_blob releases; done; sleep 30';
    const t0 = Date.now();
    const f = await failure(s.run({ name: 'flood', steps: [{ id: 'flood', label: 'flood', body }] }));
    expect(f.message).toBe(
      'local: session: the host sent more than 48 MiB of data values in one phase (the last one "releases"): more than any step of a session sends; the run stops here',
    );
    expect(s.busy).toBe(true);
    expect(await s.interrupt(5000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
    rmSync(dp, { recursive: true, force: true });
  }, 30_000);
});
