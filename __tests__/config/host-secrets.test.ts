/**
 * Hosts from secrets (issue 18): `${NAME}` in a whole host entry, in `host`, `user`, `port`, `deploy_path`, and in
 * the environment's `user` and `deploy_path`; expanded for the chosen environment only, checked as if written,
 * masked, and never repeated in a message.
 */
import { loadConfig } from '../../src/config/index.js';
import { FILE, load, problem, problems, yaml } from './helpers.js';

const SECRET_HOST = 'deploy@db-7f3a.internal.example.com:2222';

describe('${NAME} in host fields', () => {
  it('expands a whole entry that holds user@host:port, and masks its parts', () => {
    const config = load(
      yaml('environments:', '  production:', '    hosts: ["${DEPLOY_HOST}"]', '    deploy_path: /srv/app'),
      'production',
      { DEPLOY_HOST: SECRET_HOST },
    );
    expect(config.hosts).toEqual([
      expect.objectContaining({
        name: SECRET_HOST,
        host: 'db-7f3a.internal.example.com',
        user: 'deploy',
        port: 2222,
        deployPath: '/srv/app',
        masked: true,
      }),
    ]);
    expect(config.secrets).toEqual(expect.arrayContaining([SECRET_HOST, 'db-7f3a.internal.example.com']));
  });

  it('expands host, user, port and deploy_path of a mapping, and the environment’s user and deploy_path', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    user: ${DEPLOY_USER}',
      '    deploy_path: ${DEPLOY_PATH}',
      '    hosts:',
      '      - host: ${WEB_HOST}',
      '        port: ${WEB_PORT}',
      '        labels: [web]',
      '      - host: worker.example.com',
      '        user: ${WORKER_USER}',
      '        deploy_path: /srv/${APP}',
    );
    const config = load(text, 'production', {
      DEPLOY_USER: 'deploy',
      DEPLOY_PATH: '/srv/shop',
      WEB_HOST: '10.0.1.11',
      WEB_PORT: '2200',
      WORKER_USER: 'jobs',
      APP: 'worker',
    });
    expect(config.hosts.map((h) => [h.name, h.deployPath, h.labels, !!h.masked])).toEqual([
      ['deploy@10.0.1.11:2200', '/srv/shop', ['web'], true],
      ['jobs@worker.example.com', '/srv/worker', [], true],
    ]);
    expect(config.deployPath).toBe('/srv/shop');
    expect(config.secrets).toEqual(expect.arrayContaining(['10.0.1.11', '/srv/shop', 'deploy@10.0.1.11:2200']));
  });

  it('expands hosts even for a command that runs no hook (env is not expanded then)', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: ["${DEPLOY_HOST}"]',
      '    deploy_path: /srv/app',
      '    env: { TOKEN: "${API_TOKEN}" }',
    );
    const config = loadConfig({
      file: FILE,
      environment: 'production',
      env: { DEPLOY_HOST: SECRET_HOST },
      text,
      expandEnv: false,
    });
    expect(config.hosts[0]?.name).toBe(SECRET_HOST);
    expect(config.secrets).toContain(SECRET_HOST);
  });

  it('needs no variable of another environment', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: [deploy@web1.example.com]',
      '    deploy_path: /srv/app',
      '  staging:',
      '    hosts: ["${STAGING_HOST}", { host: "${STAGING_2}", port: "${STAGING_PORT}", user: "${STAGING_USER}" }]',
      '    deploy_path: ${STAGING_PATH}',
    );
    expect(load(text, 'production', {}).hosts.map((h) => h.name)).toEqual(['deploy@web1.example.com']);
  });

  it('a port that is not a number after expansion: file, line, key and variable', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    user: deploy',
      '    deploy_path: /srv/app',
      '    hosts:',
      '      - host: web1.example.com',
      '        port: ${WEB_PORT}',
    );
    const p = problem(text, 'production', { WEB_PORT: 'twenty-two' });
    expect(p).toMatchObject({ file: FILE, line: 7, path: 'environments.production.hosts[0].port' });
    expect(p.message).toMatch(/^\$\{WEB_PORT\} \(from the step's environment\) is not a valid port/);
    expect(p.message).not.toContain('twenty-two');
  });

  it('an empty host: names the variable', () => {
    const text = yaml('environments:', '  production:', '    hosts: ["${DEPLOY_HOST}"]', '    deploy_path: /srv/app');
    const p = problem(text, 'production', { DEPLOY_HOST: '' });
    expect(p).toMatchObject({ file: FILE, line: 3, path: 'environments.production.hosts[0]' });
    expect(p.message).toBe(
      "${DEPLOY_HOST} is empty in the step's environment: host entry (`user@host:port`) needs a value",
    );
  });

  it('an unset variable, a bad host, a bad path: each reported, the value never shown', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    user: deploy',
      '    hosts:',
      '      - "${MISSING_HOST}"',
      '      - host: ${BAD_HOST}',
      '      - "${BAD_ENTRY}"',
      '        ',
      '    deploy_path: ${DEPLOY_PATH}',
    );
    const found = problems(text, 'production', {
      BAD_HOST: 'web one.example.com',
      BAD_ENTRY: 'deploy@secret-host.example.com:99999',
      DEPLOY_PATH: 'srv/secret-path',
    });
    expect(found.map((p) => [p.line, p.path])).toEqual([
      [5, 'environments.production.hosts[0]'],
      [6, 'environments.production.hosts[1].host'],
      [7, 'environments.production.hosts[2]'],
      [9, 'environments.production.deploy_path'],
    ]);
    expect(found[0]?.message).toBe("references ${MISSING_HOST}, which is not set in the step's environment");
    const all = found.map((p) => p.message).join('\n');
    for (const secret of ['web one', 'secret-host', 'secret-path']) expect(all).not.toContain(secret);
  });

  it('refuses a runner-internal variable in a host field of any environment', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: [deploy@web1.example.com]',
      '    deploy_path: /srv/app',
      '  staging:',
      '    hosts: ["${ACTIONS_RUNTIME_TOKEN}"]',
      '    deploy_path: /srv/app',
    );
    const p = problem(text, 'production', {});
    expect(p).toMatchObject({ line: 6, path: 'environments.staging.hosts[0]' });
    expect(p.message).toMatch(/^references \$\{ACTIONS_RUNTIME_TOKEN\}, a variable internal/);
  });

  it('a host from a secret without a user: the message does not name it', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: [{ host: "${DEPLOY_HOST}" }]',
      '    deploy_path: /srv/app',
    );
    const p = problem(text, 'production', { DEPLOY_HOST: 'db-7f3a.internal' });
    expect(p.message).toMatch(/^no user for host `\*\*\*`/);
  });

  it('a duplicate made by expansion is reported without the name', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: [deploy@web1.example.com, "${DEPLOY_HOST}"]',
      '    deploy_path: /srv/app',
    );
    const p = problem(text, 'production', { DEPLOY_HOST: 'deploy@web1.example.com' });
    expect(p.message).toBe('duplicate host `***` (also at line 3)');
  });
});

describe('connect_retries', () => {
  it('defaults to 2; a value of its own reaches every host', () => {
    const base = [
      'environments:',
      '  production:',
      '    hosts: [deploy@web1.example.com]',
      '    deploy_path: /srv/app',
    ];
    expect(load(yaml(...base)).connectRetries).toBe(2);
    const config = load(yaml(...base, '    connect_retries: 0'));
    expect(config.connectRetries).toBe(0);
    expect(config.hosts[0]?.connectRetries).toBe(0);
    expect(problem(yaml(...base, '    connect_retries: 11')).message).toMatch(/must be an integer from 0 to 10/);
  });
});
