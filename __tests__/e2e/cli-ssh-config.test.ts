import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { awkwardDeployPath, makeWorkspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

/** The bundled CLI, run as `deploy-action` runs it. */
const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');

type Result = { code: number | null; all: string };

function cli(args: string[], cwd: string, home: string): Promise<Result> {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice' };
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let all = '';
  child.stdout.on('data', (d: Buffer) => (all += d.toString()));
  child.stderr.on('data', (d: Buffer) => (all += d.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, all })));
}

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

describe('the CLI reads ~/.ssh/config (dist/cli/index.js, a real sshd)', () => {
  test('deploy.yml names only an alias; ssh_config gives HostName, Port, User and IdentityFile', async () => {
    const dp = awkwardDeployPath();
    const yml = (hosts: string, extra = '') =>
      `name: shop\nenvironments:\n  production:\n    hosts: [${hosts}]\n    deploy_path: ${JSON.stringify(dp)}\n${extra}`;
    const ws = makeWorkspace({ VERSION: 'v1\n' }, yml('web-alias'));
    const home = tempDir('da-home-');
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(join(home, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
    writeFileSync(
      join(home, '.ssh/config'),
      `Host web-alias\n  HostName ${sshd.host}\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.privateKeyPath}\n`,
    );

    const r = await cli(['deploy', 'production', '--source', 'app', '-v'], ws.dir, home);
    expect({ code: r.code, out: r.code === 0 ? '' : r.all.slice(-2500) }).toEqual({ code: 0, out: '' });
    expect(readFileSync(join(dp, 'current/VERSION'), 'utf8')).toBe('v1\n');
    expect(r.all).toContain(
      `${sshd.user}@web-alias: from ${join(home, '.ssh/config')}: User ${sshd.user}, HostName ${sshd.host}, Port ${sshd.port}`,
    );
    expect(r.all).toContain(`IdentityFile ${sshd.privateKeyPath} from ${join(home, '.ssh/config')}`);

    // deploy.yml's explicit port wins over ssh_config's (here a port where nothing listens).
    writeFileSync(
      join(home, 'other_config'),
      `Host web-alias\n  HostName ${sshd.host}\n  Port 1\n  User ${sshd.user}\n  IdentityFile ${sshd.privateKeyPath}\n`,
    );
    writeFileSync(join(ws.dir, 'port.yml'), yml(`"web-alias:${sshd.port}"`));
    const port = await cli(
      ['releases', 'production', '--config', 'port.yml', '--ssh-config', join(home, 'other_config')],
      ws.dir,
      home,
    );
    expect({ code: port.code, out: port.code === 0 ? '' : port.all.slice(-2500) }).toEqual({ code: 0, out: '' });

    // Without ssh_config the alias is only a name that does not resolve.
    writeFileSync(join(ws.dir, 'user.yml'), yml('web-alias', `    user: ${sshd.user}\n    connect_retries: 0\n`));
    const off = await cli(
      ['releases', 'production', '--config', 'user.yml', '--no-ssh-config', '-i', sshd.privateKeyPath],
      ws.dir,
      home,
    );
    expect(off.code).toBe(1);
    expect(off.all).toMatch(
      /the name web-alias does not resolve \((ENOTFOUND|EAI_AGAIN)\)|web-alias could not be resolved now/,
    );
  }, 120_000);
});
