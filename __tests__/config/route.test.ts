/** `jump` and `proxy_command`: how a host is reached, at environment and host level. */
import { routeText } from '../../src/config/index.js';
import { expandProxyCommand } from '../../src/fleet/connect.js';
import { load, problem, yaml } from './helpers.js';

const hostsOf = (...lines: string[]) =>
  load(yaml('environments:', '  production:', '    user: deploy', '    deploy_path: /srv/app', ...lines)).hosts;

describe('jump', () => {
  test("the environment's jump host reaches every host; a hop without user or port gets the host's user and 22", () => {
    const hosts = hostsOf('    jump: bastion.example.com', '    hosts: [web1, ops@web2:2222]');
    expect(hosts.map((h) => h.jump)).toEqual([
      [{ host: 'bastion.example.com', user: 'deploy', port: 22 }],
      [{ host: 'bastion.example.com', user: 'ops', port: 22 }],
    ]);
    expect(routeText(hosts[0]!)).toBe('via deploy@bastion.example.com:22');
  });

  test("a host's own chain overrides the environment's; `jump: []` is a direct connection", () => {
    const hosts = hostsOf(
      '    jump: j@bastion:2200',
      '    hosts:',
      '      - { host: web1, jump: [a@edge:2222, inner] }',
      '      - { host: web2, jump: [] }',
      '      - { host: web3, proxy_command: nc %h %p }',
    );
    expect(hosts.map(routeText)).toEqual([
      'via a@edge:2222, deploy@inner:22',
      undefined,
      'via proxy command `nc %h %p`',
    ]);
    expect(hosts[2]!.jump).toBeUndefined();
  });

  test.each([
    ['    jump: -oProxyCommand=x', 'invalid host "-oProxyCommand=x"'],
    ['    jump: [bastion, "evil;rm -rf /"]', 'invalid host "evil;rm -rf /"'],
    ['    jump: local', '`local` cannot be a jump host'],
    ['    jump: bastion:0', 'port must be an integer from 1 to 65535'],
    ['    jump: [a, b, c, d, e, f, g, h, i]', 'a chain of at most 8 jump hosts'],
    ['    jump: 22', 'must be a jump host `user@host:port` or a list of them (got 22)'],
  ])('%s is refused: %s', (line, message) => {
    const found = problem(
      yaml('environments:', '  production:', '    hosts: [deploy@web1]', '    deploy_path: /srv/app', line),
    );
    expect(found.message).toContain(message);
  });

  test('`jump` and `proxy_command` together are a config error, on a host and for the environment', () => {
    expect(
      problem(
        yaml(
          'environments:',
          '  production:',
          '    deploy_path: /srv/app',
          '    hosts:',
          '      - { host: web1, user: d, jump: b, proxy_command: nc %h %p }',
        ),
      ).message,
    ).toBe('give `jump` or `proxy_command`, not both');
    expect(
      problem(
        yaml(
          'environments:',
          '  production:',
          '    deploy_path: /srv/app',
          '    hosts: [d@web1]',
          '    jump: b',
          '    proxy_command: nc %h %p',
        ),
      ).message,
    ).toBe('give `jump` or `proxy_command` for the environment, not both');
    expect(
      problem(
        yaml(
          'environments:',
          '  production:',
          '    deploy_path: /srv/app',
          '    hosts:',
          '      - { host: local, jump: b }',
        ),
      ).message,
    ).toContain('`local` means this machine and takes no `jump` or `proxy_command`');
  });
});

describe('proxy_command', () => {
  test('%h %p %r become the host, port and user, each one quoted word; %% is %', () => {
    expect(expandProxyCommand('ssh -W %h:%p %r@bastion # 100%%', { host: 'web1', port: 2222, user: 'deploy' })).toBe(
      'ssh -W web1:2222 deploy@bastion # 100%',
    );
    // Host names are checked by the config; the quoting holds for anything else that gets here.
    expect(expandProxyCommand('nc %h %p', { host: "a b'$(x)", port: 22, user: 'u' })).toBe(`nc 'a b'\\''$(x)' 22`);
  });
});
