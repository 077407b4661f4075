/**
 * Secrets (issue 15, class 6), unit level: the masking rule, runner-internal `${NAME}` refused with file, line and
 * key, `env` not needed by commands that run no hook, and the CLI's output masker.
 */
import { Writable } from 'node:stream';
import { maskOutput, Masker } from '../../src/cli/mask.js';
import { runsHooks } from '../../src/commands/index.js';
import { couldBeSecret, loadConfig, secretPieces } from '../../src/config/index.js';
import { COMMANDS } from '../../src/commands/names.js';
import { env, FILE, load, problem, problems } from './helpers.js';

describe('the masking rule', () => {
  it('masks every value that could be a secret', () => {
    for (const value of ['s3cret', 'abcd', 'null', 'yes-please', '0x1f2e', '12ab', '1e10', 'truely', ' long enough ']) {
      expect([value, couldBeSecret(value)]).toEqual([value, true]);
    }
  });

  it('leaves values that cannot be secrets: under 4 characters, true/false, plain numbers', () => {
    for (const value of [
      '',
      'abc',
      ' ab ',
      'true',
      'FALSE',
      'True',
      '42',
      '8080',
      '-1',
      '+3.14',
      '0.5',
      '.5',
      '10.',
      '9876543210',
    ]) {
      expect([value, couldBeSecret(value)]).toEqual([value, false]);
    }
  });

  it('pieces: the value and each line of it that could be a secret', () => {
    expect(secretPieces(['s3cret', 'true', '42', 'abc'])).toEqual(['s3cret']);
    expect(secretPieces(['-----BEGIN K-----\nline-one\n  true \nab\nline-two\n'])).toEqual([
      '-----BEGIN K-----\nline-one\n  true \nab\nline-two\n',
      '-----BEGIN K-----',
      'line-one',
      'line-two',
    ]);
    expect(secretPieces([' padded-secret '])).toEqual([' padded-secret ', 'padded-secret']);
  });

  it('credentials are masked whatever they are (not blank)', () => {
    expect(secretPieces(['42', 'abc', '', '  '], { credential: true })).toEqual(['42', 'abc']);
  });
});

describe('runner-internal variables in env', () => {
  const internal = (name: string) =>
    new RegExp(`^references \\$\\{${name}\\}, a variable internal to the GitHub Actions runner`);

  it('refuses ${ACTIONS_*} with file, line, column and key, whether set or not', () => {
    const text = env('env:', '  APP_ENV: production', '  TOKEN: "Bearer ${ACTIONS_RUNTIME_TOKEN}"');
    for (const vars of [{}, { ACTIONS_RUNTIME_TOKEN: 'runtime-token' }]) {
      const p = problem(text, 'production', vars);
      expect(p).toMatchObject({ file: FILE, line: 7, column: 14, path: 'environments.production.env.TOKEN' });
      expect(p.message).toMatch(internal('ACTIONS_RUNTIME_TOKEN'));
      expect(p.message).toContain('must never reach a host');
    }
  });

  it('refuses every ACTIONS_* in any case, and INPUT_* (the action’s own inputs)', () => {
    const text = env(
      'env:',
      '  A: "${ACTIONS_ID_TOKEN_REQUEST_TOKEN}"',
      '  B: "${actions_results_url}"',
      '  C: "${INPUT_SSH_PASSPHRASE}"',
    );
    const found = problems(text, 'production', { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x', INPUT_SSH_PASSPHRASE: 'y' });
    expect(found.map((p) => `${p.path}: ${p.message.split(',')[0]}`)).toEqual([
      'environments.production.env.A: references ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}',
      'environments.production.env.B: references ${actions_results_url}',
      'environments.production.env.C: references ${INPUT_SSH_PASSPHRASE}',
    ]);
    expect(found[2]!.message).toContain("one of the action's own inputs");
  });

  it('is checked in every environment and in top-level env, also for a command that runs no hook', () => {
    const text = `env: { T: "\${ACTIONS_RUNTIME_TOKEN}" }\n${env()}  staging:\n    hosts: [local]\n    deploy_path: /srv/s\n    env: { S: "\${ACTIONS_CACHE_URL}" }\n`;
    for (const expandEnv of [true, false]) {
      let thrown: unknown;
      try {
        loadConfig({ file: FILE, environment: 'production', env: {}, text, expandEnv });
      } catch (error) {
        thrown = error;
      }
      const lines = String(thrown).split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^ConfigError: deploy\.yml:1:\d+: env\.T: references \$\{ACTIONS_RUNTIME_TOKEN\}/);
      expect(lines[1]).toMatch(/^deploy\.yml:9:\d+: environments\.staging\.env\.S: references \$\{ACTIONS_CACHE_URL\}/);
    }
  });

  it('lets GitHub context, RUNNER_* and a GITHUB_TOKEN the workflow passed itself through', () => {
    const vars = { GITHUB_SHA: 'abc123', GITHUB_RUN_ID: '4242', RUNNER_OS: 'Linux', GITHUB_TOKEN: 'ghs_token' };
    const config = load(
      env('env: { SHA: "${GITHUB_SHA}", RUN: "${GITHUB_RUN_ID}", OS: "${RUNNER_OS}", GH: "${GITHUB_TOKEN}" }'),
      'production',
      vars,
    );
    expect(config.env).toEqual({ SHA: 'abc123', RUN: '4242', OS: 'Linux', GH: 'ghs_token' });
  });
});

describe('env for commands that run no hook', () => {
  const text = env(
    'env:',
    '  APP_ENV: production',
    '  DB_PASSWORD: "${DB_PASSWORD}"',
    '  DSN: "mysql://app:${DB_PASSWORD}@db/${DB_NAME}"',
  );

  it('runsHooks: deploy, redeploy, rollback, exec, maintenance, stage and switch, never in a dry run', () => {
    const table = Object.fromEntries(COMMANDS.map((c) => [c, [runsHooks(c, false), runsHooks(c, true)]]));
    expect(table).toEqual({
      deploy: [true, false],
      redeploy: [true, false],
      rollback: [true, false],
      exec: [true, false],
      unlock: [false, false],
      releases: [false, false],
      doctor: [false, false],
      maintenance: [true, false],
      stage: [true, false],
      switch: [true, false],
      discard: [false, false],
    });
  });

  it('expandEnv false: loads with ${NAME} unset, keeps no value and no secret, lists what a deploy would refuse', () => {
    const config = loadConfig({
      file: FILE,
      environment: 'production',
      env: { DB_NAME: 'shop' },
      text,
      expandEnv: false,
    });
    expect(config.env).toEqual({});
    expect(config.secrets).toEqual([]);
    expect(config.envSkipped!.unset).toEqual([
      {
        file: FILE,
        line: 7,
        column: 20,
        path: 'environments.production.env.DB_PASSWORD',
        message: "references ${DB_PASSWORD}, which is not set in the step's environment",
      },
      {
        file: FILE,
        line: 8,
        column: 12,
        path: 'environments.production.env.DSN',
        message: "references ${DB_PASSWORD}, which is not set in the step's environment",
      },
    ]);
  });

  it('expandEnv false: keeps no value even when every variable is set', () => {
    const config = loadConfig({
      file: FILE,
      environment: 'production',
      env: { DB_PASSWORD: 'pw', DB_NAME: 'x' },
      text,
      expandEnv: false,
    });
    expect(config).toMatchObject({ env: {}, secrets: [], envSkipped: { unset: [] } });
  });

  it('still reports bad syntax without expanding', () => {
    expect(() =>
      loadConfig({
        file: FILE,
        environment: 'production',
        env: {},
        text: env('env: { A: "${A-B}" }'),
        expandEnv: false,
      }),
    ).toThrow(/env\.A: invalid reference "\$\{A-B\}"/);
  });

  it('by default (commands that run hooks) an unset ${NAME} is an error and values are expanded', () => {
    expect(problems(text, 'production', { DB_NAME: 'shop' }).map((p) => p.path)).toEqual([
      'environments.production.env.DB_PASSWORD',
      'environments.production.env.DSN',
    ]);
    const config = load(text, 'production', { DB_PASSWORD: 'pw-1234', DB_NAME: 'shop' });
    expect(config.env).toEqual({ APP_ENV: 'production', DB_PASSWORD: 'pw-1234', DSN: 'mysql://app:pw-1234@db/shop' });
    expect(config.envSkipped).toBeUndefined();
  });
});

/** A stream that records what reaches it, write by write. */
function sink(): { stream: Writable; writes: string[]; text: () => string } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes.push(chunk.toString());
      cb();
    },
  });
  return { stream, writes, text: () => writes.join('') };
}

describe('the CLI output masker', () => {
  it('writes through untouched until a secret is added, then masks every occurrence', () => {
    const out = sink();
    const mask = maskOutput([out.stream]);
    out.stream.write('before s3cret-value\n');
    mask.add(['s3cret-value', 'true', '42']);
    out.stream.write('APP_KEY=s3cret-value and again s3cret-value; flag=true n=42\n');
    expect(out.text()).toBe('before s3cret-value\nAPP_KEY=*** and again ***; flag=true n=42\n');
  });

  it('holds back a line end that could start a secret until the next write or the flush', () => {
    const out = sink();
    const mask = maskOutput([out.stream]);
    mask.add(['s3cret-value']);
    out.stream.write('split=s3c');
    expect(out.text()).toBe('split=');
    out.stream.write('ret-value;\n');
    expect(out.text()).toBe('split=***;\n');
    out.stream.write('prompt s3cr');
    mask.flush();
    expect(out.text()).toBe('split=***;\nprompt s3cr');
  });

  it('masks a secret split inside a multi-byte character, and each line of a multi-line one', () => {
    const out = sink();
    const mask = maskOutput([out.stream]);
    mask.add(['pässwört-1', '-----BEGIN-----\nkeyline-one\nkeyline-two\n-----END-----']);
    const bytes = Buffer.from('x pässwört-1 y\nkeyline-two\n');
    out.stream.write(bytes.subarray(0, 4));
    out.stream.write(bytes.subarray(4));
    expect(out.text()).toBe('x *** y\n***\n');
  });

  it('calls the write callback also when everything was held back', async () => {
    const out = sink();
    maskOutput([out.stream]).add(['s3cret-value']);
    await new Promise<void>((resolve) => out.stream.write('s3c', () => resolve()));
    expect(out.text()).toBe('');
  });

  it('Masker.mask: the longest secret wins, overlapping pieces are masked once', () => {
    const m = new Masker();
    m.add(['abcdef', 'abcdefgh']);
    expect(m.mask('xabcdefghx abcdefx\n')).toEqual({ out: 'x***x ***x\n', held: '' });
    expect(m.mask('tail abcd')).toEqual({ out: 'tail ', held: 'abcd' });
  });
});
