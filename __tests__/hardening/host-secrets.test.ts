/**
 * Issue 18: hosts kept in secrets. A deploy to `- "${DEPLOY_HOST}"` (the sshd's `root@127.0.0.1:PORT`) through
 * dist/index.js: the log and the summary as the runner shows them (with every `::add-mask::` applied), the outputs
 * and the host's `.deploy/history.jsonl` never hold the value, nor its host part.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DIST, runAction, type ActionResult } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { makeWorkspace, sshInputs } from '../support/workspace.js';
import { record } from './invariants.js';
import { tempDir } from '../support/temp-dirs.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

/** What the runner shows: each masked value (longest first) replaced by `***`, the mask commands themselves gone. */
function asShown(r: ActionResult, text: string): string {
  const masks = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => l.slice('::add-mask::'.length))
    .filter((m) => m !== '')
    .sort((a, b) => b.length - a.length);
  let shown = text
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  for (const m of masks) shown = shown.split(m).join('***');
  return shown;
}

describe('hosts from secrets', () => {
  test('a deploy to "${DEPLOY_HOST}": log, summary, outputs and history never show it', async () => {
    const dp = join(tempDir('da-hostsec-'), 'app');
    const secret = `${sshd.user}@${sshd.host}:${sshd.port}`;
    const config = `name: shop
environments:
  production:
    hosts: ["\${DEPLOY_HOST}"]
    deploy_path: \${DEPLOY_PATH}
    deploy: ["echo deployed on the host"]
`;
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config);
    const r = await runAction({
      inputs: sshInputs(sshd),
      workspace: ws.dir,
      env: { DEPLOY_HOST: secret, DEPLOY_PATH: dp },
    });
    expect([r.code, r.stdout.slice(-600)]).toEqual([0, expect.anything()]);
    expect(readlinkSync(join(dp, 'current'))).toMatch(/^releases\//);
    // The runner is told to mask the entry, its host, and the deploy path.
    const masks = r.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
    expect(masks).toEqual(expect.arrayContaining([`::add-mask::${secret}`, `::add-mask::${sshd.host}`]));
    const leaked = (text: string) => [secret, sshd.host, dp].filter((s) => text.includes(s));
    expect(leaked(asShown(r, r.stdout))).toEqual([]);
    expect(leaked(asShown(r, r.stderr))).toEqual([]);
    expect(leaked(asShown(r, r.summary))).toEqual([]);
    expect(r.stdout).toContain('deployed on the host');
    // Outputs are not masked by the runner's log masking: the host is written `***`.
    expect(JSON.parse(r.outputs['hosts'] ?? '[]')).toEqual(['***']);
    expect(leaked(Object.values(r.outputs).join('\n')).filter((s) => s !== dp)).toEqual([]);
    const history = readFileSync(join(dp, '.deploy/history.jsonl'), 'utf8');
    expect(history).toContain('"event":"deploy"');
    expect([secret, sshd.host, String(sshd.port)].filter((s) => history.includes(s))).toEqual([]);
    record({ invariants: '------', note: `${masks.length} masks; hosts output ["***"]; history clean` });
  });

  test('the CLI: every line it writes has the host as ***', async () => {
    const home = tempDir('da-home-');
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(join(home, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
    const dp = join(tempDir('da-hostsec-'), 'app');
    const secret = `${sshd.user}@${sshd.host}:${sshd.port}`;
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      `name: shop\nenvironments:\n  production:\n    hosts: ["\${DEPLOY_HOST}"]\n    deploy_path: ${JSON.stringify(dp)}\n`,
    );
    const child = spawn(
      process.execPath,
      [resolve(DIST, '../cli/index.js'), 'deploy', 'production', '--source', 'app', '-i', sshd.privateKeyPath, '-v'],
      {
        cwd: ws.dir,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice', DEPLOY_HOST: secret },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((done) => child.on('close', done));
    expect([code, out.slice(-600)]).toEqual([0, expect.anything()]);
    expect(out).toContain('***');
    expect([secret, sshd.host].filter((s) => out.includes(s))).toEqual([]);
  });

  test('an empty ${DEPLOY_HOST} is a config error naming file, line, key and variable; nothing connects', async () => {
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      'environments:\n  production:\n    hosts: ["${DEPLOY_HOST}"]\n    deploy_path: /srv/app\n',
    );
    const r = await runAction({ inputs: sshInputs(sshd), workspace: ws.dir, env: { DEPLOY_HOST: '' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /::error [^\n]*file=deploy\.yml,line=3[^\n]*environments\.production\.hosts\[0\]: \$\{DEPLOY_HOST\} is empty in the step's environment/,
    );
    expect(r.stdout).not.toMatch(/connect/i);
  });
});
