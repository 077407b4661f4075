import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { env, load, problem, yaml } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures', 'shop', 'deploy.yml');

describe('loadConfig: the full example', () => {
  const config = loadConfig({ file: fixture, environment: 'production', env: { DB_PASSWORD: 's3cret' } });
  const at = (line: number, column: number) => ({ file: fixture, line, column });

  it('returns every setting, typed and normalised', () => {
    expect(config).toEqual({
      application: 'shop',
      environment: 'production',
      file: fixture,
      hosts: [
        {
          name: 'deploy@web1.example.com',
          host: 'web1.example.com',
          user: 'deploy',
          port: 22,
          local: false,
          deployPath: '/var/www/shop',
          labels: [],
          position: at(5, 9),
        },
        {
          name: 'deploy@web2.example.com:2222',
          host: 'web2.example.com',
          user: 'deploy',
          port: 2222,
          local: false,
          deployPath: '/var/www/shop',
          labels: [],
          position: at(6, 9),
        },
        {
          name: 'deploy@web3.example.com',
          host: 'web3.example.com',
          user: 'deploy',
          port: 22,
          local: false,
          deployPath: '/srv/shop',
          labels: [],
          position: at(7, 9),
        },
      ],
      deployPath: '/var/www/shop',
      url: 'https://shop.example.com',
      keepReleases: 5,
      exclude: ['.git', 'tests', 'node_modules/.cache'],
      sharedDirs: ['storage'],
      sharedFiles: ['.env'],
      stageTtlMs: 7_200_000,
      writableDirs: ['storage', 'bootstrap/cache'],
      writableMode: 'acl',
      writableUseSudo: false,
      writableRecursive: false,
      writableChmodMode: '0755',
      clearPaths: ['phpunit.xml'],
      clearUseSudo: false,
      fullUpload: false,
      hookTimeoutMs: 1800000,
      files: [],
      requireSharedFiles: false,
      env: { APP_ENV: 'production', DB_PASSWORD: 's3cret' },
      secrets: ['s3cret'],
      connectRetries: 2,
      build: [
        { run: 'composer install --no-dev --classmap-authoritative', once: false, position: at(19, 9) },
        { run: 'npm ci && npm run build', once: false, position: at(20, 9) },
      ],
      deploy: [{ run: 'php artisan migrate --force', once: false, position: at(22, 9) }],
      strategy: 'all-at-once',
      maxParallel: 10,
      batchSize: 1,
      activate: [],
      rollback: [],
    });
  });

  it('reads the same from `text` as from the file', () => {
    const text = readFileSync(fixture, 'utf8');
    expect(loadConfig({ file: fixture, environment: 'production', env: { DB_PASSWORD: 's3cret' }, text })).toEqual(
      config,
    );
  });
});

describe('loadConfig: defaults', () => {
  it('fills every optional key with its default', () => {
    const config = load(env());
    expect(config).toMatchObject({
      connectRetries: 2,
      keepReleases: 5,
      exclude: [],
      sharedDirs: [],
      sharedFiles: [],
      writableDirs: [],
      writableMode: 'acl',
      writableUseSudo: false,
      writableRecursive: false,
      writableChmodMode: '0755',
      clearPaths: [],
      clearUseSudo: false,
      fullUpload: false,
      hookTimeoutMs: 1800000,
      env: {},
      secrets: [],
      build: [],
      deploy: [],
      strategy: 'all-at-once',
      maxParallel: 10,
      batchSize: 1,
      activate: [],
      rollback: [],
    });
    expect(config.hosts[0].labels).toEqual([]);
    expect(config).not.toHaveProperty('healthcheck');
    expect(config).not.toHaveProperty('url');
    expect(config).not.toHaveProperty('httpUser');
    expect(config).not.toHaveProperty('httpGroup');
  });

  it("names the application after the config file's directory when `name` is absent", () => {
    expect(loadConfig({ file: 'apps/blog/deploy.yml', environment: 'production', text: env() }).application).toBe(
      'blog',
    );
  });

  it('takes top-level keys as defaults for every environment; an environment value replaces them whole', () => {
    const text = yaml(
      'user: deploy',
      'deploy_path: /var/www/app',
      'keep_releases: 3',
      'shared_dirs: [storage, logs]',
      'env: { A: top, B: top }',
      'environments:',
      '  production:',
      '    hosts: [web1.example.com]',
      '    shared_dirs: [uploads]',
      '    env: { A: own }',
      '  staging:',
      '    hosts: [staging.example.com]',
      '    keep_releases: 1',
    );
    const production = load(text, 'production');
    expect(production).toMatchObject({
      deployPath: '/var/www/app',
      keepReleases: 3,
      sharedDirs: ['uploads'],
      env: { A: 'own' },
    });
    expect(production.hosts[0]).toMatchObject({ name: 'deploy@web1.example.com', user: 'deploy' });
    const staging = load(text, 'staging');
    expect(staging).toMatchObject({
      environment: 'staging',
      keepReleases: 1,
      sharedDirs: ['storage', 'logs'],
      env: { A: 'top', B: 'top' },
    });
  });

  it('shares top-level hosts between environments', () => {
    const text = yaml(
      'hosts: [deploy@web1.example.com]',
      'environments:',
      '  production:',
      '    deploy_path: /var/www/app',
    );
    expect(load(text).hosts.map((h) => h.name)).toEqual(['deploy@web1.example.com']);
  });

  it('lets every host carry its own deploy_path instead of the environment', () => {
    const config = load(
      yaml(
        'environments:',
        '  production:',
        '    hosts:',
        '      - { host: a.example.com, user: deploy, deploy_path: /srv/a }',
        '      - { host: b.example.com, user: deploy, deploy_path: /srv/b }',
      ),
    );
    expect(config.deployPath).toBe('');
    expect(config.hosts.map((h) => h.deployPath)).toEqual(['/srv/a', '/srv/b']);
  });
});

describe('loadConfig: values', () => {
  it('reads hosts in every written form', () => {
    const config = load(
      yaml(
        'user: app',
        'environments:',
        '  production:',
        '    deploy_path: /var/www/app',
        '    hosts:',
        '      - local',
        '      - web1.example.com',
        '      - ops@web2.example.com:2200',
        '      - "[::1]:2222"',
        '      - { host: "2001:db8::5" }',
      ),
    );
    expect(config.hosts.map((h) => [h.name, h.host, h.user, h.port, h.local, h.deployPath])).toEqual([
      ['local', 'localhost', undefined, 22, true, '/var/www/app'],
      ['app@web1.example.com', 'web1.example.com', 'app', 22, false, '/var/www/app'],
      ['ops@web2.example.com:2200', 'web2.example.com', 'ops', 2200, false, '/var/www/app'],
      ['app@[::1]:2222', '::1', 'app', 2222, false, '/var/www/app'],
      ['app@[2001:db8::5]', '2001:db8::5', 'app', 22, false, '/var/www/app'],
    ]);
  });

  it('gives the local host its own deploy_path', () => {
    const config = load(yaml('environments:', '  production:', '    hosts: [{ host: local, deploy_path: /srv/here }]'));
    expect(config.hosts).toEqual([
      {
        name: 'local',
        host: 'localhost',
        user: undefined,
        port: 22,
        local: true,
        deployPath: '/srv/here',
        labels: [],
        position: { file: 'deploy.yml', line: 3, column: 13 },
      },
    ]);
  });

  it('accepts writable_chmod_mode as a string or a YAML integer, normalised to 4 octal digits', () => {
    const mode = (value: string) => load(env(`writable_chmod_mode: ${value}`)).writableChmodMode;
    expect(mode('"0755"')).toBe('0755');
    expect(mode('"775"')).toBe('0775');
    expect(mode('0755')).toBe('0755');
    expect(mode('755')).toBe('0755');
    expect(mode('0o750')).toBe('0750');
    expect(mode('2775')).toBe('2775');
    expect(mode('0055')).toBe('0055');
  });

  it('reads the remaining scalar settings', () => {
    const config = load(
      env(
        'writable_mode: chmod',
        'writable_use_sudo: true',
        'writable_recursive: true',
        'http_user: www-data',
        'http_group: www-data',
        'clear_use_sudo: true',
        'url: http://localhost:8080/app',
      ),
    );
    expect(config).toMatchObject({
      writableMode: 'chmod',
      writableUseSudo: true,
      writableRecursive: true,
      httpUser: 'www-data',
      httpGroup: 'www-data',
      clearUseSudo: true,
      fullUpload: false,
      hookTimeoutMs: 1800000,
      url: 'http://localhost:8080/app',
    });
  });

  it('strips trailing slashes from list paths', () => {
    expect(load(env('shared_dirs: [storage/, public/uploads//]', 'writable_dirs: [cache/]')).sharedDirs).toEqual([
      'storage',
      'public/uploads',
    ]);
  });

  it('stringifies env values as written', () => {
    expect(load(env('env: { A: 1.10, B: true, C: 0755, D: text, E: "" }')).env).toEqual({
      A: '1.10',
      B: 'true',
      C: '0755',
      D: 'text',
      E: '',
    });
  });

  it('follows YAML anchors and aliases', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: &web [deploy@web1.example.com]',
      '    deploy_path: /var/www/app',
      '    build: &steps [make]',
      '  staging:',
      '    hosts: *web',
      '    deploy_path: /var/www/staging',
      '    build: *steps',
    );
    expect(load(text, 'staging')).toMatchObject({
      hosts: [{ name: 'deploy@web1.example.com' }],
      build: [{ run: 'make' }],
    });
  });

  it('keeps multi-line commands', () => {
    const config = load(env('deploy:', '  - |', '    set -e', '    php artisan migrate'));
    expect(config.deploy).toEqual([
      { run: 'set -e\nphp artisan migrate\n', once: false, position: { file: 'deploy.yml', line: 6, column: 9 } },
    ]);
  });
});

describe('loadConfig: the file', () => {
  it('reports a missing file as a ConfigError', () => {
    const error = (() => {
      try {
        loadConfig({ file: join(here, 'fixtures', 'nope.yml'), environment: 'production' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /nope\.yml:1:1: cannot read the config file: no nope\.yml in \S*fixtures: is the repository checked out/,
    );
  });

  it('reports an empty file', () => {
    expect(problem('').message).toMatch(/file is empty/);
    expect(problem('# only a comment\n').message).toMatch(/file is empty/);
  });

  it('reports a file that is not a mapping', () => {
    expect(problem('- a\n- b\n')).toMatchObject({
      line: 1,
      column: 1,
      path: '',
      message: 'must be a mapping (got a list)',
    });
  });
});
