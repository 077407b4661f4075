import { STRATEGIES } from '../../src/config/index.js';
import { env, load, problem, problems, yaml } from './helpers.js';

const P = 'environments.production';
const at = (line: number, column: number) => ({ file: 'deploy.yml', line, column });

describe('the fleet example of issue 4', () => {
  const text = yaml(
    'environments:',
    '  production:',
    '    hosts:',
    '      - { host: web1.internal, user: deploy, labels: [web] }',
    '      - { host: web2.internal, user: deploy, labels: [web] }',
    '      - { host: worker1.internal, user: deploy, labels: [worker] }',
    '    deploy_path: /var/www/app',
    '    strategy: all-at-once',
    '    max_parallel: 10',
    '    batch_size: 1',
    '    deploy:',
    '      - run: php artisan migrate --force',
    '        once: true',
    '      - php artisan config:cache',
    '    activate:',
    '      - sudo systemctl reload php8.3-fpm',
    '    healthcheck:',
    '      url: https://{host}/health',
    '      expect_status: 200',
    '      timeout: 30s',
    '      retries: 5',
  );

  it('reads every fleet setting', () => {
    const config = load(text);
    expect(config.hosts.map((h) => [h.name, h.labels])).toEqual([
      ['deploy@web1.internal', ['web']],
      ['deploy@web2.internal', ['web']],
      ['deploy@worker1.internal', ['worker']],
    ]);
    expect(config).toMatchObject({ strategy: 'all-at-once', maxParallel: 10, batchSize: 1 });
    expect(config.deploy).toEqual([
      { run: 'php artisan migrate --force', once: true, position: at(12, 9) },
      { run: 'php artisan config:cache', once: false, position: at(14, 9) },
    ]);
    expect(config.activate).toEqual([{ run: 'sudo systemctl reload php8.3-fpm', once: false, position: at(16, 9) }]);
    expect(config.healthcheck).toEqual({
      url: 'https://{host}/health',
      expectStatus: 200,
      timeoutMs: 30_000,
      retries: 5,
      intervalMs: 2000,
      position: at(17, 5),
    });
  });

  it('takes the fleet keys from the top level as defaults', () => {
    const config = load(
      yaml(
        'strategy: rolling',
        'batch_size: 2',
        'activate: [reload]',
        'healthcheck: { command: "curl -fsS localhost/health" }',
        'environments:',
        '  production:',
        '    hosts: [deploy@web1.example.com]',
        '    deploy_path: /var/www/app',
        '    batch_size: 3',
      ),
    );
    expect(config).toMatchObject({ strategy: 'rolling', batchSize: 3, activate: [{ run: 'reload', once: false }] });
    expect(config.healthcheck).toMatchObject({ command: 'curl -fsS localhost/health', position: at(4, 1) });
  });
});

describe('host labels', () => {
  const hosts = (...entries: string[]) =>
    yaml(
      'environments:',
      '  production:',
      '    deploy_path: /var/www/app',
      '    hosts:',
      ...entries.map((e) => `      - ${e}`),
    );

  it('reads labels of host mappings; string entries and `local` have none', () => {
    const config = load(
      hosts(
        '{ host: a.example.com, user: deploy, labels: [web, "eu-1", v2.0, a_b] }',
        'deploy@b.example.com',
        '{ host: c.example.com, user: deploy }',
        'local',
      ),
    );
    expect(config.hosts.map((h) => h.labels)).toEqual([['web', 'eu-1', 'v2.0', 'a_b'], [], [], []]);
  });

  it('accepts an empty list', () => {
    expect(load(hosts('{ host: a.example.com, user: deploy, labels: [] }')).hosts[0].labels).toEqual([]);
  });

  it.each([
    ['"-web"', 'invalid label "-web": use letters, digits, `.`, `_` and `-`, starting with a letter or digit'],
    ['_web', 'invalid label "_web": use letters, digits, `.`, `_` and `-`, starting with a letter or digit'],
    [
      '"web server"',
      'invalid label "web server": use letters, digits, `.`, `_` and `-`, starting with a letter or digit',
    ],
    ['""', 'invalid label "": use letters, digits, `.`, `_` and `-`, starting with a letter or digit'],
    ['"web/1"', 'invalid label "web/1": use letters, digits, `.`, `_` and `-`, starting with a letter or digit'],
    ['7', 'must be a string (got 7)'],
    ['[web]', 'must be a string (got a list)'],
  ])('refuses the label %s', (label, message) => {
    expect(problem(hosts(`{ host: a.example.com, user: deploy, labels: [${label}] }`))).toMatchObject({
      line: 5,
      column: 55,
      path: `${P}.hosts[0].labels[0]`,
      message,
    });
  });

  it('refuses a label listed twice', () => {
    expect(problem(hosts('{ host: a.example.com, user: deploy, labels: [web, web] }'))).toMatchObject({
      line: 5,
      column: 60,
      path: `${P}.hosts[0].labels[1]`,
      message: 'label `web` is listed twice (also at line 5)',
    });
  });

  it('refuses labels that are not a list', () => {
    expect(problem(hosts('{ host: a.example.com, user: deploy, labels: web }'))).toMatchObject({
      column: 54,
      path: `${P}.hosts[0].labels`,
      message: 'must be a list (got "web")',
    });
  });

  it('refuses labels on `local`', () => {
    expect(problem(hosts('{ host: local, labels: [web] }'))).toMatchObject({
      line: 5,
      column: 24,
      path: `${P}.hosts[0].labels`,
      message: '`local` means this machine and takes no `labels`',
    });
  });

  it('suggests `labels` for a typo', () => {
    expect(problems(hosts('{ host: a.example.com, user: deploy, label: [web] }'))).toEqual([
      expect.objectContaining({ path: `${P}.hosts[0].label`, message: 'unknown key; did you mean `labels`?' }),
    ]);
  });
});

describe('strategy, max_parallel, batch_size', () => {
  it.each(STRATEGIES)('accepts strategy %s', (strategy) => {
    expect(load(env(`strategy: ${strategy}`)).strategy).toBe(strategy);
  });

  it('accepts a batch_size larger than the number of hosts', () => {
    expect(load(env('strategy: rolling', 'batch_size: 50', 'max_parallel: 1'))).toMatchObject({
      batchSize: 50,
      maxParallel: 1,
    });
  });

  it.each([
    ['strategy: canary', 'strategy', 'must be one of `all-at-once`, `rolling` (got "canary")'],
    ['strategy: all_at_once', 'strategy', 'must be one of `all-at-once`, `rolling` (got "all_at_once")'],
    ['strategy: [rolling]', 'strategy', 'must be one of `all-at-once`, `rolling` (got a list)'],
    ['max_parallel: 0', 'max_parallel', 'must be an integer >= 1 (got 0)'],
    ['max_parallel: -3', 'max_parallel', 'must be an integer >= 1 (got -3)'],
    ['max_parallel: 2.5', 'max_parallel', 'must be an integer >= 1 (got 2.5)'],
    ['max_parallel: "10"', 'max_parallel', 'must be an integer >= 1 (got "10")'],
    ['batch_size: 0', 'batch_size', 'must be an integer >= 1 (got 0)'],
    ['batch_size: all', 'batch_size', 'must be an integer >= 1 (got "all")'],
    ['batch_size:', 'batch_size', 'must be an integer >= 1 (got nothing)'],
  ])('%s', (line, path, message) => {
    expect(problem(env(line))).toMatchObject({ line: 5, path: `${P}.${path}`, message });
  });

  it.each([
    ['max_paralel: 3', 'max_parallel'],
    ['maxParallel: 3', 'max_parallel'],
    ['batchsize: 3', 'batch_size'],
    ['stratgy: rolling', 'strategy'],
  ])('suggests the known key for %s', (line, known) => {
    expect(problem(env(line))).toMatchObject({
      line: 5,
      column: 5,
      message: `unknown key; did you mean \`${known}\`?`,
    });
  });
});

describe('hooks', () => {
  it('reads deploy hooks as strings or mappings, `once` defaulting to false', () => {
    const config = load(
      env(
        'deploy:',
        '  - run: migrate',
        '    once: true',
        '  - { run: cache, once: false }',
        '  - { run: warm }',
        '  - plain',
      ),
    );
    expect(config.deploy.map((h) => [h.run, h.once, h.position.line, h.position.column])).toEqual([
      ['migrate', true, 6, 9],
      ['cache', false, 8, 9],
      ['warm', false, 9, 9],
      ['plain', false, 10, 9],
    ]);
  });

  it('reads build and activate hooks as strings or mappings with `run`', () => {
    const config = load(
      env('build: [make, { run: npm ci }]', 'activate: [{ run: "sudo systemctl reload php8.3-fpm" }, reload]'),
    );
    expect(config.build.map((h) => [h.run, h.once])).toEqual([
      ['make', false],
      ['npm ci', false],
    ]);
    expect(config.activate.map((h) => [h.run, h.once])).toEqual([
      ['sudo systemctl reload php8.3-fpm', false],
      ['reload', false],
    ]);
  });

  it.each(['build', 'activate'])('refuses `once` in %s hooks', (key) => {
    expect(problem(env(`${key}:`, '  - run: make', '    once: true'))).toMatchObject({
      line: 7,
      column: 9,
      path: `${P}.${key}[0].once`,
      message: '`once` is only meaningful for deploy hooks',
    });
  });

  it.each(['build', 'deploy', 'activate'])('refuses a %s hook mapping without `run`', (key) => {
    expect(problem(env(`${key}: [{ }]`))).toMatchObject({
      line: 5,
      path: `${P}.${key}[0]`,
      message: 'missing required key `run`',
    });
  });

  it.each([
    ['deploy: [{ run: "" }]', 'deploy[0].run', 'must not be empty'],
    ['deploy: [{ run: "   " }]', 'deploy[0].run', 'must not be empty'],
    ['activate: [""]', 'activate[0]', 'must not be empty'],
    ['deploy: [{ run: 5 }]', 'deploy[0].run', 'must be a string (got 5)'],
    ['deploy: [{ run: [a] }]', 'deploy[0].run', 'must be a string (got a list)'],
    ['deploy: [{ run: }]', 'deploy[0].run', 'must be a string (got nothing)'],
    ['deploy: [{ run: "a\\0b" }]', 'deploy[0].run', 'must not contain NUL characters'],
    [
      'deploy: [{ run: a, once: "yes" }]',
      'deploy[0].once',
      '`yes` matches no host of this environment; its hosts: deploy@web1.example.com (`once: true` runs on the first host)',
    ],
    ['deploy: [{ run: a, once: 1 }]', 'deploy[0].once', 'must be true, false, a host or label=NAME (got 1)'],
    ['deploy: [42]', 'deploy[0]', 'must be a command string or a mapping with `run` (got 42)'],
    ['activate: [true]', 'activate[0]', 'must be a command string or a mapping with `run` (got true)'],
    ['activate: [~]', 'activate[0]', 'must be a command string or a mapping with `run` (got nothing)'],
    ['activate: reload', 'activate', 'must be a list (got "reload")'],
    ['build: [{ run: a, command: b }]', 'build[0].command', 'unknown key'],
  ])('%s', (line, path, message) => {
    expect(problem(env(line))).toMatchObject({ line: 5, path: `${P}.${path}`, message });
  });

  it.each([
    ['deploy', 'onse', 'once'],
    ['deploy', 'Once', 'once'],
    ['deploy', 'runn', 'run'],
    ['deploy', 'rnu', 'run'],
    ['build', 'rum', 'run'],
    ['activate', 'Run', 'run'],
  ])('suggests the known key in %s for %s', (key, typo, known) => {
    const found = problems(env(`${key}: [{ run: a, ${typo}: true }]`)).find((p) => p.message.startsWith('unknown key'));
    expect(found).toMatchObject({
      line: 5,
      path: `${P}.${key}[0].${typo}`,
      message: `unknown key; did you mean \`${known}\`?`,
    });
  });

  it('reports a bad hook in every environment, and in top-level defaults once', () => {
    const text = yaml(
      'deploy: [{ run: a, onse: true }]',
      'environments:',
      '  production: { hosts: [local], deploy_path: /srv/a }',
      '  staging: { hosts: [local], deploy_path: /srv/b, activate: [{ run: b, once: true }] }',
    );
    expect(problems(text).map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
      '1:20 deploy[0].onse',
      '4:72 environments.staging.activate[0].once',
    ]);
  });
});

describe('healthcheck', () => {
  const check = (...lines: string[]) => env('healthcheck:', ...lines.map((l) => `  ${l}`));

  it('reads a URL check with defaults', () => {
    expect(load(check('url: https://{host}/health')).healthcheck).toEqual({
      url: 'https://{host}/health',
      expectStatus: 200,
      timeoutMs: 30_000,
      retries: 5,
      intervalMs: 2000,
      position: at(5, 5),
    });
  });

  it('reads a command check with every setting', () => {
    expect(
      load(check('command: curl -fsS http://localhost/health', 'timeout: 1500ms', 'retries: 0', 'interval: 1m'))
        .healthcheck,
    ).toEqual({
      command: 'curl -fsS http://localhost/health',
      expectStatus: 200,
      timeoutMs: 1500,
      retries: 0,
      intervalMs: 60_000,
      position: at(5, 5),
    });
  });

  it.each([
    ['30s', 30_000],
    ['1500ms', 1500],
    ['2m', 120_000],
    ['45', 45_000],
    ['"45"', 45_000],
    ['10m', 600_000],
    ['600', 600_000],
    ['1ms', 1],
  ])('reads timeout %s', (value, ms) => {
    expect(load(check('url: http://{host}:8080/up', `timeout: ${value}`)).healthcheck?.timeoutMs).toBe(ms);
  });

  it('allows a zero interval and any expect_status from 100 to 599', () => {
    expect(load(check('url: http://example.com/', 'interval: 0', 'expect_status: 599')).healthcheck).toMatchObject({
      intervalMs: 0,
      expectStatus: 599,
    });
    expect(load(check('url: http://example.com/', 'expect_status: 100')).healthcheck?.expectStatus).toBe(100);
  });

  it.each([
    'https://{host}/health',
    'http://{host}:8080/health?from=deploy',
    'https://{host}.example.com/',
    'https://shop.example.com/health?host={host}',
    'http://[::1]:8080/',
  ])('accepts the URL %s', (url) => {
    expect(load(check(`url: "${url}"`)).healthcheck?.url).toBe(url);
  });

  it('refuses both `url` and `command`, at the healthcheck key', () => {
    expect(problem(check('url: https://{host}/', 'command: "true"'))).toMatchObject({
      line: 5,
      column: 5,
      path: `${P}.healthcheck`,
      message: 'takes either `url` (requested from the runner) or `command` (run on the host), not both',
    });
  });

  it('refuses neither `url` nor `command`, at the healthcheck key', () => {
    expect(problem(env('healthcheck: { retries: 3 }'))).toMatchObject({
      line: 5,
      column: 5,
      path: `${P}.healthcheck`,
      message: 'needs `url` (requested from the runner) or `command` (run on the host)',
    });
    expect(problem(env('healthcheck: {}'))).toMatchObject({
      line: 5,
      column: 5,
      path: `${P}.healthcheck`,
      message: expect.stringMatching(/^needs `url`/),
    });
  });

  it('refuses `expect_status` with `command`', () => {
    expect(problem(check('command: "true"', 'expect_status: 200'))).toMatchObject({
      line: 7,
      column: 7,
      path: `${P}.healthcheck.expect_status`,
      message: '`expect_status` is only meaningful with `url`; a `command` passes when it exits 0',
    });
  });

  it.each([
    ['url: ftp://{host}/', 'url', 'must be an http:// or https:// URL, `{host}` allowed (got "ftp://{host}/")'],
    ['url: "{host}/health"', 'url', 'must be an http:// or https:// URL, `{host}` allowed (got "{host}/health")'],
    ['url: "https://"', 'url', 'must be an http:// or https:// URL, `{host}` allowed (got "https://")'],
    [
      'url: "https://{hostname}/health"',
      'url',
      "unknown placeholder `{hostname}`: only `{host}` is replaced (by each host's host name)",
    ],
    [
      'url: "https://{host}/{path}"',
      'url',
      "unknown placeholder `{path}`: only `{host}` is replaced (by each host's host name)",
    ],
    ['url: 8080', 'url', 'must be a string (got 8080)'],
    ['command: ""', 'command', 'must not be empty'],
    ['command: [curl, x]', 'command', 'must be a string (got a list)'],
  ])('%s', (line, path, message) => {
    expect(problem(check(line))).toMatchObject({
      line: 6,
      column: 9 + path.length,
      path: `${P}.healthcheck.${path}`,
      message,
    });
  });

  it.each([
    ['expect_status: 99', 'expect_status', 'must be an integer from 100 to 599 (got 99)'],
    ['expect_status: 600', 'expect_status', 'must be an integer from 100 to 599 (got 600)'],
    ['expect_status: "200"', 'expect_status', 'must be an integer from 100 to 599 (got "200")'],
    ['timeout: 0', 'timeout', 'must be more than 0 and at most 10m (got 0)'],
    ['timeout: 0ms', 'timeout', 'must be more than 0 and at most 10m (got "0ms")'],
    ['timeout: 11m', 'timeout', 'must be more than 0 and at most 10m (got "11m")'],
    ['timeout: 601', 'timeout', 'must be more than 0 and at most 10m (got 601)'],
    ['timeout: 600001ms', 'timeout', 'must be more than 0 and at most 10m (got "600001ms")'],
    ['timeout: 1h', 'timeout', 'must be more than 0 and at most 10m (got "1h")'],
    [
      'timeout: 1.5s',
      'timeout',
      'must be a duration such as `30s`, `1500ms` or `2m` (a bare integer is seconds) (got "1.5s")',
    ],
    [
      'timeout: 1.5',
      'timeout',
      'must be a duration such as `30s`, `1500ms` or `2m` (a bare integer is seconds) (got 1.5)',
    ],
    [
      'timeout: -5',
      'timeout',
      'must be a duration such as `30s`, `1500ms` or `2m` (a bare integer is seconds) (got -5)',
    ],
    [
      'timeout: 30 s',
      'timeout',
      'must be a duration such as `30s`, `1500ms` or `2m` (a bare integer is seconds) (got "30 s")',
    ],
    [
      'timeout: 1m30s',
      'timeout',
      'must be a duration such as `30s`, `1500ms` or `2m` (a bare integer is seconds) (got "1m30s")',
    ],
    [
      'timeout: soon',
      'timeout',
      'must be a duration such as `30s`, `1500ms` or `2m` (a bare integer is seconds) (got "soon")',
    ],
    [
      'timeout:',
      'timeout',
      'must be a duration such as `30s`, `1500ms` or `2m` (a bare integer is seconds) (got nothing)',
    ],
    ['retries: -1', 'retries', 'must be an integer >= 0 (got -1)'],
    ['retries: many', 'retries', 'must be an integer >= 0 (got "many")'],
    ['interval: 11m', 'interval', 'must be at most 10m (got "11m")'],
    [
      'interval: 2 seconds',
      'interval',
      'must be a duration such as `30s`, `1500ms` or `2m` (a bare integer is seconds) (got "2 seconds")',
    ],
  ])('%s', (line, path, message) => {
    expect(problem(check('url: https://{host}/', line))).toMatchObject({
      line: 7,
      path: `${P}.healthcheck.${path}`,
      message,
    });
  });

  it.each([
    ['expected_status', 'expect_status'],
    ['expectStatus', 'expect_status'],
    ['retrys', 'retries'],
    ['retry', undefined],
    ['timout', 'timeout'],
    ['intervall', 'interval'],
    ['cmd', undefined],
    ['uri', 'url'],
  ])('reports the unknown key %s', (typo, known) => {
    expect(problem(check('url: https://{host}/', `${typo}: 1`))).toMatchObject({
      line: 7,
      column: 7,
      path: `${P}.healthcheck.${typo}`,
      message: known ? `unknown key; did you mean \`${known}\`?` : 'unknown key',
    });
  });

  it('refuses a healthcheck that is not a mapping', () => {
    expect(problem(env('healthcheck: https://{host}/'))).toMatchObject({
      line: 5,
      column: 18,
      path: `${P}.healthcheck`,
      message: 'must be a mapping (got "https://{host}/")',
    });
    expect(problem(env('healthcheck:'))).toMatchObject({
      line: 5,
      path: `${P}.healthcheck`,
      message: 'must be a mapping (got nothing)',
    });
  });

  it('reports every problem of a healthcheck, not just the first', () => {
    expect(
      problems(check('url: ftp://x/', 'timeout: 0', 'retries: -1')).map((p) => p.path.slice(P.length + 1)),
    ).toEqual(['healthcheck.url', 'healthcheck.timeout', 'healthcheck.retries']);
  });

  it('names the top-level key in problems of a top-level healthcheck', () => {
    const text = yaml(
      'healthcheck: { command: "true", expect_status: 200 }',
      'environments:',
      '  production: { hosts: [local], deploy_path: /srv/a }',
    );
    expect(problem(text)).toMatchObject({ line: 1, column: 33, path: 'healthcheck.expect_status' });
  });
});
