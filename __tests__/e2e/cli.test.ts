import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { awkwardDeployPath, hostEntry, makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

/** The bundled CLI, run as `deploy-action` runs it. */
const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');
const ROOT = resolve(CLI, '../../..');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr, for messages that may be on either. */
  all: string;
}

interface RunningCli {
  child: ChildProcess;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string): Promise<void>;
  done: Promise<CliResult>;
}

/** Starts `node dist/cli/index.js ARGS` in cwd with a clean environment: no GitHub variables, no SSH agent. */
function startCli(args: string[], opts: { cwd: string; home: string; env?: Record<string, string> }): RunningCli {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: opts.home,
    USER: 'alice',
    ...opts.env,
  };
  const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve(): void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters.filter((w) => stdout.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolveDone) =>
    child.on('close', (code) => resolveDone({ code, stdout, stderr, all: `${stdout}\n${stderr}` })),
  );
  const waitFor = (text: string) =>
    new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`timed out waiting for ${text} in:\n${stdout}\n${stderr}`)), 15_000);
      waiters.push({
        text,
        resolve: () => {
          clearTimeout(timer);
          res();
        },
      });
      if (stdout.includes(text)) waiters.pop()!.resolve();
    });
  return { child, waitFor, done };
}

const cli = (args: string[], opts: { cwd: string; home: string; env?: Record<string, string> }) =>
  startCli(args, opts).done;

/** A HOME whose ~/.ssh/known_hosts holds `knownHosts`. */
function home(knownHosts: string): string {
  const dir = tempDir('da-home-');
  mkdirSync(join(dir, '.ssh'), { mode: 0o700 });
  writeFileSync(join(dir, '.ssh/known_hosts'), knownHosts);
  return dir;
}

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

function config(dp: string): string {
  return `name: shop
environments:
  production:
    hosts: [${hostEntry(sshd)}]
    deploy_path: ${JSON.stringify(dp)}
    keep_releases: 5
`;
}

const display = () => `${sshd.user}@${sshd.host}:${sshd.port}`;
const liveVersion = (dp: string) => readFileSync(join(dp, 'current/VERSION'), 'utf8').trim();
const ok = (r: CliResult) => ({ code: r.code, out: r.code === 0 ? '' : r.all.slice(-2500) });

describe('deploy-action CLI (dist/cli/index.js)', () => {
  const nowhere = { cwd: tmpdir(), home: tmpdir() };

  test('--help lists the commands and exits 0; --version; usage errors exit 2', async () => {
    const help = await cli(['--help'], nowhere);
    expect(help.code).toBe(0);
    for (const command of ['deploy', 'redeploy', 'rollback', 'unlock', 'releases'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const option of [
      '--config',
      '--source',
      '--hosts',
      '--dry-run',
      '--release-name',
      '--release ',
      '--identity',
      '--known-hosts',
      '--connect-timeout',
    ]) {
      expect(help.stdout).toContain(option);
    }
    const version = await cli(['--version'], nowhere);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(
      `deploy-action ${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}`,
    );
    const unknown = await cli(['launch', 'production'], nowhere);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "launch"');
    expect(unknown.stderr).toContain('usage: deploy-action COMMAND ENVIRONMENT');
    const option = await cli(['deploy', 'production', '--forse'], nowhere);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('unknown option --forse');
    const force = await cli(['deploy', 'production', '--force'], nowhere);
    expect(force.code).toBe(2);
    expect(force.stderr).toContain('--force applies to unlock, not deploy');
    const misplaced = await cli(['releases', 'production', '--release-name', 'x'], nowhere);
    expect(misplaced.code).toBe(2);
  });

  test('deploy, deploy again, dry run, rollback, releases: the same engine as the action', async () => {
    const dp = awkwardDeployPath();
    const ws: Workspace = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', ws.app, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        encoding: 'utf8',
      }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'v1');
    const sha = git('rev-parse', 'HEAD');
    const h = home(`${sshd.knownHostsLine}\n`);
    const run = (...args: string[]) =>
      cli([...args, '--source', 'app', '-i', sshd.privateKeyPath], { cwd: ws.dir, home: h });

    const first = await run('deploy', 'production');
    expect(ok(first)).toEqual({ code: 0, out: '' });
    const r1 = readlinkSync(join(dp, 'current')).replace('releases/', '');
    expect(liveVersion(dp)).toBe('v1');
    expect(first.stdout).toContain(`deploy: shop to production on ${display()}`);
    expect(first.stdout).toMatch(/✓ upload \(/);
    expect(first.stdout).toContain('✓ Deploy of shop to production succeeded');
    expect(first.stdout).toMatch(new RegExp(`Release: +${r1}`));
    expect(first.stdout).toMatch(new RegExp(`Commit: +${sha}`));
    expect(first.all).not.toContain('::');
    expect(readFileSync(join(dp, 'current/REVISION'), 'utf8').trim()).toBe(sha);
    const history = JSON.parse(readFileSync(join(dp, '.deploy/history.jsonl'), 'utf8').trim().split('\n')[0]!);
    expect(history).toMatchObject({ sha, ref: 'refs/heads/main', actor: 'alice', run_url: '' });

    ws.write('VERSION', 'v2\n');
    const second = await run('deploy', 'production', '--release-name', 'second');
    expect(ok(second)).toEqual({ code: 0, out: '' });
    expect(liveVersion(dp)).toBe('v2');
    expect(second.stdout).toMatch(new RegExp(`Previous release: +${r1}`));

    const before = readdirSync(join(dp, 'releases')).sort();
    const dry = await run('deploy', 'production', '--dry-run');
    expect(ok(dry)).toEqual({ code: 0, out: '' });
    expect(dry.stdout).toContain('dry run: nothing was changed');
    expect(dry.stdout).toContain('Live release: second');
    // The plan is printed once, in the outcome (not also as the run's progress).
    expect(dry.stdout.match(/Live release: second/g)).toHaveLength(1);
    expect(readdirSync(join(dp, 'releases')).sort()).toEqual(before);
    expect(readlinkSync(join(dp, 'current'))).toBe('releases/second');

    const back = await run('rollback', 'production');
    expect(ok(back)).toEqual({ code: 0, out: '' });
    expect(liveVersion(dp)).toBe('v1');
    expect(back.stdout).toContain('✓ Rollback of shop to production succeeded');
    expect(back.stdout).toContain(`current → releases/${r1}`);

    const list = await run('releases', 'production');
    expect(ok(list)).toEqual({ code: 0, out: '' });
    const outcome = list.stdout.slice(list.stdout.indexOf('✓ Releases'));
    expect(outcome).toMatch(/^ +Release +Created +Commit +Actor +Status$/m);
    expect(list.stdout.match(/^ +Release +Created +Commit +Actor +Status$/gm)).toHaveLength(1);
    expect(outcome).toMatch(new RegExp(`^ +${r1} +\\S+ +${sha.slice(0, 12)} +alice +🟢 live$`, 'm'));
    expect(outcome).toMatch(/^ +second +\S+ +\S+ +alice +bad$/m);
    expect(outcome).not.toMatch(/\*\*|\|/);
  });

  test('an unknown host key fails closed with its fingerprint and the line to add; nothing is deployed', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const h = home('');
    const accepted = () => sshd.log().match(/Accepted publickey/g)?.length ?? 0;
    const acceptedBefore = accepted();
    const r = await cli(['deploy', 'production', '--source', 'app', '-i', sshd.privateKeyPath], {
      cwd: ws.dir,
      home: h,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ Deploy of shop to production failed');
    expect(r.stderr).toContain(`error: ${display()}: connect: Host key verification failed`);
    expect(r.stderr).toContain(sshd.hostKeyFingerprint);
    expect(r.stderr).toContain(`  ${sshd.knownHostsLine}`);
    expect(r.stderr).toContain(join(h, '.ssh/known_hosts'));
    expect(existsSync(dp)).toBe(false);
    expect(accepted()).toBe(acceptedBefore);
  });

  test('--hosts that matches nothing, a config error, missing credentials: clear errors, exit 1', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const h = home(`${sshd.knownHostsLine}\n`);
    const opts = { cwd: ws.dir, home: h };
    const none = await cli(
      ['deploy', 'production', '--source', 'app', '--hosts', 'nosuchhost', '-i', sshd.privateKeyPath],
      opts,
    );
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      `error: --hosts: "nosuchhost" matches no host. The hosts of this environment are: ${display()}`,
    );
    const noKey = await cli(['releases', 'production'], opts);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('no SSH credentials');
    writeFileSync(
      join(ws.dir, 'bad.yml'),
      'name: shop\nenvironments:\n  production:\n    hosts: [web1]\n    deploy_path: /srv/shop\n    keep_releases: 0\n',
    );
    const bad = await cli(['deploy', 'production', '--config', 'bad.yml'], opts);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: bad\.yml:6:\d+: environments\.production\.keep_releases: /m);
    const missing = await cli(['deploy', 'staging'], opts);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: deploy\.yml:\d+:\d+: .*staging/m);
  });

  test('Ctrl-C (SIGINT) cancels: the host undoes the run, the live release stays, exit 130', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const h = home(`${sshd.knownHostsLine}\n`);
    const opts = { cwd: ws.dir, home: h };
    const args = ['deploy', 'production', '--source', 'app', '-i', sshd.privateKeyPath];
    expect(ok(await cli(args, opts))).toEqual({ code: 0, out: '' });
    const live = readlinkSync(join(dp, 'current'));
    writeFileSync(ws.config, `${config(dp)}    deploy:\n      - sleep 30\n`);
    const running = startCli(args, opts);
    await running.waitFor('▶ sleep 30');
    const t0 = Date.now();
    running.child.kill('SIGINT');
    const r = await running.done;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('warning: SIGINT received: cancelling');
    expect(r.stderr).toContain('✗ Deploy of shop to production failed');
    expect(r.stderr).toContain('the run was cancelled');
    expect(readlinkSync(join(dp, 'current'))).toBe(live);
    expect(readdirSync(join(dp, 'releases'))).toEqual([live.replace('releases/', '')]);
    expect(existsSync(join(dp, '.deploy/lock'))).toBe(false);
  });

  test('no Actions vocabulary: a missing ${NAME}, an unknown or changed host key, a refused key, a failing build', async () => {
    /** What only makes sense in a workflow: the action's inputs, the step, @actions/exec's echo. */
    const ACTIONS_WORDS =
      /step's environment|`known-hosts` input|known-hosts line|ssh-private-key|ssh-passphrase|\[command\]|\binputs?\b|\brunner\b/;
    const dp = awkwardDeployPath();
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      `${config(dp)}    env:\n      DB_PASSWORD: \${DB_PASSWORD}\n    build:\n      - echo building; exit 3\n`,
    );
    const h = home('');
    const knownHosts = join(h, '.ssh/known_hosts');
    const run = (args: string[], env: Record<string, string> = {}) =>
      cli(['deploy', 'production', '--source', 'app', ...args], { cwd: ws.dir, home: h, env });

    const unset = await run(['-i', sshd.privateKeyPath]);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('references ${DB_PASSWORD}, which is not set in the environment');
    expect(unset.all).not.toMatch(ACTIONS_WORDS);
    const dry = await run(['-i', sshd.privateKeyPath, '--dry-run']);
    expect(dry.stderr).toContain('which is not set in the environment (a dry run does not need it');
    expect(dry.all).not.toMatch(ACTIONS_WORDS);

    const env = { DB_PASSWORD: 'hunter2-secret' };
    const build = await run(['-i', sshd.privateKeyPath], env);
    expect(build.code).toBe(1);
    expect(build.stdout).toMatch(/^building$/m);
    expect(build.stderr).toContain('Last lines of output from the build:');
    expect(build.stderr).toMatch(/exit(ed with)? code 3/);
    expect(build.all).not.toMatch(ACTIONS_WORDS);

    ws.write('../deploy.yml', config(dp));
    const unknown = await run(['-i', sshd.privateKeyPath]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`the host is not listed in ${knownHosts}`);
    expect(unknown.stderr).toContain(`To trust this host, add this line to ${knownHosts}:`);
    expect(unknown.all).not.toMatch(ACTIONS_WORDS);

    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(h, 'other_host_key')]);
    const otherLine = `[${sshd.host}]:${sshd.port} ${readFileSync(join(h, 'other_host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}`;
    writeFileSync(knownHosts, `# pinned\n${otherLine}\n`);
    const changed = await run(['-i', sshd.privateKeyPath]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('the host key has CHANGED');
    expect(changed.stderr).toContain(`pinned for this host in ${knownHosts}`);
    expect(changed.stderr).toContain(`${knownHosts} line(s) 2`);
    expect(changed.all).not.toMatch(ACTIONS_WORDS);

    writeFileSync(knownHosts, `${sshd.knownHostsLine}\n`);
    const stranger = join(h, 'stranger_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const refused = await run(['-i', stranger]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Check that the public key of ${stranger} (${stranger}.pub) is in ~${sshd.user}/`);
    expect(refused.all).not.toMatch(ACTIONS_WORDS);
  });

  test('credentials: ~/.ssh/id_ed25519 by default, an encrypted key with DEPLOY_SSH_PASSPHRASE, the SSH agent', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const list = ['releases', 'production'];

    const withKey = home(`${sshd.knownHostsLine}\n`);
    copyFileSync(sshd.plainKeyPath, join(withKey, '.ssh/id_ed25519'));
    chmodSync(join(withKey, '.ssh/id_ed25519'), 0o600);
    const byDefault = await cli(list, { cwd: ws.dir, home: withKey });
    expect(ok(byDefault)).toEqual({ code: 0, out: '' });
    expect(byDefault.stdout).toContain('Nothing deployed yet.');

    const h = home(`${sshd.knownHostsLine}\n`);
    const encrypted = join(h, 'encrypted_key');
    copyFileSync(sshd.plainKeyPath, encrypted);
    chmodSync(encrypted, 0o600);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'open sesame', '-f', encrypted]);
    const noPassphrase = await cli([...list, '-i', encrypted], { cwd: ws.dir, home: h });
    expect(noPassphrase.code).toBe(1);
    expect(noPassphrase.stderr).toContain(
      `error: the private key ${encrypted} is encrypted: set DEPLOY_SSH_PASSPHRASE`,
    );
    const stranger = join(h, 'stranger_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const refused = await cli([...list, '-i', stranger], { cwd: ws.dir, home: h });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `error: ${display()}: connect: ${display()} (${sshd.host}:${sshd.port}): the server refused the key ${execFileSync('ssh-keygen', ['-lf', `${stranger}.pub`], { encoding: 'utf8' }).split(' ')[1]} for user "${sshd.user}"`,
    );
    expect(refused.stderr).toContain(`(deploy-action offered the key ${stranger}; choose another key with -i FILE)`);
    const withPassphrase = await cli([...list, '-i', encrypted], {
      cwd: ws.dir,
      home: h,
      env: { DEPLOY_SSH_PASSPHRASE: 'open sesame' },
    });
    expect(ok(withPassphrase)).toEqual({ code: 0, out: '' });

    const sock = join(h, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync('ssh-add', ['-q', sshd.plainKeyPath], {
        env: { ...process.env, SSH_AUTH_SOCK: sock },
        stdio: 'ignore',
      });
      const viaAgent = await cli(list, { cwd: ws.dir, home: h, env: { SSH_AUTH_SOCK: sock } });
      expect(ok(viaAgent)).toEqual({ code: 0, out: '' });
    } finally {
      agent.kill();
    }
  });
});
