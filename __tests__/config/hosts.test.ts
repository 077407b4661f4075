import { ConfigError, hostDisplayName, parseHostSpec } from '../../src/config/index.js';

const at = { file: 'deploy.yml', line: 3, column: 7 };

describe('parseHostSpec', () => {
  it.each([
    [
      'deploy@web1.example.com',
      { name: 'deploy@web1.example.com', host: 'web1.example.com', user: 'deploy', port: 22, local: false },
    ],
    [
      'deploy@web1.example.com:2222',
      { name: 'deploy@web1.example.com:2222', host: 'web1.example.com', user: 'deploy', port: 2222, local: false },
    ],
    [
      'web1.example.com',
      { name: 'web1.example.com', host: 'web1.example.com', user: undefined, port: 22, local: false },
    ],
    ['web1:22', { name: 'web1', host: 'web1', user: undefined, port: 22, local: false, portWritten: true }],
    ['10.0.0.5:2200', { name: '10.0.0.5:2200', host: '10.0.0.5', user: undefined, port: 2200, local: false }],
    ['[::1]:2222', { name: '[::1]:2222', host: '::1', user: undefined, port: 2222, local: false }],
    ['ops@[2001:db8::1]', { name: 'ops@[2001:db8::1]', host: '2001:db8::1', user: 'ops', port: 22, local: false }],
    ['my_user.x-y@host_1', { name: 'my_user.x-y@host_1', host: 'host_1', user: 'my_user.x-y', port: 22, local: false }],
    ['local', { name: 'local', host: 'localhost', user: undefined, port: 22, local: true }],
  ])('parses %s', (spec, expected) => {
    expect(parseHostSpec(spec, at)).toEqual({ ...expected, labels: [], position: at });
  });

  it.each([
    ['', 'invalid host ""'],
    ['deploy@', 'invalid host ""'],
    ['@web1', 'invalid name ""'],
    ['-oProxyCommand=x', 'invalid host "-oProxyCommand=x"'],
    ['-x@web1', 'invalid name "-x"'],
    ['de ploy@web1', 'invalid name "de ploy"'],
    ['web1;rm -rf /', 'invalid host "web1;rm -rf /"'],
    ['web1:', 'port must be an integer from 1 to 65535 (got "")'],
    ['web1:99999', 'port must be an integer from 1 to 65535 (got "99999")'],
    ['web1:+22', 'port must be an integer from 1 to 65535 (got "+22")'],
    ['::1', 'write IPv6 addresses in brackets'],
    ['[::1', 'invalid host "[::1": write IPv6 addresses as `[address]`'],
    ['[x]:22', 'invalid IPv6 address "x"'],
    ['[::1]22', 'invalid host "[::1]22"'],
    ['local:22', '`local` means this machine'],
    ['web1\n', 'must not contain NUL or newline characters'],
    ['web1\0', 'must not contain NUL or newline characters'],
  ])('refuses %j', (spec, message) => {
    let caught: unknown;
    try {
      parseHostSpec(spec, at, 'inputs.hosts');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ ...at, path: 'inputs.hosts' });
    expect(problems[0].message.startsWith(message)).toBe(true);
  });
});

it('treats only the exact word `local` as this machine', () => {
  expect(parseHostSpec('LOCAL', at).local).toBe(false);
  expect(parseHostSpec('localhost', at).local).toBe(false);
});

describe('hostDisplayName', () => {
  it('shows the port only when it is not 22, and brackets IPv6', () => {
    expect(hostDisplayName('web1', 'deploy', 22)).toBe('deploy@web1');
    expect(hostDisplayName('web1', 'deploy', 2222)).toBe('deploy@web1:2222');
    expect(hostDisplayName('::1', undefined, 2222)).toBe('[::1]:2222');
  });
});
