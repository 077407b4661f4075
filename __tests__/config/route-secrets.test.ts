/**
 * `${NAME}` in `jump` (every hop: user, host, port) and in `proxy_command` (issue 18): checked before anything
 * connects, a missing or empty variable a config error naming file, line and key; values masked, a masked hop
 * shown as `***` in the path the log and the summary print.
 */
import { routeText } from '../../src/config/index.js';
import { load, problem, problems, yaml } from './helpers.js';

const BASTION = 'ops@bastion-4c1e.internal.example.com:2222';

const environment = (...lines: string[]) =>
  yaml('environments:', '  production:', '    user: deploy', '    deploy_path: /srv/app', ...lines);

describe('${NAME} in jump', () => {
  test("the environment's jump from one variable holding user@host:port: expanded, masked, shown as ***", () => {
    const config = load(environment('    jump: ${BASTION}', '    hosts: [web1, web2]'), 'production', { BASTION });
    expect(config.hosts.map((h) => h.jump)).toEqual([
      [{ host: 'bastion-4c1e.internal.example.com', user: 'ops', port: 2222, masked: true }],
      [{ host: 'bastion-4c1e.internal.example.com', user: 'ops', port: 2222, masked: true }],
    ]);
    expect(config.secrets).toEqual(expect.arrayContaining([BASTION, 'bastion-4c1e.internal.example.com']));
    expect(routeText(config.hosts[0]!)).toBe('via ***');
    // The targets themselves are not secret.
    expect(config.hosts.map((h) => h.masked)).toEqual([undefined, undefined]);
  });

  test('each part of a hop, and a hop of a host-level chain; a hop without a user gets the host’s', () => {
    const config = load(
      environment(
        '    hosts:',
        '      - host: web1',
        '        jump: [edge.example.com, "${INNER_USER}@${INNER_HOST}:${INNER_PORT}", "${LAST}"]',
      ),
      'production',
      { INNER_USER: 'jumper', INNER_HOST: '10.1.2.3', INNER_PORT: '2200', LAST: 'inner-b.internal' },
    );
    expect(config.hosts[0]!.jump).toEqual([
      { host: 'edge.example.com', user: 'deploy', port: 22 },
      { host: '10.1.2.3', user: 'jumper', port: 2200, masked: true },
      { host: 'inner-b.internal', user: 'deploy', port: 22, masked: true },
    ]);
    expect(routeText(config.hosts[0]!)).toBe('via deploy@edge.example.com:22, ***, ***');
    expect(config.secrets).toEqual(expect.arrayContaining(['10.1.2.3', 'jumper', 'inner-b.internal']));
  });

  test('an unset variable is a config error naming the line, the key and the variable', () => {
    const found = problem(environment('    hosts: [web1]', '    jump: ${BASTION}'));
    expect(found).toMatchObject({ file: 'deploy.yml', line: 6, path: 'environments.production.jump' });
    expect(found.message).toBe("references ${BASTION}, which is not set in the step's environment");
  });

  test('a hop of a chain: the error names its index; an empty one says so', () => {
    const found = problem(environment('    hosts:', '      - { host: web1, jump: [edge, "${INNER}"] }'), 'production', {
      INNER: ' ',
    });
    expect(found).toMatchObject({ line: 6, path: 'environments.production.hosts[0].jump[1]' });
    expect(found.message).toBe(
      "${INNER} is empty in the step's environment: jump host (`user@host:port`) needs a value",
    );
  });

  test('a value that is no hop is refused without repeating it', () => {
    const found = problem(environment('    hosts: [web1]', '    jump: ${BASTION}'), 'production', {
      BASTION: 'ops@secret-name;rm -rf /',
    });
    expect(found.path).toBe('environments.production.jump');
    expect(found.message).toMatch(/^\$\{BASTION\} \(from the step's environment\) is not a valid jump host/);
    expect(found.message).not.toContain('secret-name');
    expect(problem(environment('    hosts: [web1]', '    jump: ${B}'), 'production', { B: 'local' }).message).toContain(
      'cannot be a jump host',
    );
  });

  test('another environment’s variables need not be set; its references are still checked', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts: [deploy@web1]',
      '    deploy_path: /srv/app',
      '  staging:',
      '    hosts: [deploy@web2]',
      '    deploy_path: /srv/app',
      '    jump: ${STAGING_BASTION}',
      '    proxy_command: ${ACTIONS_RUNTIME_TOKEN}',
    );
    const found = problems(text).map((p) => p.message);
    expect(found).toEqual([
      expect.stringContaining('references ${ACTIONS_RUNTIME_TOKEN}, a variable internal to the GitHub Actions runner'),
    ]);
    expect(load(text.replace(/ {4}proxy_command.*\n/, '')).hosts[0]!.name).toBe('deploy@web1');
  });
});

describe('${NAME} in proxy_command', () => {
  test('kept as written (bash expands it from the same environment), its values masked', () => {
    const config = load(
      environment('    hosts: [web1]', '    proxy_command: cloudflared access ssh --hostname ${CF_HOST} --id %h'),
      'production',
      { CF_HOST: 'ssh.secret-4c1e.example.com' },
    );
    expect(config.hosts[0]!.proxyCommand).toBe('cloudflared access ssh --hostname ${CF_HOST} --id %h');
    expect(config.secrets).toContain('ssh.secret-4c1e.example.com');
    expect(routeText(config.hosts[0]!)).toBe(
      'via proxy command `cloudflared access ssh --hostname ${CF_HOST} --id %h`',
    );
  });

  test('an unset or empty variable is a config error before anything connects, naming the key', () => {
    const text = environment('    hosts:', '      - { host: web1, proxy_command: "nc ${PROXY_HOST} ${PROXY_PORT}" }');
    expect(problem(text, 'production', { PROXY_HOST: 'relay' })).toMatchObject({
      line: 6,
      path: 'environments.production.hosts[0].proxy_command',
      message: "references ${PROXY_PORT}, which is not set in the step's environment",
    });
    expect(problem(text, 'production', { PROXY_HOST: '', PROXY_PORT: '' }).message).toBe(
      "${PROXY_HOST} and ${PROXY_PORT} are empty in the step's environment: proxy_command needs a value",
    );
  });

  test('`$${NAME}` is a literal, not a reference', () => {
    const config = load(environment('    hosts: [web1]', '    proxy_command: echo $${NOT_SET} | nc %h %p'));
    expect(config.hosts[0]!.proxyCommand).toBe('echo $${NOT_SET} | nc %h %p');
  });
});
