/**
 * Issue 15, class 6: secrets stay secret everywhere. `${NAME}` values are masked in every line the CLI writes and
 * announced to the runner by the action (except values that cannot be secrets: `true`, `42`, `abc`); commands that
 * run no hook (releases, unlock, dry runs) need no `${NAME}` of `env`; runner-internal variables never reach a host.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DIST, runAction, type ActionResult } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { hostEntry, makeWorkspace, sshInputs } from '../support/workspace.js';
import { record } from './invariants.js';
import { tempDir } from '../support/temp-dirs.js';

const CLI = resolve(DIST, '../cli/index.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli/index.js ARGS` with a clean environment (no GitHub variables, no agent) plus `env`. */
function cli(args: string[], cwd: string, home: string, env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

let sshd: SshdHandle;
let home: string;
beforeAll(async () => {
  sshd = await startSshd();
  home = tempDir('da-home-');
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(home, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
});
afterAll(async () => {
  await sshd?.stop();
});

const APP_KEY = 's3cret-app-key-9f27';
const CERT = '-----BEGIN TEST CERT-----\nMIIBcertlineone0123\nMIIBcertlinetwo4567\n-----END TEST CERT-----';
const CERT_LINES = CERT.split('\n').slice(1, 3);

function configText(dp: string, o: { env?: string; build?: string[]; deploy?: string[] } = {}): string {
  return `name: shop
environments:
  production:
    hosts: [${hostEntry(sshd)}]
    deploy_path: ${JSON.stringify(dp)}
    env: ${o.env ?? '{}'}
    build: ${JSON.stringify(o.build ?? [])}
    deploy: ${JSON.stringify(o.deploy ?? [])}
`;
}

const leaks = (text: string, secrets: string[]) => secrets.filter((s) => text.includes(s));

describe('secrets: masking', () => {
  test('the CLI masks ${NAME} values in every line it writes (build and host hooks, failure tail), not true or 42', async () => {
    const dp = join(tempDir('da-sec-'), 'app');
    const env = '{ APP_KEY: "${APP_KEY}", CERT: "${CERT}", FLAG: "${CI}", WORKERS: "${N}" }';
    const build = [
      'echo "building with APP_KEY=$APP_KEY"; printf "%s\\n" "$CERT"; echo "flag=$FLAG workers=$WORKERS"',
      // The secret split across two writes of the hook: the first half must not leave the CLI on its own.
      'printf "split=%s" "${APP_KEY:0:7}"; sleep 0.3; printf "%s;\\n" "${APP_KEY:7}"',
    ];
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      configText(dp, { env, build, deploy: ['echo "host has APP_KEY=$APP_KEY"'] }),
    );
    const vars = { APP_KEY, CERT, CI: 'true', N: '42' };
    const args = ['deploy', 'production', '--source', 'app', '-i', sshd.privateKeyPath];
    const ok = await cli(args, ws.dir, home, vars);
    expect({
      code: ok.code,
      leaks: leaks(ok.stdout + ok.stderr, [APP_KEY, ...CERT_LINES, APP_KEY.slice(0, 7)]),
    }).toEqual({ code: 0, leaks: [] });
    expect(ok.stdout).toContain('building with APP_KEY=***');
    expect(ok.stdout).toContain('split=***;');
    expect(ok.stdout).toContain('host has APP_KEY=***');
    expect(ok.stdout).toContain('flag=true workers=42');
    // A multi-line value printed whole is masked whole (each of its lines would be masked on its own too).
    expect(ok.stdout).toMatch(
      /^(\*\*\*|-----BEGIN TEST CERT-----\n\*\*\*\n\*\*\*\n-----END TEST CERT-----)\nflag=true/m,
    );

    writeFileSync(ws.config, configText(dp, { env, deploy: ['echo "failing with $APP_KEY" >&2; exit 3'] }));
    const failed = await cli(args, ws.dir, home, vars);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('failing with ***');
    expect(leaks(failed.stdout + failed.stderr, [APP_KEY, ...CERT_LINES])).toEqual([]);
    record({ invariants: '------', note: 'CLI: build, host and failure-tail lines masked; true/42 shown' });
  });

  test('the action announces ${NAME} values with ::add-mask::, but not true, 42 or a value under 4 characters', async () => {
    const dp = join(tempDir('da-sec-'), 'app');
    const env =
      '{ APP_KEY: "${APP_KEY}", FLAG: "${CI}", WORKERS: "${N}", SHORT: "${S}", DSN: "mysql://app:${APP_KEY}@db" }';
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      configText(dp, { env, deploy: ['echo "flag=$FLAG workers=$WORKERS"'] }),
    );
    const r = await runAction({
      inputs: sshInputs(sshd),
      workspace: ws.dir,
      env: { APP_KEY, CI: 'true', N: '42', S: 'abc' },
    });
    expect(r.code).toBe(0);
    const masks = r.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
    expect(masks).toContain(`::add-mask::${APP_KEY}`);
    expect(masks).toContain(`::add-mask::mysql://app:${APP_KEY}@db`);
    expect(masks.filter((l) => /^::add-mask::(true|42|abc)$/.test(l))).toEqual([]);
    expect(r.stdout).toContain('flag=true workers=42');
    record({ invariants: '------', note: `${masks.length} masks; none for true, 42, abc` });
  });
});

describe('secrets: commands that run no hook need no env', () => {
  test('releases, unlock and a dry run succeed with a ${NAME} of env unset (action and CLI); deploy refuses', async () => {
    const dp = join(tempDir('da-sec-'), 'app');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      configText(dp, { env: '{ DB_PASSWORD: "${DB_PASSWORD}" }', deploy: ['test -n "$DB_PASSWORD"'] }),
    );
    // Two releases, so that a rollback has a target.
    for (const version of ['v1', 'v2']) {
      ws.write('VERSION', `${version}\n`);
      const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DB_PASSWORD: 'pw-for-the-db' } });
      expect(r.code).toBe(0);
    }
    const live = readlinkSync(join(dp, 'current'));
    const action = (extra: Record<string, string>) => runAction({ inputs: sshInputs(sshd, extra), workspace: ws.dir });
    const viaCli = (...args: string[]) => cli([...args, '--source', 'app', '-i', sshd.privateKeyPath], ws.dir, home);
    const results: Record<string, ActionResult | CliResult> = {
      'action releases': await action({ command: 'releases' }),
      'action unlock': await action({ command: 'unlock' }),
      'action deploy dry run': await action({ 'dry-run': 'true' }),
      'action rollback dry run': await action({ command: 'rollback', 'dry-run': 'true' }),
      'cli releases': await viaCli('releases', 'production'),
      'cli unlock': await viaCli('unlock', 'production'),
      'cli deploy dry run': await viaCli('deploy', 'production', '--dry-run'),
    };
    const failed = Object.entries(results)
      .filter(([, r]) => r.code !== 0)
      .map(([name, r]) => `${name}: ${(r.stdout + r.stderr).slice(-400)}`);
    expect(failed).toEqual([]);
    // The dry run says what a real deploy would refuse.
    expect(results['cli deploy dry run']!.stderr).toMatch(
      /warning: .*env\.DB_PASSWORD: references \$\{DB_PASSWORD\}, which is not set/,
    );

    const deploy = await action({});
    expect(deploy.code).toBe(1);
    expect(deploy.stdout).toMatch(
      /::error [^\n]*file=deploy\.yml,line=6.*env\.DB_PASSWORD: references \$\{DB_PASSWORD\}, which is not set/,
    );
    const cliDeploy = await viaCli('deploy', 'production');
    expect(cliDeploy.code).toBe(1);
    expect(cliDeploy.stderr).toMatch(
      /^error: deploy\.yml:6:\d+: environments\.production\.env\.DB_PASSWORD: references \$\{DB_PASSWORD\}/m,
    );
    expect(readlinkSync(join(dp, 'current'))).toBe(live);
    expect(readdirSync(join(dp, 'releases'))).toHaveLength(2);
    record({ invariants: '------', note: `${Object.keys(results).length} runs without env; deploy refused` });
  });
});

describe('secrets: runner-internal variables', () => {
  test('${ACTIONS_RUNTIME_TOKEN} and ${ACTIONS_ID_TOKEN_REQUEST_TOKEN} in env are config errors before any host is reached', async () => {
    const dp = join(tempDir('da-sec-'), 'app');
    const env =
      '{ TOKEN: "${ACTIONS_RUNTIME_TOKEN}", OIDC: "x-${ACTIONS_ID_TOKEN_REQUEST_TOKEN}", SHA: "${GITHUB_SHA}" }';
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      configText(dp, { env, deploy: ['echo "$TOKEN $OIDC" > leaked-token'] }),
    );
    const runner = {
      ACTIONS_RUNTIME_TOKEN: 'runtime-token-abcdef',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token-abcdef',
    };
    const connections = sshd.connections();
    const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: runner });
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors.join('\n')).toMatch(
      /deploy\.yml,line=6.*env\.TOKEN: references \$\{ACTIONS_RUNTIME_TOKEN\}, a variable internal to the GitHub Actions runner/,
    );
    expect(errors.join('\n')).toMatch(/env\.OIDC: references \$\{ACTIONS_ID_TOKEN_REQUEST_TOKEN\}/);
    expect(errors.join('\n')).not.toMatch(/GITHUB_SHA/);
    const viaCli = await cli(['unlock', 'production', '-i', sshd.privateKeyPath], ws.dir, home, runner);
    expect(viaCli.code).toBe(1);
    expect(viaCli.stderr).toMatch(
      /^error: deploy\.yml:6:\d+: environments\.production\.env\.TOKEN: references \$\{ACTIONS_RUNTIME_TOKEN\}/m,
    );
    expect(sshd.connections()).toBe(connections);
    record({ invariants: '------', note: 'refused before connecting, in the action and the CLI' });
  });
});
