/** A host's own `env` and `vars`, and where hooks run (`on:`, `once:`): reading, checks across keys, placement. */
import { hookHosts, hostEnv, loadConfig, type HostConfig } from '../../src/config/index.js';
import { checkHookHosts, hookPlaces } from '../../src/commands/hook-targets.js';
import { FILE, load, problem, problems, yaml } from './helpers.js';

const P = 'environments.production';

/** db1 (db), web1 and web2 (web), worker1 (worker), with extra environment lines. */
const fleet = (...extra: string[]) =>
  yaml(
    'environments:',
    '  production:',
    '    user: deploy',
    '    deploy_path: /srv/app',
    '    hosts:',
    '      - { host: db1.example.com, labels: [db] }',
    '      - { host: web1.example.com, labels: [web], vars: { REGION: eu } }',
    '      - { host: web2.example.com, labels: [web, db] }',
    '      - host: worker1.example.com',
    '        labels: [worker]',
    '        vars: { WORKER_ID: 1 }',
    '        env: { QUEUE_PASSWORD: "${QP}", APP_ENV: worker }',
    ...extra.map((l) => `    ${l}`),
  );

const names = (hosts: { name: string }[]) => hosts.map((h) => h.name);

describe('a host’s env and vars', () => {
  test('env over the environment’s (the host wins), vars exported beside it, secrets masked', () => {
    const config = load(fleet('env: { APP_ENV: production, LOG: info }'), 'production', { QP: 's3cret-queue' });
    const [db, web1, , worker] = config.hosts as [HostConfig, HostConfig, HostConfig, HostConfig];
    expect(hostEnv(config, db)).toEqual({ APP_ENV: 'production', LOG: 'info' });
    expect(hostEnv(config, web1)).toEqual({ APP_ENV: 'production', LOG: 'info', REGION: 'eu' });
    expect(hostEnv(config, worker)).toEqual({
      APP_ENV: 'worker',
      LOG: 'info',
      QUEUE_PASSWORD: 's3cret-queue',
      WORKER_ID: '1',
    });
    expect(config.secrets).toContain('s3cret-queue');
  });

  test('a command that runs no hook: the host’s env is not expanded, its unset references are listed', () => {
    const config = loadConfig({ file: FILE, environment: 'production', env: {}, text: fleet(), expandEnv: false });
    expect(config.hosts[3]!.env).toBeUndefined();
    expect(config.hosts[3]!.vars).toEqual({ WORKER_ID: '1' });
    expect(config.envSkipped?.unset.map((p) => [p.line, p.path])).toEqual([[12, `${P}.hosts[3].env.QUEUE_PASSWORD`]]);
  });

  test('an unset variable in a host’s env is a config error of a deploy', () => {
    expect(problem(fleet())).toMatchObject({ line: 12, path: `${P}.hosts[3].env.QUEUE_PASSWORD` });
  });

  test.each([
    [
      'vars: { TOKEN: "${TOKEN}" }',
      'vars.TOKEN',
      /^`vars` are plain values, shown in a dry run's plan: put .* in the host's `env`$/,
    ],
    ['vars: { DEPLOY_X: 1 }', 'vars.DEPLOY_X', /reserved for deploy-action/],
    ['vars: { 1X: 1 }', 'vars.1X', /invalid variable name/],
    ['env: { DEPLOY_PATH: /x }', 'env.DEPLOY_PATH', /reserved for deploy-action/],
    ['env: { A: "${ACTIONS_RUNTIME_TOKEN}" }', 'env.A', /internal to the GitHub Actions runner/],
    ['vars: { A: [1] }', 'vars.A', /must be a string, number or boolean/],
  ])('%s', (entry, path, message) => {
    const text = yaml(
      'environments:',
      '  production:',
      '    deploy_path: /srv/app',
      '    hosts:',
      `      - { host: a.example.com, user: deploy, ${entry} }`,
    );
    expect(problem(text)).toMatchObject({ file: FILE, line: 5, path: `${P}.hosts[0].${path}`, message });
  });

  test('a name in both vars and env (the environment’s or the host’s) is refused', () => {
    const text = fleet('env: { REGION: x }');
    const found = problems(
      text.replace('vars: { WORKER_ID: 1 }', 'vars: { WORKER_ID: 1, QUEUE_PASSWORD: a }'),
      'production',
      { QP: 'q' },
    );
    expect(found.map((p) => [p.line, p.path, p.message])).toEqual([
      [7, `${P}.hosts[1].vars.REGION`, '`REGION` is set in `env` too: give each name in `env` or in `vars`, not both'],
      [
        11,
        `${P}.hosts[3].vars.QUEUE_PASSWORD`,
        '`QUEUE_PASSWORD` is set in `env` too: give each name in `env` or in `vars`, not both',
      ],
    ]);
  });
});

describe('where hooks run', () => {
  const hooks = (...lines: string[]) => load(fleet(...lines), 'production', { QP: 'q' });

  test('`on` (a label, a host, a list, a comma-separated string) and `once` naming where', () => {
    const config = hooks(
      'deploy:',
      '  - { run: migrate, once: label=db }',
      '  - { run: warm, on: label=web }',
      '  - { run: seed, on: [db1.example.com, deploy@worker1.example.com], once: true }',
      '  - { run: every }',
      'activate:',
      '  - { run: restart, on: "label=worker, web1.example.com" }',
    );
    const where = (h: (typeof config.deploy)[number]) => names(hookHosts(h, config.hosts, (x) => x));
    expect(config.deploy.map(where)).toEqual([
      ['deploy@db1.example.com'],
      ['deploy@web1.example.com', 'deploy@web2.example.com'],
      ['deploy@db1.example.com'],
      names(config.hosts),
    ]);
    expect(config.deploy[0]).toMatchObject({ once: true, on: { key: 'once', items: ['label=db'] } });
    expect(config.activate[0]!.on?.items).toEqual(['label=worker', 'web1.example.com']);
    // The hosts of this run (the `hosts` input) decide: `once: label=db` goes to the first db host deployed to.
    expect(names(hookHosts(config.deploy[0]!, config.hosts.slice(1), (x) => x))).toEqual(['deploy@web2.example.com']);
  });

  test('each selector must match a host of the environment: file, line and key', () => {
    expect(problem(fleet('deploy: [{ run: m, once: label=dbs }]'), 'production', { QP: 'q' })).toMatchObject({
      file: FILE,
      line: 13,
      path: `${P}.deploy[0].once`,
      message:
        '`label=dbs` matches no host of this environment; its labels: label=db, label=web, label=worker (`once: true` runs on the first host)',
    });
    expect(problem(fleet('activate: [{ run: r, on: [web3.example.com] }]'), 'production', { QP: 'q' })).toMatchObject({
      line: 13,
      path: `${P}.activate[0].on`,
      message: expect.stringMatching(/^`web3.example.com` matches no host of this environment; its hosts: deploy@db1/),
    });
  });

  test('a top-level hook is checked in every environment that inherits it (labels)', () => {
    const text = yaml(
      'deploy: [{ run: migrate, once: label=db }]',
      'deploy_path: /srv/app',
      'environments:',
      '  production:',
      '    hosts: [{ host: db1.example.com, user: deploy, labels: [db] }]',
      '  staging:',
      '    hosts: [deploy@stage.example.com]',
    );
    expect(problem(text)).toMatchObject({
      line: 1,
      path: 'deploy[0].once',
      message: expect.stringContaining('matches no host of this environment (in environment `staging`)'),
    });
  });

  test.each([
    ['build: [{ run: make, on: label=web }]', 'build[0].on', /only meaningful for deploy and activate hooks/],
    ['activate: [{ run: r, once: label=db }]', 'activate[0].once', /only meaningful for deploy hooks/],
    ['deploy: [{ run: m, on: label=web, once: label=db }]', 'deploy[0].once', /in `on` or in `once`, not both/],
    ['deploy: [{ run: m, on: role=web }]', 'deploy[0].on', /only label=NAME selects by key/],
    ['deploy: [{ run: m, on: [] }]', 'deploy[0].on', /must name at least one host/],
    ['deploy: [{ run: m, on: "label=web,," }]', 'deploy[0].on', /must not be empty/],
    ['deploy: [{ run: m, on: [{ a: 1 }] }]', 'deploy[0].on', /must be a host, label=NAME, or a list of them/],
  ])('%s', (line, path, message) => {
    expect(problem(fleet(line), 'production', { QP: 'q' })).toMatchObject({ line: 13, path: `${P}.${path}`, message });
  });

  test('a `hosts` selection that leaves out every host of a `once` hook fails before connecting; `on` hooks do not', () => {
    const config = hooks(
      'deploy:',
      '  - { run: migrate, name: migrate, once: label=db }',
      '  - { run: w, on: label=web }',
    );
    const only = (...i: number[]) => ({ ...config, hosts: i.map((n) => config.hosts[n]!) });
    expect(() => checkHookHosts(only(0, 3))).not.toThrow();
    expect(() => checkHookHosts(only(3))).toThrow(
      'the deploy hook "migrate" (once: label=db) must run once, on a host that this run leaves out: add label=db to the hosts to deploy to (the `hosts` input or --hosts), or deploy to every host',
    );
    expect(hookPlaces(only(0, 1, 3))).toEqual([
      'deploy hook "migrate" (once: label=db): deploy@db1.example.com',
      'deploy hook "w" (on: label=web): deploy@web1.example.com',
    ]);
  });
});
