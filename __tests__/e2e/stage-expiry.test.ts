import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshdHandle } from '../support/sshd.js';
import { fleetOfSshd } from '../support/fleet-hosts.js';
import { runAction, type ActionResult } from '../support/action.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';

// A staged release's hold that expired, a switch that fails after taking the hosts over, and the rollback target
// after a staged release with history. Every case runs dist/index.js as the runner does, against real sshd hosts.

const hosts = fleetOfSshd(2);

/** Two hosts, a and b, each with its own deploy_path. */
function config(base: string, extra = ''): string {
  const [a, b] = hosts as [SshdHandle, SshdHandle];
  return `name: shop
environments:
  production:
    hosts:
      - { host: ${a.host}, user: ${a.user}, port: ${a.port}, deploy_path: ${JSON.stringify(join(base, 'a'))} }
      - { host: ${b.host}, user: ${b.user}, port: ${b.port}, deploy_path: ${JSON.stringify(join(base, 'b'))} }
${extra}`;
}

const inputs = (more: Record<string, string> = {}): Record<string, string> => ({
  config: 'deploy.yml',
  source: 'app',
  'ssh-private-key': hosts[0]!.privateKey,
  'known-hosts': hosts.map((h) => h.knownHostsLine).join('\n'),
  ...more,
});

const run = (ws: Workspace, more: Record<string, string>, env: Record<string, string> = {}) =>
  runAction({ inputs: inputs(more), workspace: ws.dir, env });
const ok = (r: ActionResult) =>
  expect({ code: r.code, out: r.code ? r.stdout.slice(-3000) : '' }).toEqual({ code: 0, out: '' });
const live = (base: string, h: string) => readFileSync(join(base, h, 'current/VERSION'), 'utf8').trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fleet(extra = ''): { base: string; ws: Workspace; setConfig: (more: string) => void } {
  const base = mkdtempSync(join(tmpdir(), 'da-expiry-'));
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, extra));
  return { base, ws, setConfig: (more) => ws.write('../deploy.yml', config(base, extra + more)) };
}

/** What the stage writes through `files:`: shared/.env over the one there, shared/extra.conf new. */
const STAGE_FILES = `    files:
      - { path: .env, content: "STAGED=1\\n", mode: "0600" }
      - { path: extra.conf, content: "new\\n" }
`;
const OLD_MTIME = new Date('2024-03-01T12:00:00Z');

/** shared/.env as it was before the stage: its content, its mode 0640, an old mtime. */
function seedEnv(base: string): void {
  for (const h of ['a', 'b']) {
    const p = join(base, h, 'shared/.env');
    mkdirSync(join(base, h, 'shared'), { recursive: true });
    writeFileSync(p, 'BEFORE=1\n');
    chmodSync(p, 0o640);
    utimesSync(p, OLD_MTIME, OLD_MTIME);
  }
}

function expectEnvPutBack(base: string): void {
  for (const h of ['a', 'b']) {
    const p = join(base, h, 'shared/.env');
    const st = statSync(p);
    expect({ host: h, content: readFileSync(p, 'utf8'), mode: (st.mode & 0o777).toString(8), mtime: st.mtime }).toEqual(
      { host: h, content: 'BEFORE=1\n', mode: '640', mtime: OLD_MTIME },
    );
    expect(existsSync(join(base, h, 'shared/extra.conf'))).toBe(false);
  }
}

describe('an expired hold: undone by the next deploy, stage or unlock, files: content put back', () => {
  test.each([
    ['deploy', {}],
    ['stage', { command: 'stage' }],
    ['unlock', { command: 'unlock' }],
  ] as const)(
    'the next %s (someone else, no files:) puts back shared/.env and removes what the stage created',
    async (cmd, more) => {
      const { base, ws, setConfig } = fleet('    stage_ttl: 1s\n');
      ok(await run(ws, {}));
      seedEnv(base);
      setConfig(STAGE_FILES);
      ws.write('VERSION', 'v2\n');
      const staged = await run(ws, { command: 'stage' });
      ok(staged);
      const name = staged.outputs['release']!;
      for (const h of ['a', 'b']) expect(readFileSync(join(base, h, 'shared/.env'), 'utf8')).toBe('STAGED=1\n');
      await sleep(2500);
      setConfig('');
      ws.write('VERSION', 'v3\n');
      const r = await run(ws, { ...more }, { GITHUB_RUN_ID: '8100', GITHUB_ACTOR: 'mallory' });
      ok(r);
      expect(r.stdout).toMatch(new RegExp(`a staged release ${name} expired at [0-9TZ:-]+: discarded`));
      expectEnvPutBack(base);
      for (const h of ['a', 'b']) {
        expect(existsSync(join(base, h, 'releases', name))).toBe(false);
        expect(existsSync(join(base, h, `.deploy/tmp.stage-${name}`))).toBe(false);
        expect(readdirSync(join(base, h, '.deploy/pending')).filter((p) => p.startsWith('stage-'))).toEqual(
          cmd === 'stage' ? ['stage-run-8100'] : [],
        );
        expect(live(base, h)).toBe(cmd === 'deploy' ? 'v3' : 'v1');
      }
    },
  );
});
