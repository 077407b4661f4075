import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCliArgs, UsageError } from '../../src/cli/args.js';
import {
  applySshConfig,
  expandTilde,
  parseSshConfig,
  readSshConfig,
  sshConfigFiles,
  sshConfigUser,
} from '../../src/cli/ssh-config.js';
import { loadConfig, type HostConfig } from '../../src/config/index.js';
import { inlineIncludes } from '../../src/cli/ssh-config-include.js';
import { tempDir } from '../support/temp-dirs.js';

const host = (over: Partial<HostConfig> = {}): HostConfig => ({
  name: 'deploy@web-alias',
  host: 'web-alias',
  user: 'deploy',
  port: 22,
  local: false,
  deployPath: '/srv/app',
  labels: [],
  position: { file: 'deploy.yml', line: 1, column: 1 },
  ...over,
});

const CONFIG = `
Host web-alias
  HostName 10.0.1.11
  Port 2222
  ProxyJump ops@bastion.example.com:2200,inner

Host inner
  HostName 10.9.9.9
  User jumper

Host proxied
  ProxyCommand cloudflared access ssh --hostname %h
  User  first

Host direct
  HostName 10.0.0.5
  ProxyJump none

Host *
  User second
  Port 2022
`;

describe('the CLI reads ssh_config as ssh does', () => {
  const config = parseSshConfig(CONFIG, '/home/me/.ssh/config');

  test('HostName, Port and ProxyJump (its hops resolved through ssh_config too) fill a host', () => {
    const { host: h, used } = applySshConfig(host(), config);
    expect(h).toMatchObject({ host: '10.0.1.11', port: 2222, name: 'deploy@web-alias' });
    expect(h.jump).toEqual([
      { host: 'bastion.example.com', user: 'ops', port: 2200 },
      { host: '10.9.9.9', user: 'jumper', port: 2022 },
    ]);
    expect(used).toEqual(['HostName 10.0.1.11', 'Port 2222', 'ProxyJump ops@bastion.example.com:2200,inner']);
  });

  test("deploy.yml's explicit port, jump and proxy_command win", () => {
    const own = applySshConfig(host({ port: 2345, proxyCommand: 'nc %h %p' }), config).host;
    expect(own).toMatchObject({ host: '10.0.1.11', port: 2345, proxyCommand: 'nc %h %p' });
    expect(own.jump).toBeUndefined();
    const jump = [{ host: 'b', user: 'x', port: 22 }];
    expect(applySshConfig(host({ jump }), config).host.jump).toBe(jump);
  });

  test("deploy.yml's port written as 22 (`host:22`, `port: 22`, `port: ${NAME}`) wins over ssh_config's Port; an absent one takes it", () => {
    const text = [
      'environments:',
      '  production:',
      '    user: deploy',
      '    deploy_path: /srv/app',
      '    hosts:',
      '      - web-alias',
      '      - direct:22',
      '      - { host: proxied, port: 22 }',
      '      - { host: inner, port: "${PORT}" }',
      '      - "${WHOLE}"',
      '',
    ].join('\n');
    const env = { PORT: '22', WHOLE: 'deploy@other:22' };
    const hosts = loadConfig({ file: 'deploy.yml', environment: 'production', env, text }).hosts;
    expect(hosts.map((h) => applySshConfig(h, config).host.port)).toEqual([2222, 22, 22, 22, 22]);
    expect(hosts.map((h) => !!h.portWritten)).toEqual([false, true, true, true, true]);
    const bare = loadConfig({ file: 'deploy.yml', environment: 'production', env, text: text.replace(/:22\n/, '\n') });
    expect(applySshConfig(bare.hosts[1]!, config).host.port).toBe(2022);
  });

  test('ProxyCommand → proxy_command; ProxyJump none → direct; first value wins for User', () => {
    expect(applySshConfig(host({ host: 'proxied' }), config).host.proxyCommand).toBe(
      'cloudflared access ssh --hostname %h',
    );
    const direct = applySshConfig(host({ host: 'direct' }), config).host;
    expect(direct.jump).toBeUndefined();
    expect(direct.host).toBe('10.0.0.5');
    expect(sshConfigUser(config, 'proxied')).toBe('first');
    expect(sshConfigUser(config, 'anything')).toBe('second');
    expect(sshConfigUser(parseSshConfig('Host x\n  User "a b"\n', 'f'), 'x')).toBeUndefined();
  });

  test('a ProxyJump hop that is not [user@]host[:port] is an error naming the file', () => {
    const bad = parseSshConfig('Host web\n  ProxyJump ops@bad/host\n', '/home/me/.ssh/config');
    expect(() => applySshConfig(host({ host: 'web' }), bad)).toThrow(
      'ProxyJump ops@bad/host in /home/me/.ssh/config: "ops@bad/host" is not [user@]host[:port]',
    );
  });

  test('IdentityFile: ~ expanded, the first that exists; Match exec is never run', () => {
    const dir = tempDir('da-sshcfg-');
    writeFileSync(join(dir, 'key'), 'k');
    const marker = join(dir, 'ran');
    const c = parseSshConfig(
      `Match exec "touch ${marker}"\n  User x\nHost web\n  IdentityFile ${dir}/missing\n  IdentityFile ${dir}/key\n`,
      'f',
    );
    expect(sshConfigFiles([host({ host: 'web' })], c, (h) => h.identityFiles)).toEqual([join(dir, 'key')]);
    expect(expandTilde('~/.ssh/id', '/home/me')).toBe('/home/me/.ssh/id');
    const cert = parseSshConfig(`Host web\n  CertificateFile ${dir}/key\n`, 'f');
    expect(sshConfigFiles([host({ host: 'web' })], cert, (h) => h.certificateFiles)).toEqual([join(dir, 'key')]);
    expect(existsSync(marker)).toBe(false);
  });

  test('--ssh-config FILE must exist; a missing ~/.ssh/config is no ssh_config; --no-ssh-config reads none', () => {
    const dir = tempDir('da-sshcfg-');
    const at = (p: string) => (p.startsWith('~/') ? join(dir, p.slice(2)) : join(dir, p));
    expect(readSshConfig(undefined, at)).toBeUndefined();
    expect(readSshConfig(false, at)).toBeUndefined();
    expect(() => readSshConfig('nope', at)).toThrow(`cannot read the ssh_config ${join(dir, 'nope')}: no such file`);
    writeFileSync(join(dir, 'cfg'), 'Host a\n  User u\n');
    expect(readSshConfig('cfg', at)?.lookup('a').user).toBe('u');
  });

  test('--ssh-config FILE, --no-ssh-config; not both', () => {
    const run = (extra: string[]) => parseCliArgs(['deploy', 'production', ...extra]);
    expect(run([])).not.toHaveProperty('sshConfig');
    expect(run(['--no-ssh-config'])).toMatchObject({ sshConfig: false });
    expect(run(['--ssh-config', 'cfg'])).toMatchObject({ sshConfig: 'cfg' });
    expect(() => run(['--ssh-config', 'cfg', '--no-ssh-config'])).toThrow(UsageError);
  });
});

describe('Include in ssh_config, followed as ssh does', () => {
  /** A home with ~/.ssh holding `files` (path relative to ~/.ssh → text). */
  function home(files: Record<string, string>): string {
    const dir = tempDir('da-home-');
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, '.ssh', path, '..'), { recursive: true });
      writeFileSync(join(dir, '.ssh', path), text);
    }
    return dir;
  }
  const read = (dir: string, text: string) =>
    parseSshConfig(inlineIncludes(text, join(dir, '.ssh/config'), dir), join(dir, '.ssh/config'));

  test('a relative glob from ~/.ssh, its files in sorted order (the first value wins), dot files and missing ones skipped', () => {
    const dir = home({
      'config.d/b.conf': 'Host web\n  Port 2202\n  User bee\n',
      'config.d/a.conf': 'Host web\n  Port 2201\n',
      'config.d/.hidden.conf': 'Host web\n  User hidden\n',
    });
    const config = read(dir, 'Include config.d/*.conf ~/.ssh/nothing-here /nowhere/*.conf\nHost *\n  User star\n');
    expect(config.lookup('web')).toMatchObject({ port: 2201, user: 'bee' });
    expect(config.lookup('other')).toMatchObject({ user: 'star' });
  });

  test('an Include inside a Host block: the block goes on after the included file’s own blocks; ~ and absolute paths', () => {
    const dir = home({ 'extra/hosts': 'Host edge\n  HostName 10.9.9.9\n' });
    const config = read(
      dir,
      `Host web\n  Include ${join(dir, '.ssh/extra/hosts')}\n  Port 2222\nHost inner\n  Include ~/.ssh/extra/hosts\n`,
    );
    expect(config.lookup('web').port).toBe(2222);
    expect(config.lookup('edge').hostName).toBe('10.9.9.9');
  });

  test('through readSshConfig: a file that includes itself is an error naming it; an unreadable one too', () => {
    const dir = home({ loop: 'Include loop\n' });
    const loop = join(dir, '.ssh/loop');
    expect(() => inlineIncludes('Include loop\n', loop, dir)).toThrow(`${loop}: Include nested more than 16 deep`);
    // By its absolute path, as HOME is not this test's.
    writeFileSync(loop, `Include ${loop}\n`);
    expect(() => readSshConfig(loop, (p) => p)).toThrow(`${loop}: Include nested more than 16 deep`);
    expect(() => readSshConfig(loop, (p) => p)).toThrow('--no-ssh-config');
    if (process.getuid?.() !== 0) {
      chmodSync(loop, 0);
      expect(() => inlineIncludes('Include loop\n', 'cfg', dir)).toThrow(`cfg: cannot read ${loop}`);
    }
  });
});
