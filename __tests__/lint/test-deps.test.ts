/**
 * `npm test` on a fresh machine (issue 16, item 7): its pretest, scripts/test-deps.sh, installs the packages the
 * suite needs with apt-get (as root or with passwordless sudo), or stops at once with one line naming them and the
 * command that installs them. Run here with a PATH of stand-ins (`id`, `sudo`, `apt-get`), so nothing is installed.
 */
import { chmodSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dirs.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const SCRIPT = join(ROOT, 'scripts/test-deps.sh');
/**
 * What the suite needs that a PATH of stand-ins lacks: all but openssh-server (/usr/sbin/sshd) and iproute2 (ip, in
 * an sbin), which the pretest has made sure of before jest runs.
 */
const ON_PATH = ['openssh-client', 'acl', 'busybox', 'shellcheck', 'procps', 'git', 'netcat-openbsd', 'strace'];
/** The command each package brings (as the script probes it). */
const PROBE: Record<string, string> = {
  'openssh-client': 'ssh-keygen',
  acl: 'setfacl',
  busybox: 'busybox',
  shellcheck: 'shellcheck',
  procps: 'pgrep',
  git: 'git',
  'netcat-openbsd': 'nc.openbsd',
  strace: 'strace',
};

let bin: string;
const calls = () => readFileSync(join(bin, 'calls'), 'utf8').trim().split('\n').filter(Boolean);

function stub(name: string, body: string): void {
  writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

function run(env: Record<string, string> = {}) {
  const r = spawnSync('/bin/bash', [SCRIPT], { encoding: 'utf8', env: { PATH: bin, ...env }, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stderr.split('\n').filter(Boolean) };
}

beforeEach(() => {
  bin = tempDir('da-test-deps-');
  writeFileSync(join(bin, 'calls'), '');
  for (const tool of ['env', 'chmod']) {
    symlinkSync(
      spawnSync('/bin/bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(),
      join(bin, tool),
    );
  }
  // apt-get "installs" a package by putting its command on PATH, and records how it was called.
  const installs = Object.entries(PROBE).map(
    ([pkg, cmd]) => `    ${pkg}) printf '#!/bin/sh\\n' > ${bin}/${cmd}; chmod +x ${bin}/${cmd} ;;`,
  );
  stub(
    'apt-get',
    [
      `echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> ${bin}/calls`,
      '[ "$1" = install ] || exit 0',
      'for p in "$@"; do',
      '  case "$p" in',
      ...installs,
      '  esac',
      'done',
    ].join('\n'),
  );
});

afterEach(() => rmSync(bin, { recursive: true, force: true }));

describe('scripts/test-deps.sh', () => {
  test('as root: installs what is missing with apt-get, non-interactively, then is satisfied', () => {
    stub('id', 'echo 0');
    const r = run();
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`test-deps: installing ${ON_PATH.join(' ')} (apt-get)\n`);
    expect(calls()).toEqual([
      'apt-get update -qq DEBIAN_FRONTEND=noninteractive',
      `apt-get install -y -qq --no-install-recommends ${ON_PATH.join(' ')} DEBIAN_FRONTEND=noninteractive`,
    ]);
  });

  test('with passwordless sudo: installs through sudo -n', () => {
    stub('id', 'echo 1000');
    stub('sudo', `echo "sudo $*" >> ${bin}/calls; [ "$1" = -n ] && shift; [ "$1" = true ] && exit 0; exec "$@"`);
    const r = run();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(apt-get with sudo)');
    expect(calls()[0]).toBe('sudo -n true');
    expect(calls()).toContain(
      `sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${ON_PATH.join(' ')}`,
    );
  });

  test('neither root nor passwordless sudo: one line naming the packages and the command, at once', () => {
    stub('id', 'echo 1000');
    stub('sudo', 'exit 1');
    const r = run();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.lines).toEqual([
      `npm test needs the packages ${ON_PATH.join(' ')} (not installed; installing needs root or passwordless sudo): ` +
        `install them with sudo apt-get install -y ${ON_PATH.join(' ')}, then run npm test again.`,
    ]);
    expect(calls()).toEqual([]);
  });

  test('a package missing (openssh-server, acl) with installing turned off: the one line, nothing run', () => {
    stub('id', 'echo 0');
    for (const cmd of Object.values(PROBE)) stub(cmd, 'exit 0');
    const r = run({ TEST_DEPS_INSTALL: '0', TEST_DEPS_MISSING: 'openssh-server acl' });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      'npm test needs the packages openssh-server acl (not installed; TEST_DEPS_INSTALL=0): ' +
        'install them with apt-get install -y openssh-server acl, then run npm test again.',
    ]);
    expect(calls()).toEqual([]);
  });

  test('apt-get ran but the package is still missing: the one line says so', () => {
    stub('id', 'echo 0');
    for (const cmd of Object.values(PROBE)) stub(cmd, 'exit 0');
    const r = run({ TEST_DEPS_MISSING: 'openssh-server' });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      'npm test needs the packages openssh-server (not installed; still missing after apt-get install): ' +
        'install them with apt-get install -y openssh-server, then run npm test again.',
    ]);
  });

  test('no apt-get: names the packages and the Debian command', () => {
    rmSync(join(bin, 'apt-get'));
    stub('id', 'echo 0');
    const r = run();
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toContain(
      `install them with your package manager (on Debian/Ubuntu: apt-get install -y ${ON_PATH.join(' ')})`,
    );
  });

  test('everything present: silent', () => {
    const r = spawnSync('/bin/bash', [SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, TEST_DEPS_MISSING: '', TEST_DEPS_INSTALL: '0' },
    });
    expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('one list of test packages', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');

  test('npm test checks them first (pretest), and .ci/run runs npm test without a list of its own', () => {
    expect(pkg.scripts['pretest']).toBe('bash scripts/test-deps.sh');
    expect(ci).toContain('npm ci && npm test');
    expect(ci).not.toMatch(/apt-get (update|install)|need\+=/);
  });

  test('rsync is required nowhere (nothing uses it)', () => {
    for (const f of ['.ci/run', 'scripts/test-deps.sh', '.github/workflows/ci.yml']) {
      expect({ f, rsync: /rsync/.test(readFileSync(join(ROOT, f), 'utf8')) }).toEqual({ f, rsync: false });
    }
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').slice(0, 20).join('\n')).not.toMatch(/rsync/);
  });
});
