import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SshdHandle } from '../support/sshd.js';
import { expectOk, fleetInputs, fleetOfSshd, historyOf, liveVersion, fleetConfig } from '../support/fleet-hosts.js';
import { runAction } from '../support/action.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

// A staged release's hold that expired, a switch that fails after taking the hosts over, and the rollback target
// after a staged release with history. Every case runs dist/index.js as the runner does, against real sshd hosts.

const hosts = fleetOfSshd(2);

/** Two hosts, a and b, each with its own deploy_path. */
function config(base: string, extra = ''): string {
  return fleetConfig(hosts, base, extra);
}

const inputs = (more: Record<string, string> = {}) => fleetInputs(hosts, more);

const run = (ws: Workspace, more: Record<string, string>, env: Record<string, string> = {}) =>
  runAction({ inputs: inputs(more), workspace: ws.dir, env });
const nameOf = (h: SshdHandle) => `${h.user}@${h.host}:${h.port}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fleet(extra = ''): { base: string; ws: Workspace; setConfig: (more: string) => void } {
  const base = tempDir('da-expiry-');
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
      expectOk(await run(ws, {}));
      seedEnv(base);
      setConfig(STAGE_FILES);
      ws.write('VERSION', 'v2\n');
      const staged = await run(ws, { command: 'stage' });
      expectOk(staged);
      const name = staged.outputs['release']!;
      for (const h of ['a', 'b']) expect(readFileSync(join(base, h, 'shared/.env'), 'utf8')).toBe('STAGED=1\n');
      await sleep(2500);
      setConfig('');
      ws.write('VERSION', 'v3\n');
      const r = await run(ws, { ...more }, { GITHUB_RUN_ID: '8100', GITHUB_ACTOR: 'mallory' });
      expectOk(r);
      expect(r.stdout).toMatch(new RegExp(`a staged release ${name} expired at [0-9TZ:-]+: discarded`));
      expectEnvPutBack(base);
      for (const h of ['a', 'b']) {
        expect(existsSync(join(base, h, 'releases', name))).toBe(false);
        expect(existsSync(join(base, h, `.deploy/tmp.stage-${name}`))).toBe(false);
        expect(readdirSync(join(base, h, '.deploy/pending')).filter((p) => p.startsWith('stage-'))).toEqual(
          cmd === 'stage' ? ['stage-run-8100'] : [],
        );
        expect(liveVersion(base, h)).toBe(cmd === 'deploy' ? 'v3' : 'v1');
      }
    },
  );

  test('the next deploy writes other content and fails: its own undo puts back what was there before the stage', async () => {
    // The hold's undo runs before the new deploy's files step: what the new deploy keeps to put back is the file as
    // it was before the stage, not the stage's.
    const { base, ws, setConfig } = fleet('    stage_ttl: 1s\n');
    expectOk(await run(ws, {}));
    seedEnv(base);
    setConfig(STAGE_FILES);
    const staged = await run(ws, { command: 'stage' });
    expectOk(staged);
    await sleep(2500);
    setConfig('    files:\n      - { path: .env, content: "OTHER=1\\n" }\n    deploy:\n      - exit 3\n');
    const r = await run(ws, {}, { GITHUB_RUN_ID: '8150', GITHUB_ACTOR: 'mallory' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`a staged release ${staged.outputs['release']!} expired at [0-9TZ:-]+: discarded`),
    );
    expectEnvPutBack(base);
  });
});

describe('a switch that fails after taking the hosts over', () => {
  test('health check fails on b after a was switched: both switched back, the staged release discarded, and the error says so and what next', async () => {
    // Rolling, one host at a time: a is switched and healthy, then b is switched and unhealthy.
    const hc = `    strategy: rolling\n    batch_size: 1\n    preview_link: preview\n    healthcheck:\n      command: 'if [ -e ../../FAIL_HEALTH ] && grep -q broken VERSION; then echo "b is unhealthy"; exit 1; fi'\n      timeout: 2s\n      retries: 0\n`;
    const { base, ws } = fleet(hc);
    expectOk(await run(ws, {}));
    const first = readlinkSync(join(base, 'a', 'current'));
    ws.write('VERSION', 'v2-broken\n');
    const staged = await run(ws, { command: 'stage' });
    expectOk(staged);
    const name = staged.outputs['release']!;
    writeFileSync(join(base, 'b', 'FAIL_HEALTH'), '');
    const r = await run(ws, { command: 'switch', release: name }, { GITHUB_RUN_ID: '8200' });
    expect(r.code).not.toBe(0);
    // The error names the host, the step, and what became of the staged release and what to do.
    expect(r.stdout).toContain(`${nameOf(hosts[1]!)}: healthcheck: unhealthy after 1 attempt: b is unhealthy; `);
    expect(r.stdout).toContain(
      `every host is back on its previous release and the staged release ${name} was discarded on every host`,
    );
    expect(r.stdout).toContain(
      'fix the cause, then stage again (a re-run of the stage job stages the same name) and switch',
    );
    // The summary's line per host says what the switch did and undid there (not "only read").
    expect(r.summary).toContain('took the deploy lock over from the stage of');
    expect(r.summary).toContain('its stage record and preview link, and put back what its stage changed in');
    expect(r.summary).not.toContain('only read (no lock taken)');
    for (const h of ['a', 'b']) {
      expect(readlinkSync(join(base, h, 'current'))).toBe(first);
      expect(existsSync(join(base, h, 'releases', name))).toBe(false);
      expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
      expect(existsSync(join(base, h, '.deploy/stage'))).toBe(false);
      expect(existsSync(join(base, h, 'preview'))).toBe(false);
      expect(readdirSync(join(base, h, '.deploy/pending'))).toEqual([]);
    }
    // Discard afterwards finds nothing; a re-run of the stage job (the same run, so the same name) stages it again.
    const d = await run(ws, { command: 'discard', release: name }, { GITHUB_RUN_ID: '8201' });
    expectOk(d);
    expect(d.summary).toContain('nothing staged');
    ws.write('VERSION', 'v2\n');
    const again = await run(ws, { command: 'stage' }, { GITHUB_RUN_ATTEMPT: '2' });
    expectOk(again);
    expect(again.outputs['release']).toBe(name);
    expectOk(await run(ws, { command: 'switch', release: name }, { GITHUB_RUN_ID: '8202' }));
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('v2');
  });
});

describe('rollback after a staged release whose name failed before', () => {
  test('X failed as a plain deploy, Y went live, X staged and switched: releases lists X once as live; rollbacks pick Y, then from Z back to X', async () => {
    const hc = `    healthcheck:\n      command: '! grep -q broken VERSION || { echo broken; exit 1; }'\n      timeout: 2s\n      retries: 0\n`;
    const { base, ws } = fleet(hc);
    const first = await run(ws, {});
    expectOk(first);
    const w = first.outputs['release']!;
    // X: a plain deploy under the name the stage will derive later (run-4242) fails its health check.
    ws.write('VERSION', 'x-broken\n');
    const failed = await run(ws, { 'release-name': 'run-4242' }, { GITHUB_RUN_ID: '4100' });
    expect(failed.code).not.toBe(0);
    expect(
      historyOf(base, 'a')
        .filter((e) => e['release'] === 'run-4242')
        .map((e) => e['event']),
    ).toEqual(['revert', 'failed']);
    ws.write('VERSION', 'y\n');
    const y = await run(ws, {}, { GITHUB_RUN_ID: '4200' });
    expectOk(y);
    const yName = y.outputs['release']!;
    ws.write('VERSION', 'x\n');
    const staged = await run(ws, { command: 'stage' });
    expectOk(staged);
    expect(staged.outputs['release']).toBe('run-4242');
    expectOk(await run(ws, { command: 'switch', release: 'run-4242' }, { GITHUB_RUN_ID: '4300' }));
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('x');
    const listed = await run(ws, { command: 'releases' }, { GITHUB_RUN_ID: '4301' });
    expectOk(listed);
    const rows = listed.summary.split('\n').filter((l) => /^\| (\*\*)?run-4242\b/.test(l));
    expect(rows).toHaveLength(2); // once per host
    for (const row of rows) expect(row).toContain('🟢 live');
    expect(listed.summary).toMatch(new RegExp(`^\\| ${yName} \\|.*\\| previous \\|$`, 'm'));
    // Z goes live, then is rolled back: back to X (its earlier failure does not make it unusable).
    ws.write('VERSION', 'z\n');
    expectOk(await run(ws, {}, { GITHUB_RUN_ID: '4400' }));
    const back = await run(ws, { command: 'rollback' }, { GITHUB_RUN_ID: '4500' });
    expectOk(back);
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('x');
    // Rolled back from X: to Y, the release live before X (not W, where X's first attempt sits in the history).
    const again = await run(ws, { command: 'rollback' }, { GITHUB_RUN_ID: '4600' });
    expectOk(again);
    for (const h of ['a', 'b']) expect(liveVersion(base, h)).toBe('y');
    expect(readlinkSync(join(base, 'a', 'current'))).not.toBe(`releases/${w}`);
  });
});
