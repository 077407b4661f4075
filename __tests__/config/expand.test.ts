import { expandValue } from '../../src/config/expand.js';
import { env, load, problem, problems } from './helpers.js';

describe('expandValue', () => {
  const vars = { DB_PASSWORD: 's3cret', USER: 'shop', EMPTY: '' };

  it('replaces ${NAME} from the given environment', () => {
    expect(expandValue('postgres://${USER}:${DB_PASSWORD}@db/app', vars)).toEqual({
      value: 'postgres://shop:s3cret@db/app',
      secrets: ['postgres://shop:s3cret@db/app', 'shop', 's3cret'],
      problems: [],
    });
  });

  it('leaves text without references alone and records no secret', () => {
    expect(expandValue('plain $HOME and $ and {x}', vars)).toEqual({
      value: 'plain $HOME and $ and {x}',
      secrets: [],
      problems: [],
    });
  });

  it('turns $${NAME} into a literal ${NAME}, not expanded and not a secret', () => {
    expect(expandValue('$${DB_PASSWORD} and $${NOT_SET}', vars)).toEqual({
      value: '${DB_PASSWORD} and ${NOT_SET}',
      secrets: [],
      problems: [],
    });
  });

  it('mixes escapes and references', () => {
    expect(expandValue('$${A}${USER}$${B}', vars).value).toBe('${A}shop${B}');
  });

  it('substitutes an empty value without recording an empty secret', () => {
    expect(expandValue('${EMPTY}', vars)).toEqual({ value: '', secrets: [], problems: [] });
    expect(expandValue('x${EMPTY}', vars)).toEqual({ value: 'x', secrets: ['x'], problems: [] });
  });

  it('reports unset variables', () => {
    expect(expandValue('${NOPE}', vars).problems).toEqual([
      "references ${NOPE}, which is not set in the step's environment",
    ]);
  });

  it('reports malformed references', () => {
    expect(expandValue('${}', vars).problems).toHaveLength(1);
    expect(expandValue('${A-B}', vars).problems[0]).toMatch(/^invalid reference "\$\{A-B\}"/);
    expect(expandValue('${OPEN', vars).problems[0]).toMatch(/^invalid reference/);
  });
});

describe('env in loadConfig', () => {
  it('expands env values and records secrets for masking', () => {
    const config = load(
      env(
        'env:',
        '  DB_PASSWORD: "${DB_PASSWORD}"',
        '  DSN: "mysql://app:${DB_PASSWORD}@db"',
        '  PLAIN: value',
        '  LITERAL: "$${DB_PASSWORD}"',
      ),
      'production',
      {
        DB_PASSWORD: 'hunter2',
      },
    );
    expect(config.env).toEqual({
      DB_PASSWORD: 'hunter2',
      DSN: 'mysql://app:hunter2@db',
      PLAIN: 'value',
      LITERAL: '${DB_PASSWORD}',
    });
    expect(config.secrets).toEqual(['hunter2', 'mysql://app:hunter2@db']);
  });

  it('expands only env values, not commands or other settings', () => {
    const config = load(env('build: ["echo ${HOME}"]', 'url: "https://x.example.com/${HOME}"'), 'production', {
      HOME: '/root',
    });
    expect(config.build[0].run).toBe('echo ${HOME}');
    expect(config.url).toBe('https://x.example.com/${HOME}');
  });

  it('reports an unset variable with the key path and position', () => {
    expect(problem(env('env: { APP_ENV: production, DB_PASSWORD: "${DB_PASSWORD}" }'))).toMatchObject({
      line: 5,
      column: 46,
      path: 'environments.production.env.DB_PASSWORD',
      message: "references ${DB_PASSWORD}, which is not set in the step's environment",
    });
  });

  it('reports every unset variable', () => {
    expect(problems(env('env: { A: "${X}", B: "${Y}${Z}" }')).map((p) => p.message)).toEqual([
      "references ${X}, which is not set in the step's environment",
      "references ${Y}, which is not set in the step's environment",
      "references ${Z}, which is not set in the step's environment",
    ]);
  });

  it('expands only the chosen environment (another may need variables this job lacks)', () => {
    const text = `${env()}  staging:\n    hosts: [local]\n    deploy_path: /var/www/staging\n    env: { KEY: "\${STAGING_KEY}" }\n`;
    expect(load(text, 'production').env).toEqual({});
    expect(problem(text, 'staging').path).toBe('environments.staging.env.KEY');
  });

  it('expands top-level env defaults with a top-level key path', () => {
    const text = `env: { TOKEN: "\${TOKEN}" }\n${env()}`;
    expect(load(text, 'production', { TOKEN: 't0k' })).toMatchObject({ env: { TOKEN: 't0k' }, secrets: ['t0k'] });
    expect(problem(text)).toMatchObject({ line: 1, path: 'env.TOKEN' });
  });
});
