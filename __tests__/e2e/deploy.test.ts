import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { runAction, startAction } from '../support/action.js';
import { awkwardDeployPath, hostEntry, makeWorkspace, sshInputs } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

const APP = {
  VERSION: 'v1\n',
  'public/index.php': '<?php echo "shop";\n',
  'storage/logs/.keep': '',
  'storage/app/seed.txt': 'from the first release\n',
  '.env': 'APP_KEY=from-build\n',
  'phpunit.xml': '<phpunit/>\n',
  'tests/ExampleTest.php': '<?php\n',
};

function config(deployPath: string, extra = ''): string {
  return `name: shop
environments:
  production:
    hosts:
      - ${hostEntry(sshd)}
    deploy_path: ${JSON.stringify(deployPath)}
    url: https://shop.example.com
    keep_releases: 2
    exclude: [tests]
    shared_dirs: [storage]
    shared_files: [.env]
    writable_dirs: [storage/logs, bootstrap/cache]
    writable_mode: chmod
    writable_chmod_mode: "0770"
    clear_paths: [phpunit.xml]
    env: { APP_ENV: production, DB_PASSWORD: "\${DB_PASSWORD}" }
    build:
      - echo "built from $(cat VERSION)" > BUILD_INFO
    deploy:
      - test ! -e ../../current/DEPLOYED_BY_HOOK || test "$(readlink -f ../../current)" != "$PWD"
      - echo "$DEPLOY_RELEASE $DEPLOY_ENVIRONMENT $APP_ENV $DEPLOY_PREVIOUS_RELEASE" > DEPLOYED_BY_HOOK
${extra}`;
}

const SECRET = 'pa55-w0rd-$ecret';

describe('deploy through dist/index.js to a real sshd', () => {
  test('two deploys: layout, shared links, writable, clear paths, hooks, history, retention, outputs, summary; 1 exec and 1 connection per deploy', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp));
    const runs = [];
    for (const version of ['v1', 'v2', 'v3']) {
      ws.write('VERSION', `${version}\n`);
      const execBefore = sshd.execRequests();
      const connBefore = sshd.connections();
      const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
      expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
      expect(sshd.execRequests() - execBefore).toBeLessThanOrEqual(4);
      expect(sshd.execRequests() - execBefore).toBe(1);
      expect(sshd.connections() - connBefore).toBe(1);
      runs.push(r);
      // The live release is the one just deployed, complete.
      const live = readlinkSync(join(dp, 'current'));
      expect(live).toBe(`releases/${r.outputs['release']}`);
      expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe(`${version}\n`);
      expect(readFileSync(join(dp, 'current/BUILD_INFO'), 'utf8')).toBe(`built from ${version}\n`);
      expect(readFileSync(join(dp, 'current/REVISION'), 'utf8')).toBe('0123456789abcdef0123456789abcdef01234567\n');
    }
    const [first, second, third] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
    // Outputs.
    expect(third.outputs['previous-release']).toBe(second.outputs['release']);
    expect(first.outputs['previous-release']).toBe('');
    expect(third.outputs['release-path']).toBe(`${dp}/releases/${third.outputs['release']}`);
    expect(third.outputs['url']).toBe('https://shop.example.com');
    expect(JSON.parse(third.outputs['hosts']!)).toEqual([`${sshd.user}@${sshd.host}:${sshd.port}`]);
    // Retention: keep_releases 2, never the live one.
    expect(readdirSync(join(dp, 'releases')).sort()).toEqual(
      [second.outputs['release'], third.outputs['release']].sort(),
    );
    const rel = join(dp, 'current');
    // Shared: linked, seeded once from the first release, never overwritten.
    expect(readlinkSync(join(dp, 'releases', third.outputs['release']!, 'storage'))).toBe('../../shared/storage');
    expect(readlinkSync(join(dp, 'releases', third.outputs['release']!, '.env'))).toBe('../../shared/.env');
    expect(readFileSync(join(dp, 'shared/storage/app/seed.txt'), 'utf8')).toBe('from the first release\n');
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toBe('APP_KEY=from-build\n');
    // Excluded and cleared paths are not in the release; writable dirs exist with the mode asked for.
    expect(existsSync(join(rel, 'tests'))).toBe(false);
    expect(existsSync(join(rel, 'phpunit.xml'))).toBe(false);
    expect(statSync(join(rel, 'bootstrap/cache')).mode & 0o777).toBe(0o770);
    expect(statSync(join(dp, 'shared/storage/logs')).mode & 0o777).toBe(0o770);
    // Hooks ran in the new release, before it was live, with the environment.
    expect(readFileSync(join(rel, 'DEPLOYED_BY_HOOK'), 'utf8')).toBe(
      `${third.outputs['release']} production production ${second.outputs['release']}\n`,
    );
    // History, no lock, nothing pending.
    const history = readFileSync(join(dp, '.deploy/history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(history.map((h) => [h.event, h.release])).toEqual(runs.map((r) => ['deploy', r.outputs['release']]));
    expect(history[2]).toMatchObject({
      sha: '0123456789abcdef0123456789abcdef01234567',
      actor: 'octocat',
      run_url: 'https://github.com/acme/shop/actions/runs/4242',
    });
    // Stamped by the host when the line was written (to the second).
    expect(Date.parse(history[2].at)).toBeGreaterThanOrEqual(
      Math.floor(Date.parse(history[2].started_at) / 1000) * 1000,
    );
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
    expect(readdirSync(join(dp, '.deploy/pending'))).toEqual([]);
    // Nothing in the path was executed.
    expect(existsSync(join(dirname(dp), 'pwned'))).toBe(false);
    expect(existsSync(join(ws.dir, 'pwned'))).toBe(false);
    // The summary tells the story; the secret reaches no artifact.
    expect(third.summary).toContain(`| \` ${third.outputs['release']} \` |`);
    expect(third.summary).toContain('| Previous release |');
    expect(third.summary).toMatch(/\| .* \| upload( \(delta\))? \| ✅ ok \|/);
    // One host, nothing to check after its switch: staging, hooks, switch and commit were one phase (one round trip).
    expect(third.summary).toMatch(/\| Host \| Result \| connect and inspect \|( base \|)? stage to finish \|$/m);
    for (const r of runs) {
      // `::add-mask::` is the masking command itself: the runner consumes it and never shows it.
      const log = r.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n');
      expect(r.stdout).toContain(`::add-mask::${SECRET}`);
      for (const text of [log, r.summary, readFileSync(r.files.output, 'utf8')]) expect(text).not.toContain(SECRET);
    }
    expect(readFileSync(join(dp, '.deploy/history.jsonl'), 'utf8')).not.toContain(SECRET);
  });

  test('cleanup takes old releases out of releases/ at once and deletes them after the run; trash left by an earlier cleanup is a warning', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp).replace('keep_releases: 2', 'keep_releases: 1'));
    const deploy = async () => {
      const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
      expect({ code: r.code, out: r.code ? r.stdout.slice(-2000) : '' }).toEqual({ code: 0, out: '' });
      return r;
    };
    await deploy();
    // What an earlier cleanup could not delete (say, files written by the web server's user).
    mkdirSync(join(dp, '.deploy/trash/old-run/20200101000000/vendor'), { recursive: true });
    writeFileSync(join(dp, '.deploy/trash/old-run/20200101000000/vendor/x.php'), '<?php\n');
    execFileSync('touch', ['-d', '-20 minutes', join(dp, '.deploy/trash/old-run')]);
    const second = await deploy();
    expect(readdirSync(join(dp, 'releases'))).toEqual([second.outputs['release']]);
    expect(second.stdout).toContain('removed 1 old releases');
    expect(second.stdout).toMatch(/earlier cleanups could not delete \.deploy\/trash\/\{ old-run \}/);
    const deadline = Date.now() + 10_000;
    while (existsSync(join(dp, '.deploy/trash')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(dp, '.deploy/trash'))).toBe(false);
  });

  test('a failing deploy hook activates nothing: current, shared/ and the lock are as before', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp));
    const ok = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
    expect(ok.code).toBe(0);
    const sharedBefore = execFileSync('bash', [
      '-c',
      'cd "$1" && find shared -printf "%p %s %m\\n" | sort && cat shared/.env',
      '_',
      dp,
    ]).toString();
    writeFileSync(
      ws.config,
      config(dp).replace('deploy:\n', `deploy:\n      - 'echo "migrating"; echo "boom: table locked" >&2; exit 7'\n`),
    );
    ws.write('VERSION', 'v2\n');
    const bad = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
    expect(bad.code).not.toBe(0);
    // One error annotation, titled with the host and the step.
    expect(bad.stdout).toContain(
      `::error title=deploy failed on ${sshd.user}@${sshd.host}%3A${sshd.port} (step%3A hook "echo "migrating"; echo "boom%3A table locked" >&2; exit 7")::${sshd.user}@${sshd.host}:${sshd.port}: hook "echo "migrating"`,
    );
    expect(bad.stdout).toContain('exited with code 7');
    expect(bad.summary).toContain('boom: table locked');
    expect(bad.summary).toContain('What happened on each host');
    expect(readlinkSync(join(dp, 'current'))).toBe(`releases/${ok.outputs['release']}`);
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v1\n');
    expect(readdirSync(join(dp, 'releases'))).toEqual([ok.outputs['release']]);
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
    const sharedAfter = execFileSync('bash', [
      '-c',
      'cd "$1" && find shared -printf "%p %s %m\\n" | sort && cat shared/.env',
      '_',
      dp,
    ]).toString();
    expect(sharedAfter).toBe(sharedBefore);
    // The next deploy succeeds.
    writeFileSync(ws.config, config(dp));
    const next = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
    expect(next.code).toBe(0);
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v2\n');
  });

  test('a failed first deploy leaves no current and removes the shared entries it seeded', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp).replace('deploy:\n', 'deploy:\n      - exit 3\n'));
    const bad = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
    expect(bad.code).not.toBe(0);
    expect(existsSync(join(dp, 'current'))).toBe(false);
    expect(readdirSync(join(dp, 'shared'))).toEqual([]);
    expect(readdirSync(join(dp, 'releases'))).toEqual([]);
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
  });

  test('an unknown host key stops the run before authentication: fingerprint and the line to add, nothing run remotely', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp));
    const other = execFileSync('bash', [
      '-c',
      `d=$(mktemp -d); ssh-keygen -q -t ed25519 -N '' -f $d/k; echo "[${sshd.host}]:${sshd.port} $(cut -d' ' -f1,2 $d/k.pub)"`,
    ])
      .toString()
      .trim();
    for (const knownHosts of ['', other]) {
      const execBefore = sshd.execRequests();
      const logBefore = sshd.log().length;
      const r = await runAction({
        inputs: sshInputs(sshd, { 'known-hosts': knownHosts }),
        workspace: ws.dir,
        env: { DB_PASSWORD: SECRET },
      });
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain(sshd.hostKeyFingerprint);
      expect(r.stdout).toContain(sshd.knownHostsLine);
      expect(r.stdout).toMatch(knownHosts ? /CHANGED/ : /not listed/);
      expect(sshd.execRequests()).toBe(execBefore);
      expect(sshd.log().slice(logBefore)).not.toMatch(/Accepted publickey/);
      expect(existsSync(dp)).toBe(false);
    }
  });

  test('a lock held by another run fails fast, says who holds it, and is left untouched', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp));
    mkdirSync(join(dp, '.deploy/lock'), { recursive: true });
    const info =
      '{"repository":"acme/shop","run_id":"99","run_attempt":"2","actor":"mona","run_url":"https://github.com/acme/shop/actions/runs/99","started_at":"2026-11-22T09:00:00Z","owner":"someone-else","pid":999999,"boot_id":"x"}\n';
    writeFileSync(join(dp, '.deploy/lock/info.json'), info);
    writeFileSync(join(dp, '.deploy/lock/owner'), 'someone-else\n');
    const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('the deploy lock is held by acme/shop run 99 (attempt 2) by mona');
    expect(r.stdout).toContain('https://github.com/acme/shop/actions/runs/99');
    expect(r.stdout).toContain('no longer running');
    expect(r.stdout).toContain('command: unlock');
    expect(readFileSync(join(dp, '.deploy/lock/info.json'), 'utf8')).toBe(info);
    expect(readFileSync(join(dp, '.deploy/lock/owner'), 'utf8')).toBe('someone-else\n');
    expect(readdirSync(join(dp, 'releases'))).toEqual([]);
  });

  test('writable_mode acl and chown give the web server user write access', async () => {
    for (const mode of ['acl', 'chown']) {
      const dp = awkwardDeployPath();
      const ws = makeWorkspace(
        APP,
        config(dp).replace('writable_mode: chmod', `writable_mode: ${mode}\n    http_user: daemon`),
      );
      const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
      // The run's error lines come along, so that on a machine without the acl package this fails naming setfacl.
      const errors = r.stdout.split('\n').filter((line) => line.startsWith('::error'));
      expect({ mode, code: r.code, errors }).toEqual({ mode, code: 0, errors: [] });
      const dir = join(dp, 'current/bootstrap/cache');
      if (mode === 'acl') {
        expect(execFileSync('getfacl', ['-p', dir]).toString()).toMatch(/^user:daemon:rwx$/m);
        expect(execFileSync('getfacl', ['-p', join(dp, 'shared/storage/logs')]).toString()).toMatch(
          /^default:user:daemon:rwx$/m,
        );
      } else {
        expect(lstatSync(dir).uid).toBe(Number(execFileSync('id', ['-u', 'daemon']).toString()));
      }
    }
  });

  test('readers of current never see it missing or half-switched during a deploy (zero downtime)', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ ...APP, VERSION: 'old\n' }, config(dp));
    expect((await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } })).code).toBe(
      0,
    );
    ws.write('VERSION', 'new\n');
    const log = join(tempDir('da-reader-'), 'reads');
    const reader = execFileSync('bash', [
      '-c',
      `(while :; do cat "$1/current/VERSION" 2>&1 || echo MISSING; done) > "$2" 2>&1 & echo $!`,
      '_',
      dp,
      log,
    ])
      .toString()
      .trim();
    try {
      const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
      expect(r.code).toBe(0);
      await new Promise((res) => setTimeout(res, 200));
    } finally {
      execFileSync('kill', [reader]);
    }
    const reads = readFileSync(log, 'utf8').trim().split('\n');
    expect(reads.length).toBeGreaterThan(100);
    expect(new Set(reads)).toEqual(new Set(['old', 'new']));
    expect(reads.indexOf('new')).toBeGreaterThan(reads.lastIndexOf('old'));
  });

  test('a config error names file, line, column and key as an annotation, before anything connects', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp).replace('keep_releases: 2', 'keep_release: 2'));
    const connBefore = sshd.connections();
    const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(
      /::error title=deploy config,file=deploy.yml,line=\d+,col=5::environments.production.keep_release: .*did you mean `keep_releases`/,
    );
    expect(sshd.connections()).toBe(connBefore);
  });

  test('a running deploy started from a different workspace sees the same lock (exactly one wins)', async () => {
    const dp = awkwardDeployPath();
    // A's hook holds A (and its lock) until the test has seen B's outcome: no race with B's start-up time.
    const flag = join(tempDir('da-flag-'), 'b-finished');
    const hold = `for i in $(seq 300); do if [ -e ${JSON.stringify(flag)} ]; then break; fi; sleep 0.1; done`;
    const ws = makeWorkspace(APP, config(dp).replace('deploy:\n', `deploy:\n      - ${JSON.stringify(hold)}\n`));
    const a = startAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
    await a.waitFor('deploy lock taken');
    const b = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
    writeFileSync(flag, '');
    expect(b.code).not.toBe(0);
    expect(b.stdout).toContain('Its session is still running on the host');
    const ra = await a.done;
    expect(ra.code).toBe(0);
    expect(readlinkSync(join(dp, 'current'))).toBe(`releases/${ra.outputs['release']}`);
  });

  test('a failing build hook stops the deploy before any host is touched', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(APP, config(dp).replace('build:\n', 'build:\n      - echo "compiling assets"; exit 4\n'));
    const connBefore = sshd.connections();
    const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: SECRET } });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('build hook "echo "compiling assets"; exit 4" exited with code 4');
    expect(r.summary).toContain('compiling assets');
    expect(sshd.connections()).toBe(connBefore);
    expect(existsSync(dp)).toBe(false);
    // The build ran in a copy: the source tree is untouched.
    expect(existsSync(join(ws.app, 'BUILD_INFO'))).toBe(false);
  });
});

describe('an encrypted deploy key', () => {
  let locked: SshdHandle;
  beforeAll(async () => {
    locked = await startSshd({ passphrase: 'correct horse' });
  });
  afterAll(async () => {
    await locked?.stop();
  });

  test('deploys with ssh-passphrase, and a wrong passphrase is a clear error', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      `environments:\n  production:\n    hosts: [${hostEntry(locked)}]\n    deploy_path: ${JSON.stringify(dp)}\n`,
    );
    const ok = await runAction({ inputs: sshInputs(locked, { 'ssh-passphrase': 'correct horse' }), workspace: ws.dir });
    expect({ code: ok.code, out: ok.code ? ok.stdout : '' }).toEqual({ code: 0, out: '' });
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v1\n');
    const bad = await runAction({ inputs: sshInputs(locked, { 'ssh-passphrase': 'wrong' }), workspace: ws.dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/private key could not be read.*passphrase/);
    expect(bad.stdout).not.toContain('correct horse');
  });
});
