/**
 * Hostile input and secrets: injection canaries in every string field, refused deploy paths, secrets kept out of
 * every artifact, and host keys (unknown, changed, a different type than pinned) refused before authentication.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { runAction, type ActionResult } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { makeWorkspace } from '../support/workspace.js';
import { checkInvariants, history, record, snapshot } from './invariants.js';
import { tempDir } from '../support/temp-dirs.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd({ passphrase: 'open sesame; $(touch nope)' });
});
afterAll(async () => {
  await sshd?.stop();
});

const CANARY = `pwned-${process.pid}`;
const PAYLOADS: Record<string, string> = {
  semicolon: `x;touch ${CANARY}-semi;`,
  subst: `$(touch ${CANARY}-subst)`,
  backticks: `\`touch ${CANARY}-tick\``,
  'single quote': `'; touch ${CANARY}-sq; '`,
  'double quote': `"; touch ${CANARY}-dq; "`,
  newline: `a\ntouch ${CANARY}-nl`,
  'dot-dot': '../../escape',
  'leading dash': '-rf',
};

/**
 * The canary files of this process's payloads under `dirs` (6 levels). Each case looks where its payload would
 * land (the deploy path's parent, the workspace, the login's home); the last case of the file looks once under
 * / and the temp dir for any payload's canary: that walk takes ~10 s on a machine whose temp dir holds the
 * suite's leftovers, so it runs once per file, not once per case.
 */
function canaries(dirs: string[], skip: string[] = []): string[] {
  const found: string[] = [];
  const pruned = skip.flatMap((s) => ['-path', s, '-prune', '-o']);
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    // find exits non-zero when other tests delete directories under it mid-walk: its output is what counts.
    const out = spawnSync('find', [d, '-xdev', '-maxdepth', '6', ...pruned, '-name', `${CANARY}*`, '-print'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .stdout.toString()
      .trim();
    if (out) found.push(...out.split('\n'));
  }
  return found;
}

const hostLine = () => `{ host: ${sshd.host}, user: ${sshd.user}, port: ${sshd.port} }`;
const inputs = (extra: Record<string, string> = {}) => ({
  environment: 'production',
  config: 'deploy.yml',
  source: 'app',
  'ssh-private-key': sshd.privateKey,
  'ssh-passphrase': sshd.passphrase!,
  'known-hosts': sshd.knownHostsLine,
  ...extra,
});
const errors = (r: ActionResult) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));

describe('injection canaries', () => {
  test('host, user and release-name with shell payloads are refused before anything runs', async () => {
    const ws = makeWorkspace({ VERSION: 'v1\n' }, '');
    const dp = join(tempDir('da-inj-'), 'app');
    const refused: string[] = [];
    for (const [what, p] of Object.entries(PAYLOADS)) {
      for (const field of ['host', 'user'] as const) {
        const entry =
          field === 'host'
            ? `{ host: ${JSON.stringify(p)}, user: deploy }`
            : `{ host: 127.0.0.1, user: ${JSON.stringify(p)} }`;
        const text = `environments:\n  production:\n    hosts: [${entry}]\n    deploy_path: ${JSON.stringify(dp)}\n`;
        try {
          loadConfig({ file: 'deploy.yml', environment: 'production', text });
          throw new Error(`${field} ${what} (${JSON.stringify(p)}) was accepted`);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          expect(e.problems[0]!.path).toMatch(new RegExp(`${field}$|hosts`));
          refused.push(`${field}:${what}`);
        }
      }
    }
    // release-name goes through the action: refused with a message naming the input, nothing connects.
    writeFileSync(
      ws.config,
      `environments:\n  production:\n    hosts: [${hostLine()}]\n    deploy_path: ${JSON.stringify(dp)}\n`,
    );
    const connections = sshd.connections();
    for (const p of Object.values(PAYLOADS)) {
      const r = await runAction({ inputs: inputs({ 'release-name': p }), workspace: ws.dir });
      expect(r.code).toBe(1);
      expect(errors(r).join('\n')).toMatch(/release-name: .* is not a valid release name/);
    }
    const connected = sshd.connections() - connections;
    record({
      invariants: '------',
      note: `${refused.length} host/user payloads refused by the config; release-name refused, ${connected} connections`,
    });
    expect(connected).toBe(0);
    expect(canaries([ws.dir, process.env['HOME'] ?? '/root'])).toEqual([]);
    expect(existsSync(dp)).toBe(false);
  });

  test.each(Object.entries(PAYLOADS))(
    '%s in deploy_path, shared/writable/clear entries and env values: data, never code',
    async (_what, p) => {
      const parent = tempDir('da-inj-');
      const dp = `${parent}/app ${p.replace(/\.\.\//g, '')}`;
      const rel = (prefix: string) => `${prefix}${p.replace(/\n/g, ' ')}`;
      const entries = {
        shared_dirs: [rel('sd')],
        shared_files: [rel('sf')],
        writable_dirs: [rel('wd')],
        clear_paths: [rel('cp')],
      };
      const lines = Object.entries(entries).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`);
      const text = `environments:
  production:
    hosts: [${hostLine()}]
    deploy_path: ${JSON.stringify(dp)}
${lines.join('\n')}
    writable_mode: chmod
    env: { PAYLOAD: ${JSON.stringify(p)} }
    deploy:
      - printf '%s' "$PAYLOAD" > payload.out
`;
      const ws = makeWorkspace({ VERSION: 'v1\n' }, text);
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig({ file: ws.config, environment: 'production', text });
      } catch (e) {
        // Refusing a payload is fine (`..` segments, a path that is not normalised); crashing is not.
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).problems.every((x) => x.line >= 1)).toBe(true);
        record({
          invariants: '------',
          note: `refused by the config: ${(e as ConfigError).problems.map((x) => x.path).join(', ')}`,
        });
        expect(canaries([parent, ws.dir])).toEqual([]);
        return;
      }
      const before = snapshot(dp);
      const r = await runAction({ inputs: inputs(), workspace: ws.dir });
      expect({ code: r.code, errors: errors(r) }).toEqual({ code: 0, errors: [] });
      expect(config.deployPath).toBe(dp);
      // The value reached the hook byte for byte; nothing was executed; nothing was written beside the deploy path.
      expect(readFileSync(join(dp, 'current/payload.out'), 'utf8')).toBe(p);
      expect(canaries([parent, ws.dir, process.env['HOME'] ?? '/root'])).toEqual([]);
      expect(readdirSync(parent)).toEqual([dp.slice(parent.length + 1)]);
      for (const [k, v] of Object.entries(entries)) {
        const path = join(dp, k === 'shared_dirs' || k === 'shared_files' ? 'shared' : 'current', v[0]!);
        if (k !== 'clear_paths') expect({ k, exists: existsSync(path) }).toEqual({ k, exists: true });
      }
      record({ invariants: '------', note: 'deployed; the payload stayed data' });
      await checkInvariants({
        hosts: [{ name: `${sshd.user}@${sshd.host}:${sshd.port}`, deployPath: dp, before }],
        result: r,
        hooksWriteShared: true,
        nextDeploy: () => runAction({ inputs: inputs(), workspace: ws.dir }),
      });
    },
  );

  test('no payload left a canary anywhere: / and the temp dir, after every case above', () => {
    // Canary names say which payload ran (`-semi`, `-subst`, ...), so one walk still names the case that leaked.
    // The temp dir once (it is on the same device as / here: the walk of / leaves it out).
    expect([...canaries([tmpdir()]), ...canaries(['/'], [tmpdir()])]).toEqual([]);
  }, 300_000);
});

describe('deploy_path refusals', () => {
  test('/, system directories, home roots and paths with .. are refused by the config and through the action', async () => {
    const bad = [
      '/',
      '/etc',
      '/etc/app',
      '/root',
      '/home',
      '/home/deploy',
      '/usr',
      '/var',
      '/srv/app/..',
      '/srv/../etc',
      '/srv//app',
      '/srv/app/',
      'relative/path',
      '~/app',
      '/proc/self',
    ];
    for (const dp of bad) {
      const text = `environments:\n  production:\n    hosts: [${hostLine()}]\n    deploy_path: ${JSON.stringify(dp)}\n`;
      let err: unknown;
      try {
        loadConfig({ file: 'deploy.yml', environment: 'production', text });
      } catch (e) {
        err = e;
      }
      expect({ dp, refused: err instanceof ConfigError }).toEqual({ dp, refused: true });
      expect((err as ConfigError).problems[0]!.path).toMatch(/deploy_path$/);
    }
    // Also per host, and through the action: nothing connects.
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      `environments:\n  production:\n    hosts: [{ host: ${sshd.host}, user: ${sshd.user}, port: ${sshd.port}, deploy_path: /etc }]\n    deploy_path: /srv/ok\n`,
    );
    const connections = sshd.connections();
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(r.code).toBe(1);
    expect(errors(r).join('\n')).toMatch(/deploy_path/);
    expect(sshd.connections()).toBe(connections);
    record({ invariants: '------', note: `${bad.length} paths refused` });
  });
});

describe('secrets', () => {
  test('the private key, its passphrase and ${...} env values appear in no log line, summary, output or history', async () => {
    const SECRET = 'tr0ub4dor&3-$ecret';
    const PIECE = 'hunter2-piece';
    const dp = join(tempDir('da-sec-'), 'app');
    const config = (hook: string) => `environments:
  production:
    hosts: [${hostLine()}]
    deploy_path: ${dp}
    env: { DB_PASSWORD: "\${DB_PASSWORD}", DSN: "mysql://app:\${DB_PIECE}@db/app" }
    deploy:
      - ${JSON.stringify(hook)}
`;
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config('test -n "$DB_PASSWORD" && test -n "$DSN"'));
    const env = { DB_PASSWORD: SECRET, DB_PIECE: PIECE };
    const ok = await runAction({ inputs: inputs(), workspace: ws.dir, env });
    expect(ok.code).toBe(0);
    writeFileSync(ws.config, config('echo "connecting"; exit 9'));
    const failed = await runAction({ inputs: inputs(), workspace: ws.dir, env });
    expect(failed.code).toBe(1);
    const keyLines = sshd.privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    const secrets = [SECRET, PIECE, `mysql://app:${PIECE}@db/app`, sshd.passphrase!, ...keyLines];
    for (const r of [ok, failed]) {
      const log = r.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n');
      for (const s of [SECRET, PIECE, sshd.passphrase!]) expect(r.stdout).toContain(`::add-mask::${s}`);
      for (const text of [
        log,
        r.stderr,
        r.summary,
        readFileSync(r.files.output, 'utf8'),
        readFileSync(join(dp, '.deploy/history.jsonl'), 'utf8'),
      ]) {
        for (const s of secrets) expect(text.includes(s) ? s : '').toBe('');
      }
    }
    expect(history(dp).length).toBeGreaterThan(0);
    record({
      invariants: '------',
      note: `${secrets.length} secret strings checked in stdout, stderr, summary, outputs, history`,
    });
  });
});

describe('host keys', () => {
  const otherKeyLine = (host: string, port: number, type: 'ed25519' | 'rsa') =>
    execFileSync('bash', [
      '-c',
      `d=$(mktemp -d); ssh-keygen -q -t ${type} -N '' -f $d/k; echo "[${host}]:${port} $(cut -d' ' -f1,2 $d/k.pub)"; rm -rf $d`,
    ])
      .toString()
      .trim();

  test('unknown, changed, and a server offering another key type than the pinned one: refused before authentication', async () => {
    const rsa = await startSshd({ hostKeyType: 'rsa' });
    try {
      const cases = [
        { name: 'unknown', server: sshd, knownHosts: '', expect: /not listed|unknown/i },
        { name: 'changed', server: sshd, knownHosts: otherKeyLine(sshd.host, sshd.port, 'ed25519'), expect: /CHANGED/ },
        {
          name: 'rsa offered, ed25519 pinned',
          server: rsa,
          knownHosts: otherKeyLine(rsa.host, rsa.port, 'ed25519'),
          expect: /none of the host key types pinned|CHANGED/,
        },
      ];
      for (const c of cases) {
        const dp = join(tempDir('da-hk-'), 'app');
        const host = `{ host: ${c.server.host}, user: ${c.server.user}, port: ${c.server.port} }`;
        const ws = makeWorkspace(
          { VERSION: 'v1\n' },
          `environments:\n  production:\n    hosts: [${host}]\n    deploy_path: ${dp}\n`,
        );
        const logBefore = c.server.log().length;
        const r = await runAction({
          inputs: {
            ...inputs({ 'known-hosts': c.knownHosts }),
            'ssh-private-key': c.server.privateKey,
            'ssh-passphrase': c.server.passphrase ?? '',
          },
          workspace: ws.dir,
        });
        expect({ case: c.name, code: r.code }).toEqual({ case: c.name, code: 1 });
        expect(errors(r).join('\n')).toMatch(c.expect);
        expect(errors(r).join('\n')).toContain(`${c.server.host}:${c.server.port}`);
        const log = c.server.log().slice(logBefore);
        expect({ case: c.name, auth: /userauth-request|Accepted publickey|Failed publickey/.test(log) }).toEqual({
          case: c.name,
          auth: false,
        });
        expect(existsSync(dp)).toBe(false);
      }
      record({ invariants: '------', note: `${cases.length} cases refused before userauth` });
    } finally {
      await rsa.stop();
    }
  });
});
