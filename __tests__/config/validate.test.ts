import { ConfigError } from '../../src/config/index.js';
import { env, load, problem, problems, yaml } from './helpers.js';

describe('problem reports', () => {
  it('formats the message as file:line:col: path: message, one problem per line', () => {
    try {
      load(env('keep_releases: 0', 'writable_mode: fast'));
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(
        [
          'deploy.yml:5:20: environments.production.keep_releases: must be an integer >= 1 (got 0)',
          'deploy.yml:6:20: environments.production.writable_mode: must be one of `acl`, `chmod`, `chown`, `chgrp`, `skip` (got "fast")',
        ].join('\n'),
      );
    }
  });

  it('collects every problem in every environment instead of stopping at the first', () => {
    const found = problems(
      yaml(
        'keep_releses: 3',
        'environments:',
        '  production:',
        '    hosts: [deploy@web1.example.com]',
        '    deploy_path: relative',
        '  staging:',
        '    hosts: []',
        '    deploy_path: /var/www/app',
        '    writable_use_sudo: yes',
      ),
    );
    expect(found.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
      '1:1 keep_releses',
      '5:18 environments.production.deploy_path',
      '7:12 environments.staging.hosts',
      '9:24 environments.staging.writable_use_sudo',
    ]);
  });
});

describe('unknown keys', () => {
  it.each([
    ['shared_dir', 'shared_dirs'],
    ['sharedDirs', 'shared_dirs'],
    ['shared-dirs', 'shared_dirs'],
    ['Shared_Dirs', 'shared_dirs'],
    ['keep_relases', 'keep_releases'],
    ['deploy_paht', 'deploy_path'],
    ['writeable_dirs', 'writable_dirs'],
  ])('suggests the known key for %s', (typo, known) => {
    expect(problem(env(`${typo}: []`))).toMatchObject({
      line: 5,
      column: 5,
      path: `environments.production.${typo}`,
      message: `unknown key; did you mean \`${known}\`?`,
    });
  });

  it('reports a key far from every known key without a suggestion', () => {
    expect(problem(env('colour: blue')).message).toBe('unknown key');
  });

  it('reports unknown keys at the top level, with top-level-only keys as suggestions', () => {
    expect(problem(`nmae: shop\n${env()}`)).toMatchObject({
      line: 1,
      column: 1,
      path: 'nmae',
      message: 'unknown key; did you mean `name`?',
    });
  });

  it('reports unknown keys in a host mapping', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: [{ host: a.example.com, usr: deploy }]',
      '    deploy_path: /var/www/app',
    );
    expect(problems(text).find((p) => p.message.startsWith('unknown key'))).toMatchObject({
      line: 3,
      column: 36,
      path: 'environments.production.hosts[0].usr',
      message: 'unknown key; did you mean `user`?',
    });
  });

  it('says when a top-level-only key is written inside an environment', () => {
    expect(problem(env('name: shop'))).toMatchObject({
      path: 'environments.production.name',
      message: '`name` is only allowed at the top level',
    });
  });

  it('refuses YAML merge keys', () => {
    const text = yaml(
      'defaults: &d { keep_releases: 3 }',
      'environments:',
      '  production:',
      '    <<: *d',
      '    hosts: [deploy@a.example.com]',
      '    deploy_path: /var/www/app',
    );
    expect(problems(text).map((p) => `${p.line}:${p.column}: ${p.path}: ${p.message}`)).toEqual([
      '1:1: defaults: unknown key',
      '4:5: environments.production: YAML merge keys (`<<`) are not supported; put shared settings at the top level instead',
    ]);
  });

  it('refuses keys that are not strings', () => {
    expect(problem(env('1: one'))).toMatchObject({ line: 5, column: 5, message: 'keys must be plain strings (got 1)' });
  });
});

describe('wrong types', () => {
  it.each([
    ['keep_releases: three', 'keep_releases', 'must be an integer >= 1 (got "three")'],
    ['keep_releases: 2.5', 'keep_releases', 'must be an integer >= 1 (got 2.5)'],
    ['writable_use_sudo: "true"', 'writable_use_sudo', 'must be true or false (got "true")'],
    ['writable_recursive: yes', 'writable_recursive', 'must be true or false (got "yes")'],
    ['clear_use_sudo: 1', 'clear_use_sudo', 'must be true or false (got 1)'],
    ['url: 42', 'url', 'must be a string (got 42)'],
    ['shared_dirs: storage', 'shared_dirs', 'must be a list (got "storage")'],
    ['shared_files:', 'shared_files', 'must be a list (got nothing)'],
    ['exclude: { a: 1 }', 'exclude', 'must be a list (got a mapping)'],
    ['build: make', 'build', 'must be a list (got "make")'],
    ['deploy: [[a]]', 'deploy[0]', 'must be a command string or a mapping with `run` (got a list)'],
    ['env: [A]', 'env', 'must be a mapping of NAME: value (got a list)'],
    ['env: { A: [1] }', 'env.A', 'must be a string, number or boolean (got a list)'],
    ['env: { A: }', 'env.A', 'must be a string, number or boolean (got nothing)'],
    ['user: 7', 'user', 'must be a string (got 7)'],
    ['writable_mode: ACL', 'writable_mode', 'must be one of `acl`, `chmod`, `chown`, `chgrp`, `skip` (got "ACL")'],
    [
      'writable_chmod_mode: 0855',
      'writable_chmod_mode',
      'must be an octal file mode such as "0755" or "775" (got 0855)',
    ],
    [
      'writable_chmod_mode: "79"',
      'writable_chmod_mode',
      'must be an octal file mode such as "0755" or "775" (got "79")',
    ],
    [
      'writable_chmod_mode: 12345',
      'writable_chmod_mode',
      'must be an octal file mode such as "0755" or "775" (got 12345)',
    ],
    ['url: ftp://example.com', 'url', 'must be an http:// or https:// URL (got "ftp://example.com")'],
    ['url: example.com', 'url', 'must be an http:// or https:// URL (got "example.com")'],
    ['http_user: "-oProxy"', 'http_user', 'invalid name "-oProxy": use letters, digits, `.`, `_` and `-` (not first)'],
    [
      'http_group: "www data"',
      'http_group',
      'invalid name "www data": use letters, digits, `.`, `_` and `-` (not first)',
    ],
  ])('%s', (line, path, message) => {
    expect(problem(env(line))).toMatchObject({ line: 5, path: `environments.production.${path}`, message });
  });

  it('refuses a non-mapping environment', () => {
    expect(problem(yaml('environments:', '  production: [a]'))).toMatchObject({
      line: 2,
      column: 15,
      path: 'environments.production',
      message: 'must be a mapping (got a list)',
    });
  });

  it('refuses an empty environments mapping', () => {
    expect(problem(yaml('environments: {}'))).toMatchObject({
      line: 1,
      column: 15,
      path: 'environments',
      message: 'must define at least one environment',
    });
  });

  it('refuses strings with NUL characters', () => {
    expect(problem(env('url: "https://x.example.com/\\0"')).message).toBe('must not contain NUL characters');
    expect(problem(env('build: ["make\\0"]')).message).toBe('must not contain NUL characters');
    expect(problem(env('env: { A: "a\\0b" }')).message).toBe('must not contain NUL characters');
  });

  it('refuses an empty command', () => {
    expect(problem(env('build: ["  "]'))).toMatchObject({
      path: 'environments.production.build[0]',
      message: 'must not be empty',
    });
  });
});

describe('required keys', () => {
  it('reports a missing `environments`', () => {
    expect(problem(yaml('name: shop'))).toMatchObject({
      line: 1,
      column: 1,
      path: '',
      message: 'missing required key `environments`',
    });
  });

  it('reports missing hosts at the environment', () => {
    expect(problem(yaml('environments:', '  production:', '    deploy_path: /var/www/app'))).toMatchObject({
      line: 2,
      column: 3,
      path: 'environments.production',
      message: 'missing required key `hosts`',
    });
  });

  it('reports an empty hosts list', () => {
    expect(
      problem(yaml('environments:', '  production:', '    hosts: []', '    deploy_path: /var/www/app')),
    ).toMatchObject({
      path: 'environments.production.hosts',
      message: 'must list at least one host',
    });
  });

  it('reports a missing deploy_path when a host has none of its own', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts:',
      '      - { host: a.example.com, user: deploy, deploy_path: /srv/a }',
      '      - deploy@b.example.com',
    );
    expect(problem(text)).toMatchObject({
      line: 2,
      column: 3,
      path: 'environments.production',
      message: 'missing required key `deploy_path` (set it for the environment, or on every host)',
    });
  });

  it('reports a host mapping without `host`', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: [{ user: deploy }]',
      '    deploy_path: /var/www/app',
    );
    expect(problem(text)).toMatchObject({
      line: 3,
      column: 13,
      path: 'environments.production.hosts[0]',
      message: 'missing required key `host`',
    });
  });

  it('reports a top-level host without a user once per environment that lacks one', () => {
    const text = yaml(
      'hosts: [web1.example.com]',
      'deploy_path: /var/www/app',
      'environments:',
      '  production: { user: deploy }',
      '  staging: {}',
    );
    expect(problem(text, 'production')).toMatchObject({
      line: 1,
      column: 9,
      path: 'hosts[0]',
      message: expect.stringMatching(/^no user for host .* \(in environment `staging`\)$/),
    });
  });

  it('reports a remote host without a user', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: [web1.example.com]',
      '    deploy_path: /var/www/app',
    );
    expect(problem(text)).toMatchObject({
      line: 3,
      column: 13,
      path: 'environments.production.hosts[0]',
      message:
        'no user for host `web1.example.com`: write `user@web1.example.com`, add `user:` to the host, or set `user:` for the environment',
    });
  });
});

describe('hosts', () => {
  const hosts = (...entries: string[]) =>
    yaml(
      'environments:',
      '  production:',
      '    deploy_path: /var/www/app',
      '    hosts:',
      ...entries.map((e) => `      - ${e}`),
    );

  it('reports duplicate hosts (same user, host and port)', () => {
    const found = problem(hosts('deploy@a.example.com', '{ host: a.example.com, user: deploy, port: 22 }'));
    expect(found).toMatchObject({
      line: 6,
      column: 9,
      path: 'environments.production.hosts[1]',
      message: 'duplicate host `deploy@a.example.com` (also at line 5)',
    });
  });

  it('allows the same host with another user or port', () => {
    expect(load(hosts('deploy@a.example.com', 'other@a.example.com', 'deploy@a.example.com:2222')).hosts).toHaveLength(
      3,
    );
  });

  it('reports local twice', () => {
    expect(problem(hosts('local', 'local')).message).toBe('duplicate host `local` (also at line 5)');
  });

  it.each([
    [
      '"-oProxyCommand=evil"',
      'invalid host "-oProxyCommand=evil": use letters, digits, `.`, `_` and `-` (not first), or [IPv6]',
    ],
    ['"deploy@web 1"', 'invalid host "web 1": use letters, digits, `.`, `_` and `-` (not first), or [IPv6]'],
    ['"-l@web1"', 'invalid name "-l": use letters, digits, `.`, `_` and `-` (not first)'],
    ['"deploy@web1:0"', 'port must be an integer from 1 to 65535 (got "0")'],
    ['"deploy@web1:65536"', 'port must be an integer from 1 to 65535 (got "65536")'],
    ['"deploy@web1:ssh"', 'port must be an integer from 1 to 65535 (got "ssh")'],
    ['"deploy@::1"', 'write IPv6 addresses in brackets, e.g. `[::1]` or `[::1]:2222`'],
    ['"deploy@[web1]"', 'invalid IPv6 address "web1"'],
    ['"deploy@local"', '`local` means this machine and takes no user or port'],
    ['"a@b@c"', 'invalid host "b@c": use letters, digits, `.`, `_` and `-` (not first), or [IPv6]'],
    ['{ host: a.example.com, user: deploy, port: 70000 }', 'must be an integer from 1 to 65535 (got 70000)'],
    [
      '{ host: "a b", user: deploy }',
      'invalid host "a b": use letters, digits, `.`, `_` and `-` (not first), or [IPv6]',
    ],
    ['{ host: local, user: deploy }', '`local` means this machine and takes no `user` or `port`'],
    ['{ host: a.example.com, user: deploy, deploy_path: srv }', 'must be an absolute path (got "srv")'],
    ['7', 'must be a mapping (got 7)'],
  ])('refuses %s', (entry, message) => {
    expect(problem(hosts(entry)).message).toBe(message);
  });
});

describe('deploy_path', () => {
  it.each([
    ['var/www', 'must be an absolute path (got "var/www")'],
    ['~/app', 'must be an absolute path (got "~/app")'],
    ['/var/www/../etc', 'must be a normalised absolute path without `.` or `..` segments, `//` or a trailing `/`'],
    [
      '/var/www/./app',
      'must be a normalised absolute path without `.` or `..` segments, `//` or a trailing `/` (did you mean `/var/www/app`?)',
    ],
    [
      '/var//www',
      'must be a normalised absolute path without `.` or `..` segments, `//` or a trailing `/` (did you mean `/var/www`?)',
    ],
    [
      '/var/www/app/',
      'must be a normalised absolute path without `.` or `..` segments, `//` or a trailing `/` (did you mean `/var/www/app`?)',
    ],
    ['/', 'refusing to deploy to `/`'],
    ['/var', 'refusing to deploy to the system directory `/var`; use a subdirectory'],
    ['/home', 'refusing to deploy to the system directory `/home`; use a subdirectory'],
    ['/usr', 'refusing to deploy to the system directory `/usr`; use a subdirectory'],
    ['/root', 'refusing to deploy to the system directory `/root`; use a subdirectory'],
    [
      '/home/deploy',
      'refusing to deploy to the home directory `/home/deploy`; use a subdirectory such as `/home/deploy/app`',
    ],
    ['/etc/nginx', 'refusing to deploy under `/etc`'],
    ['/proc/1', 'refusing to deploy under `/proc`'],
    ['/sys/x', 'refusing to deploy under `/sys`'],
    ['/dev/shm/app', 'refusing to deploy under `/dev`'],
    ['""', 'must not be empty'],
    ['"/var/www/a\\nb"', 'must not contain NUL or newline characters'],
  ])('refuses %s', (value, message) => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: [deploy@a.example.com]',
      `    deploy_path: ${value}`,
    );
    expect(problem(text)).toMatchObject({ line: 4, column: 18, path: 'environments.production.deploy_path', message });
  });

  it.each(['/var/www/app', '/home/deploy/app', '/srv/shop', '/opt/app', '/tmp/x', '/root/app'])(
    'accepts %s',
    (value) => {
      expect(load(env().replace('/var/www/app', value)).deployPath).toBe(value);
    },
  );
});

describe('shared, writable and clear paths', () => {
  it.each([
    ['""', 'must not be empty'],
    ['/storage', 'must be relative to the release directory (got "/storage")'],
    ['../storage', 'must not contain `..` segments'],
    ['a/../b', 'must not contain `..` segments'],
    ['.', 'must not be `.` (the whole release)'],
    ['./storage', 'must not contain `.` segments'],
    ['a//b', 'must not contain `//`'],
    ['"a\\\\b"', 'must use `/` as separator, not `\\`'],
    ['"a\\nb"', 'must not contain NUL or newline characters'],
    ['"a\\0b"', 'must not contain NUL characters'],
    ['.deploy', 'paths starting with `.deploy` are reserved for deploy-action'],
    ['.deployer/x', 'paths starting with `.deploy` are reserved for deploy-action'],
  ])('refuses %s in every relative list', (value, message) => {
    for (const key of ['shared_dirs', 'shared_files', 'writable_dirs', 'clear_paths']) {
      expect(problem(env(`${key}:`, `  - ${value}`))).toMatchObject({
        line: 6,
        column: 9,
        path: `environments.production.${key}[0]`,
        message,
      });
    }
  });

  it('refuses the same path twice in a list', () => {
    expect(problem(env('shared_dirs: [storage, storage/]'))).toMatchObject({
      column: 28,
      path: 'environments.production.shared_dirs[1]',
      message: '`storage` is listed twice (also at line 5)',
    });
  });

  it('refuses a shared dir inside another shared dir', () => {
    expect(problem(env('shared_dirs: [storage, storage/app]'))).toMatchObject({
      column: 28,
      path: 'environments.production.shared_dirs[1]',
      message: '`storage/app` is inside the shared dir `storage`, which already shares it',
    });
  });

  it('refuses a shared file inside a shared dir', () => {
    expect(problem(env('shared_dirs: [storage]', 'shared_files: [storage/oauth.key]'))).toMatchObject({
      line: 6,
      path: 'environments.production.shared_files[0]',
      message: '`storage/oauth.key` is inside the shared dir `storage`, which already shares it',
    });
  });

  it('refuses a path that is both a shared dir and a shared file', () => {
    expect(problem(env('shared_dirs: [config]', 'shared_files: [config]'))).toMatchObject({
      line: 6,
      path: 'environments.production.shared_files[0]',
      message: '`config` is listed both as a shared dir and a shared file',
    });
  });

  it('refuses a shared dir inside a shared file', () => {
    expect(problem(env('shared_files: [.env]', 'shared_dirs: [.env/x]')).message).toBe(
      '`.env/x` is inside `.env`, which is a shared file',
    );
  });

  it('checks overlap across top-level defaults and environment values, once', () => {
    const text = yaml(
      'shared_dirs: [storage]',
      'environments:',
      '  production:',
      '    hosts: [deploy@a.example.com]',
      '    deploy_path: /var/www/app',
      '    shared_files: [storage/key]',
      '  staging:',
      '    hosts: [deploy@a.example.com]',
      '    deploy_path: /var/www/staging',
      '    shared_dirs: [storage, storage/logs]',
    );
    expect(problems(text).map((p) => `${p.line}:${p.column}: ${p.path}`)).toEqual([
      '6:20: environments.production.shared_files[0]',
      '10:28: environments.staging.shared_dirs[1]',
    ]);
  });

  it('names the environment when a top-level default clashes with an environment value', () => {
    const text = yaml(
      'shared_files: [storage/key]',
      'environments:',
      '  production:',
      '    hosts: [deploy@a.example.com]',
      '    deploy_path: /var/www/app',
      '    shared_dirs: [storage]',
    );
    expect(problem(text)).toMatchObject({
      line: 1,
      path: 'shared_files[0]',
      message:
        '`storage/key` is inside the shared dir `storage`, which already shares it (in environment `production`)',
    });
  });

  it('allows sibling paths with a common prefix', () => {
    expect(load(env('shared_dirs: [storage, storage2]', 'shared_files: [storage.txt]')).sharedDirs).toEqual([
      'storage',
      'storage2',
    ]);
  });

  it('refuses empty or multi-line exclude patterns', () => {
    expect(problem(env('exclude: [""]')).message).toBe('must not be empty');
    expect(problem(env('exclude: ["a\\nb"]')).message).toBe('must not contain NUL or newline characters');
  });
});

describe('keep_releases', () => {
  it.each(['0', '-1'])('refuses %s', (value) => {
    expect(problem(env(`keep_releases: ${value}`))).toMatchObject({
      line: 5,
      column: 20,
      message: `must be an integer >= 1 (got ${value})`,
    });
  });

  it('accepts 1', () => {
    expect(load(env('keep_releases: 1')).keepReleases).toBe(1);
  });
});

describe('env', () => {
  it('refuses invalid variable names', () => {
    expect(problem(env('env: { 1A: x }'))).toMatchObject({
      path: 'environments.production.env.1A',
      message: 'invalid variable name: use letters, digits and `_`, not starting with a digit',
    });
    expect(problem(env('env: { A-B: x }')).message).toMatch(/invalid variable name/);
  });

  it('refuses names reserved for deploy-action', () => {
    expect(problem(env('env: { DEPLOY_PATH: x }'))).toMatchObject({
      line: 5,
      column: 12,
      path: 'environments.production.env.DEPLOY_PATH',
      message: 'names starting with `DEPLOY_` are reserved for deploy-action',
    });
    expect(problem(env('env: { deploy_x: x }')).message).toMatch(/reserved/);
  });
});

describe('environment selection', () => {
  it('lists the environments that exist when the requested one does not', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: [deploy@a.example.com]',
      '    deploy_path: /var/www/app',
      '  staging:',
      '    hosts: [deploy@a.example.com]',
      '    deploy_path: /var/www/staging',
    );
    expect(problem(text, 'prod')).toMatchObject({
      line: 1,
      column: 1,
      path: 'environments',
      message: 'environment `prod` not found; defined: `production`, `staging`',
    });
  });

  it('refuses odd environment names', () => {
    expect(
      problem(
        yaml('environments:', '  "prod uction":', '    hosts: [local]', '    deploy_path: /var/www/app'),
        'prod uction',
      ).message,
    ).toBe('invalid environment name: use letters, digits, `.`, `_` and `-`');
  });

  it('refuses a bad application name', () => {
    expect(problem(`name: "a/b"\n${env()}`)).toMatchObject({
      path: 'name',
      message: 'must not contain `/` or newlines',
    });
    expect(problem(`name: ""\n${env()}`)).toMatchObject({ path: 'name', message: 'must not be empty' });
  });
});
