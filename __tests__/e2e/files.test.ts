/**
 * Secret files (`files:`) through dist/index.js against a real sshd: written with their mode and content before the
 * deploy hooks, masked in every output, left alone when unchanged (mtime kept), put back by a failed or cancelled
 * deploy, never written through a symlink, refused before connecting when a variable is missing or a file would be
 * empty; and `require_shared_files`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  writeFileSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { runAction, runPost, startAction, type ActionResult } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { awkwardDeployPath, hostEntry, makeWorkspace, sshInputs } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

const APP_KEY = 'base64:c2VjcmV0LWFwcC1rZXktMTIzNDU2';
const DB_PASSWORD = 'pa$$w0rd-"quoted"-\'single\'-`tick`';
const CREDS = '{"type":"service_account","private_key":"-----BEGIN KEY-----\\nMIIEv\\n-----END KEY-----"}';
const SECRETS = { APP_KEY, DB_PASSWORD, GCP_CREDENTIALS_JSON: CREDS };

const SLOW = `sleep 38.${process.pid}`;

function config(dp: string, o: { hook?: string; extra?: string; files?: string } = {}): string {
  return `name: shop
environments:
  production:
    hosts: [${hostEntry(sshd)}]
    deploy_path: ${JSON.stringify(dp)}
${o.extra ?? ''}    files:
${
  o.files ??
  `      - path: .env
        content: |
          APP_KEY=\${APP_KEY}
          DB_PASSWORD=\${DB_PASSWORD}
      - path: config/credentials.json
        from_env: GCP_CREDENTIALS_JSON
        mode: "0640"
        release: true
`
}    deploy:
      - ${JSON.stringify(o.hook ?? 'test -s .env && test -s config/credentials.json')}
`;
}

const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');

/** The log as the runner shows it: every line but the masking commands themselves (which it consumes). */
const shown = (r: ActionResult) =>
  r.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

/** Every file under `dir`, as text, joined (the host's .deploy/ metadata). */
function treeText(dir: string): string {
  if (!existsSync(dir)) return '';
  return execFileSync('find', [dir, '-type', 'f', '-exec', 'cat', '{}', '+'], { encoding: 'latin1' });
}

function expectNoSecret(r: ActionResult, dp: string): void {
  for (const secret of [APP_KEY, DB_PASSWORD, CREDS]) {
    expect(shown(r)).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
    expect(readFileSync(r.files.output, 'utf8')).not.toContain(secret);
    expect(r.summary).not.toContain(secret);
    expect(treeText(join(dp, '.deploy'))).not.toContain(secret);
  }
}

const ENV_FILE = `APP_KEY=${APP_KEY}\nDB_PASSWORD=${DB_PASSWORD}\n`;

describe('secret files', () => {
  test('written with their mode and content, linked, masked everywhere; unchanged ones left alone', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: SECRETS });
    expect([r.code, r.stderr, r.code ? shown(r).slice(-3000) : '']).toEqual([0, '', '']);
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toBe(ENV_FILE);
    expect(mode(join(dp, 'shared/.env'))).toBe('0600');
    expect(lstatSync(join(dp, 'current/.env')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dp, 'current/.env'), 'utf8')).toBe(ENV_FILE);
    expect(readFileSync(join(dp, 'current/config/credentials.json'), 'utf8')).toBe(CREDS);
    expect(mode(join(dp, 'current/config/credentials.json'))).toBe('0640');
    expect(shown(r)).toContain('files: .env created, config/credentials.json created');
    expect(r.summary).toContain('files: .env created, config/credentials.json created');
    expect(r.stdout).toContain(`::add-mask::${APP_KEY}`);
    expect(r.stdout).toContain(`::add-mask::${CREDS}`);
    expectNoSecret(r, dp);
    // No temporary file or copy is left beside the files or in .deploy/.
    expect(readdirSync(join(dp, 'shared'))).toEqual(['.env']);
    expect(readdirSync(join(dp, '.deploy')).filter((n) => n.startsWith('tmp.'))).toEqual([]);

    // The same content again: the file is not rewritten (its mtime stays), the summary says so.
    utimesSync(join(dp, 'shared/.env'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
    ws.write('VERSION', 'v2\n');
    const again = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: SECRETS });
    expect(again.code).toBe(0);
    expect(statSync(join(dp, 'shared/.env')).mtime.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(again.summary).toContain('files: .env unchanged, config/credentials.json created');
    expectNoSecret(again, dp);

    // A changed secret: rewritten, atomically, mode kept.
    const changed = await runAction({
      inputs: sshInputs(sshd),
      workspace: ws.dir,
      env: { ...SECRETS, APP_KEY: 'base64:bmV3LWtleS1hZnRlci1yb3RhdGlvbg' },
    });
    expect(changed.code).toBe(0);
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toContain('APP_KEY=base64:bmV3LWtleS1hZnRlci1yb3RhdGlvbg\n');
    expect(mode(join(dp, 'shared/.env'))).toBe('0600');
    expect(changed.summary).toContain('files: .env changed');
  });

  test('a failed deploy puts back the previous .env and removes a file it created', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    expect((await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: SECRETS })).code).toBe(0);
    utimesSync(join(dp, 'shared/.env'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
    const files = `      - path: .env
        content: "APP_KEY=\${APP_KEY}\\n"
      - path: extra/new.txt
        from_env: DB_PASSWORD
`;
    ws.write('../deploy.yml', config(dp, { files, hook: 'grep -q NEW .env && test -s extra/new.txt && exit 3' }));
    const r = await runAction({
      inputs: sshInputs(sshd),
      workspace: ws.dir,
      env: { ...SECRETS, APP_KEY: 'NEW-key-that-fails' },
    });
    expect(r.code).not.toBe(0);
    expect(shown(r)).toContain('put back the previous shared/.env');
    expect(shown(r)).toContain('removed shared/extra/new.txt, created by this run');
    expect(shown(r)).not.toContain('put back the previous shared/extra/new.txt');
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toBe(ENV_FILE);
    expect(mode(join(dp, 'shared/.env'))).toBe('0600');
    expect(statSync(join(dp, 'shared/.env')).mtime.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(existsSync(join(dp, 'shared/extra/new.txt'))).toBe(false);
    expect(readdirSync(join(dp, '.deploy')).filter((n) => n.startsWith('tmp.'))).toEqual([]);
    expectNoSecret(r, dp);
  });

  test('a deploy cancelled with SIGTERM puts back the previous .env', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    expect((await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: SECRETS })).code).toBe(0);
    ws.write('../deploy.yml', config(dp, { hook: SLOW }));
    const run = startAction({
      inputs: sshInputs(sshd),
      workspace: ws.dir,
      env: { ...SECRETS, DB_PASSWORD: 'rotated-password-9876' },
    });
    await run.waitFor(`▶ ${SLOW}`);
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toContain('rotated-password-9876');
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).not.toBe(0);
    expect(r.state['remote']).toBe('done');
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toBe(ENV_FILE);
    expect(mode(join(dp, 'shared/.env'))).toBe('0600');
  });

  test('a runner killed mid-hook: the post step puts back the previous .env', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    expect((await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: SECRETS })).code).toBe(0);
    ws.write('../deploy.yml', config(dp, { hook: SLOW }));
    const env = { ...SECRETS, DB_PASSWORD: 'rotated-password-5432' };
    const run = startAction({ inputs: sshInputs(sshd), workspace: ws.dir, env });
    await run.waitFor(`▶ ${SLOW}`);
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toContain('rotated-password-5432');
    const post = await runPost(killed, { inputs: sshInputs(sshd), workspace: ws.dir, env });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('every host has undone what this run left unfinished');
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toBe(ENV_FILE);
    expect(readdirSync(join(dp, '.deploy')).filter((n) => n.startsWith('tmp.'))).toEqual([]);
  });

  test("unlock after the run died on the host too: the holder's undo puts back the previous .env", async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    expect((await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: SECRETS })).code).toBe(0);
    ws.write('../deploy.yml', config(dp, { hook: SLOW }));
    const env = { ...SECRETS, DB_PASSWORD: 'rotated-password-1111' };
    const run = startAction({ inputs: sshInputs(sshd), workspace: ws.dir, env });
    await run.waitFor(`▶ ${SLOW}`);
    // The session dies on the host without its abort path (a host-side kill), then the runner goes.
    const pid = Number(/"pid":(\d+)/.exec(readFileSync(join(dp, '.deploy/lock/info.json'), 'utf8'))![1]);
    execFileSync('pkill', ['-KILL', '-s', String(pid)]);
    run.child.kill('SIGKILL');
    await run.done;
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toContain('rotated-password-1111');
    const r = await runAction({ inputs: sshInputs(sshd, { command: 'unlock' }), workspace: ws.dir, env });
    expect(r.code).toBe(0);
    expect(shown(r)).toContain('put back the previous shared/.env');
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toBe(ENV_FILE);
  });

  test('a path through a symlink out of deploy_path is refused; nothing is written outside', async () => {
    const dp = awkwardDeployPath();
    const victim = tempDir('da-victim-');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    expect((await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: SECRETS })).code).toBe(0);
    // shared/config planted as a link to a directory outside the deploy path.
    symlinkSync(victim, join(dp, 'shared/config'));
    const files = `      - path: config/credentials.json
        from_env: GCP_CREDENTIALS_JSON
`;
    ws.write('../deploy.yml', config(dp, { files }));
    const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: SECRETS });
    expect(r.code).not.toBe(0);
    expect(shown(r)).toMatch(/shared\/config is a symlink to .*da-victim-/);
    expect(readdirSync(victim)).toEqual([]);

    // A release file below a directory the build ships as a link to outside: refused too.
    const ws2 = makeWorkspace({ VERSION: 'v1\n' }, config(dp, { files: `${files}        release: true\n` }));
    symlinkSync(victim, join(ws2.app, 'config'));
    const r2 = await runAction({ inputs: sshInputs(sshd), workspace: ws2.dir, env: SECRETS });
    expect(r2.code).not.toBe(0);
    expect(shown(r2)).toMatch(/files: config\/credentials\.json: releases\/\d+(-\d+)?\/config is a symlink/);
    expect(readdirSync(victim)).toEqual([]);
    expectNoSecret(r2, dp);
  });

  test('a missing variable or an empty file is a config error before anything connects', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const missing = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { APP_KEY, DB_PASSWORD } });
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toMatch(
      /file=deploy\.yml,line=12,col=\d+::environments\.production\.files\[1\]\.from_env: references \$\{GCP_CREDENTIALS_JSON\}, which is not set/,
    );
    const empty = await runAction({
      inputs: sshInputs(sshd),
      workspace: ws.dir,
      env: { ...SECRETS, GCP_CREDENTIALS_JSON: '' },
    });
    expect(empty.code).not.toBe(0);
    expect(empty.stdout).toMatch(
      /environments\.production\.files\[1\]\.from_env: `config\/credentials\.json` would be written empty: \$\{GCP_CREDENTIALS_JSON\} is empty/,
    );
    // Nothing connected: the deploy path was never made.
    expect(existsSync(dp)).toBe(false);
  });

  test('a dry run lists the files it would write, without the secrets set', async () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const r = await runAction({ inputs: sshInputs(sshd, { 'dry-run': 'true' }), workspace: ws.dir });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.summary).toMatch(
      /Files: write shared\/\.env \(0600\), write releases\/\d+(-\d+)?\/config\/credentials\.json \(0640\)/,
    );
    expect(r.summary).toContain('from\\_env: references ${GCP\\_CREDENTIALS\\_JSON}, which is not set');
    expect(existsSync(join(dp, 'shared/.env'))).toBe(false);
  });

  test('require_shared_files: a shared file no entry writes must be there, non-empty', async () => {
    const dp = awkwardDeployPath();
    const extra = '    shared_files: [.env.local]\n    require_shared_files: true\n';
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp, { extra }));
    const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: SECRETS });
    expect(r.code).not.toBe(0);
    expect(shown(r)).toContain('require_shared_files: shared/.env.local missing or empty');
    expect(existsSync(join(dp, 'shared/.env.local'))).toBe(false);
    expect(existsSync(join(dp, 'shared/.env'))).toBe(false);
    mkdirSync(join(dp, 'shared'), { recursive: true });
    execFileSync('sh', ['-c', 'echo LOCAL=1 > "$1"', 'sh', join(dp, 'shared/.env.local')]);
    const ok = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: SECRETS });
    expect(ok.code).toBe(0);
    expect(readFileSync(join(dp, 'current/.env.local'), 'utf8')).toBe('LOCAL=1\n');
  });

  test('the CLI writes and masks them the same way', () => {
    const dp = awkwardDeployPath();
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(dp));
    const home = tempDir('da-home-');
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(join(home, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
    const cli = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');
    const r = spawnSync(process.execPath, [cli, 'deploy', 'production', '--source', 'app', '-i', sshd.privateKeyPath], {
      cwd: ws.dir,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, ...SECRETS },
      encoding: 'utf8',
    });
    expect([r.status, r.status ? `${r.stdout}\n${r.stderr}`.slice(-2500) : '']).toEqual([0, '']);
    expect(readFileSync(join(dp, 'shared/.env'), 'utf8')).toBe(ENV_FILE);
    expect(r.stdout).toContain('files: .env created, config/credentials.json created');
    for (const secret of [APP_KEY, DB_PASSWORD, CREDS]) expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
  });
});
