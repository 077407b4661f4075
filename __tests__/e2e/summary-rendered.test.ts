/**
 * Every kind of job summary, rendered as GitHub renders it (GFM, with marked) and read as a person reads it: no
 * raw Markdown or HTML in its text, no e-mail links, tables of one shape, the failure shown on the failed step's
 * row and the host's row, and "what happened on each host" true of the host after the run. The kinds whose claims
 * are about a host's state come from real runs of dist/index.js against real sshd; the others from reports built
 * in __tests__/support/summary-samples.ts. Each summary is also written to .tmp/summaries/ for `npm run preview`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { renderSummary } from '../../src/report/summary.js';
import { runAction, startAction, type ActionResult } from '../support/action.js';
import { type RenderedSummary, renderSummaryMarkdown, tableWith } from '../support/rendered-summary.js';
import { SAMPLE_REPORTS } from '../support/summary-samples.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { awkwardDeployPath, makeWorkspace, sshInputs, type Workspace } from '../support/workspace.js';

const OUT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../.tmp/summaries');

let hosts: SshdHandle[] = [];
beforeAll(async () => {
  hosts = await Promise.all([startSshd(), startSshd()]);
  hosts[1]!.authorize(hosts[0]!.publicKeyLine());
  mkdirSync(OUT, { recursive: true });
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

const nameOf = (h: { user: string; host: string; port: number }) => `${h.user}@${h.host}:${h.port}`;

/** Checks every rule a rendered summary keeps, saves it for the preview and returns it for the case's own checks. */
function rendered(kind: string, md: string): RenderedSummary {
  writeFileSync(join(OUT, `${kind}.md`), md);
  const r = renderSummaryMarkdown(md);
  expect({ kind, problems: r.problems }).toEqual({ kind, problems: [] });
  expect(r.html).not.toContain('mailto:');
  return r;
}

interface HostEntry {
  host: string;
  user: string;
  port: number;
  deployPath: string;
}

function config(entries: HostEntry[], extra = ''): string {
  const list = entries
    .map(
      (e) =>
        `      - { host: ${e.host}, user: ${e.user}, port: ${e.port}, deploy_path: ${JSON.stringify(e.deployPath)} }`,
    )
    .join('\n');
  return `name: shop
environments:
  production:
    hosts:
${list}
    keep_releases: 3
    shared_dirs: [storage]
    writable_dirs: [storage/logs]
    writable_mode: chmod
    deploy:
      - chmod 644 public/*.css
${extra}`;
}

const APP = { VERSION: 'v1\n', 'public/app.css': 'body{}\n', 'storage/logs/.keep': '' };

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...sshInputs(hosts[0]!),
    'known-hosts': hosts.map((h) => h.knownHostsLine).join('\n'),
    ...extra,
  };
}

function oneHost(extra = ''): { ws: Workspace; dp: string } {
  const dp = awkwardDeployPath();
  const h = hosts[0]!;
  return { ws: makeWorkspace(APP, config([{ ...h, deployPath: dp }], extra)), dp };
}

interface HostState {
  current: string | null;
  releases: string[];
  locked: boolean;
}

function stateOf(dp: string): HostState {
  let current: string | null = null;
  try {
    current = readlinkSync(join(dp, 'current'));
  } catch {}
  return {
    current,
    releases: existsSync(join(dp, 'releases')) ? readdirSync(join(dp, 'releases')).sort() : [],
    locked: existsSync(join(dp, '.deploy/lock')),
  };
}

/** The line of "What happened on each host" about `host`. */
function hostLine(r: RenderedSummary, host: string): string {
  const lines = r.text.split('\n');
  const at = lines.indexOf('What happened on each host');
  expect(at).toBeGreaterThanOrEqual(0);
  const line = lines.slice(at + 1).find((l) => l.startsWith(`- ${host}:`));
  expect(line).toBeDefined();
  return line!;
}

/** Each claim of a host's line, checked against the host's tree after the run (and before it). */
function expectTrueOf(line: string, before: HostState, after: HostState, release?: string): void {
  if (line.includes('nothing was changed')) expect(after).toEqual(before);
  if (line.includes('that lock was left in place')) expect(after.locked).toBe(true);
  if (line.includes('released the lock')) expect(after.locked).toBe(false);
  if (line.includes('as it was before this run')) expect(after.current).toBe(before.current);
  if (release && line.includes(`removed ${release}`)) expect(after.releases).not.toContain(release);
  if (release && line.includes(`made release ${release}`)) expect(before.releases).not.toContain(release);
  expect(after.releases).toEqual(before.releases);
}

/** The Steps row and the Hosts row of `host` show the failure. */
function expectFailureShown(r: RenderedSummary, host: string, step: string): void {
  const steps = tableWith(r, 'Host', 'Step', 'Status', 'Duration');
  const row = steps?.rows.find((c) => c[0] === host && c[1] === step);
  expect(row?.[2]).toMatch(/^❌ failed: /);
  const hostsTable = tableWith(r, 'Host', 'Result');
  expect(hostsTable?.rows.find((c) => c[0] === host)?.[1]).toMatch(/^❌ failed in /);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('job summaries as GitHub renders them', () => {
  test('from reports: fleet, releases, unlock, dry run, nothing to roll back, config error', () => {
    for (const [kind, make] of Object.entries(SAMPLE_REPORTS)) {
      const r = rendered(kind, renderSummary(make()));
      if (['releases', 'unlock', 'dry-run'].includes(kind)) {
        expect(tableWith(r, 'Host', 'Result')).toBeUndefined();
        expect(tableWith(r, 'Host', 'Step', 'Status', 'Duration')).toBeUndefined();
      }
      if (kind === 'dry-run')
        expect(r.text.split('\n')[0]).toBe('🔍 Dry run: Deploy of shop to production: nothing was changed');
      if (kind === 'nothing-to-roll-back') {
        expect(r.text).toContain(
          'Rollback failed: no earlier complete release to roll back to on deploy@web1.example.com',
        );
        expect(r.text).not.toContain('fleet');
      }
      if (kind === 'config-error') expect(r.text).toContain('unknown key hots (did you mean host?)');
      if (kind === 'success-fleet-sample') {
        // Config order, whatever order the hosts finished in.
        expect(tableWith(r, 'Host', 'Result')!.rows.map((c) => c[0])).toEqual([
          'deploy@web1.example.com',
          'deploy@web2.example.com',
          'deploy@web3.example.com',
        ]);
        expect(r.text).toContain('chmod 644 public/*.css public/*.js');
      }
    }
  });

  test('success on one host, then on a fleet of two (real runs)', async () => {
    const { ws, dp } = oneHost();
    const one = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(one.code).toBe(0);
    const r = rendered('success-one-host', one.summary);
    expect(r.text.split('\n')[0]).toBe('✅ Deploy of shop to production succeeded');
    expect(tableWith(r, 'Release', 'Commit')?.rows[0]?.[0]).toBe(one.outputs['release']);
    expect(r.text).toContain('chmod 644 public/*.css');
    expect(r.html).toContain('<details><summary>Steps (');
    expect(stateOf(dp).current).toBe(`releases/${one.outputs['release']}`);

    const base = awkwardDeployPath();
    const fleet = makeWorkspace(APP, config(hosts.map((h, i) => ({ ...h, deployPath: join(base, `h${i}`) }))));
    const two = await runAction({ inputs: inputs(), workspace: fleet.dir });
    expect(two.code).toBe(0);
    const f = rendered('success-fleet', two.summary);
    expect(tableWith(f, 'Host', 'Result')!.rows.map((c) => c[0])).toEqual(hosts.map(nameOf));
  });

  test('connection refused and an unknown host key: not reached, nothing changed (real runs)', async () => {
    const dp = awkwardDeployPath();
    const closed = { host: '127.0.0.1', user: 'root', port: await freePort(), deployPath: dp };
    const refused = makeWorkspace(APP, config([closed]));
    const a = await runAction({ inputs: inputs(), workspace: refused.dir });
    expect(a.code).not.toBe(0);
    const ra = rendered('connection-refused', a.summary);
    expectTrueOf(hostLine(ra, nameOf(closed)), stateOf(dp), stateOf(dp));
    expect(hostLine(ra, nameOf(closed))).toContain('not reached');

    const { ws, dp: dp2 } = oneHost();
    const before = stateOf(dp2);
    const b = await runAction({ inputs: inputs({ 'known-hosts': hosts[1]!.knownHostsLine }), workspace: ws.dir });
    expect(b.code).not.toBe(0);
    const rb = rendered('unknown-host-key', b.summary);
    const line = hostLine(rb, nameOf(hosts[0]!));
    expect(line).toContain('not reached');
    expectTrueOf(line, before, stateOf(dp2));
    // The line to add is a code block of its own.
    expect(b.summary).toMatch(new RegExp(`\`\`\`\\n[^\\n]*${hosts[0]!.port}[^\\n]* ssh-`));
  });

  test('a held lock: nothing changed, the lock left in place (real run)', async () => {
    const { ws, dp } = oneHost();
    mkdirSync(join(dp, '.deploy/lock'), { recursive: true });
    writeFileSync(join(dp, '.deploy/lock/owner'), 'someone-else\n');
    writeFileSync(join(dp, '.deploy/lock/info.json'), '{"repository":"acme/shop","run_id":"99","actor":"mona"}\n');
    const before = stateOf(dp);
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(r.code).not.toBe(0);
    const s = rendered('held-lock', r.summary);
    const line = hostLine(s, nameOf(hosts[0]!));
    expect(line).toContain('held by another run');
    expect(line).not.toContain('released');
    expectTrueOf(line, before, stateOf(dp));
    expectFailureShown(s, nameOf(hosts[0]!), 'lock');
  });

  test('a failing hook: its row and the host row say so; the release removed, the lock released (real run)', async () => {
    const { ws, dp } = oneHost();
    expect((await runAction({ inputs: inputs(), workspace: ws.dir })).code).toBe(0);
    const before = stateOf(dp);
    ws.write(
      '../deploy.yml',
      config([{ ...hosts[0]!, deployPath: dp }]).replace(
        'chmod 644 public/*.css',
        JSON.stringify('echo "SQLSTATE: table locked"; exit 3'),
      ),
    );
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(r.code).not.toBe(0);
    const s = rendered('failing-hook', r.summary);
    const host = nameOf(hosts[0]!);
    expectFailureShown(s, host, 'echo "SQLSTATE: table locked"; exit 3');
    const line = hostLine(s, host);
    const release = /made release (\S+),/.exec(line)?.[1];
    expect(release).toBeDefined();
    expect(line).toContain(`removed ${release}`);
    expectTrueOf(line, before, stateOf(dp), release);
    // The release that never went live is not shown as if it were on the host.
    expect(tableWith(s, 'Release (not deployed)', 'Commit')).toBeDefined();
    expect(s.text).not.toContain(`✅ ${release} live`);
  });

  test('a failed health check: switched back, the verdict on the step row and the host row (real run)', async () => {
    const { ws, dp } = oneHost();
    expect((await runAction({ inputs: inputs(), workspace: ws.dir })).code).toBe(0);
    const before = stateOf(dp);
    ws.write(
      '../deploy.yml',
      config(
        [{ ...hosts[0]!, deployPath: dp }],
        '    healthcheck: { command: "echo HTTP 502 Bad Gateway; exit 1", retries: 0 }\n',
      ),
    );
    ws.write('VERSION', 'v2\n');
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(r.code).not.toBe(0);
    const s = rendered('failed-health-check', r.summary);
    const host = nameOf(hosts[0]!);
    expectFailureShown(s, host, 'healthcheck');
    const hostsTable = tableWith(s, 'Host', 'Result')!;
    expect(hostsTable.head.filter((h) => /health/i.test(h))).toEqual(['Health check']);
    expect(hostsTable.rows[0]!.at(-1)).toMatch(/^❌ failed after 1 attempt: HTTP 502 Bad Gateway \(/);
    // The check's own output is in the summary, not only in the log.
    expect(s.text).toContain('HTTP 502 Bad Gateway');
    // The failure says what the check saw, once (not "unhealthy after 1 attempt: fail after 1 attempts").
    expect(s.text).toContain('unhealthy after 1 attempt: HTTP 502 Bad Gateway');
    expect(s.text).not.toContain('attempts:');
    const line = hostLine(s, host);
    expect(line).toContain('switched current back');
    expectTrueOf(line, before, stateOf(dp));
    expect(stateOf(dp).current).toBe(before.current);
  });

  test('cancelled in the middle of a hook (real run)', async () => {
    const { ws, dp } = oneHost();
    expect((await runAction({ inputs: inputs(), workspace: ws.dir })).code).toBe(0);
    const before = stateOf(dp);
    const slow = `sleep 31.${process.pid}`;
    ws.write('../deploy.yml', config([{ ...hosts[0]!, deployPath: dp }]).replace('chmod 644 public/*.css', slow));
    const run = startAction({ inputs: inputs(), workspace: ws.dir });
    await run.waitFor(`▶ ${slow}`);
    run.child.kill('SIGINT');
    const r: ActionResult = await run.done;
    expect(r.code).not.toBe(0);
    const s = rendered('cancelled', r.summary);
    const line = hostLine(s, nameOf(hosts[0]!));
    expect(line).toContain('released the lock');
    const release = /made release (\S+),/.exec(line)?.[1];
    expectTrueOf(line, before, stateOf(dp), release);
  });

  test('a rollback, then nothing left to roll back to (real runs)', async () => {
    const { ws, dp } = oneHost();
    for (const v of ['v1', 'v2']) {
      ws.write('VERSION', `${v}\n`);
      expect((await runAction({ inputs: inputs(), workspace: ws.dir })).code).toBe(0);
    }
    const back = await runAction({ inputs: inputs({ command: 'rollback' }), workspace: ws.dir });
    expect(back.code).toBe(0);
    rendered('rollback', back.summary);
    const before = stateOf(dp);
    const none = await runAction({ inputs: inputs({ command: 'rollback' }), workspace: ws.dir });
    expect(none.code).not.toBe(0);
    const s = rendered('nothing-to-roll-back-real', none.summary);
    expect(s.text).toMatch(/^Rollback failed: /m);
    expect(s.text).not.toMatch(/\bfleet\b/);
    expectTrueOf(hostLine(s, nameOf(hosts[0]!)), before, stateOf(dp));
  });

  test('releases, unlock and a dry run: no hosts or steps tables (real runs)', async () => {
    const { ws } = oneHost();
    expect((await runAction({ inputs: inputs(), workspace: ws.dir })).code).toBe(0);
    for (const [kind, extra] of [
      ['releases-real', { command: 'releases' }],
      ['unlock-real', { command: 'unlock' }],
      ['dry-run-real', { 'dry-run': 'true' }],
    ] as const) {
      const r = await runAction({ inputs: inputs(extra), workspace: ws.dir });
      expect({ kind, code: r.code }).toEqual({ kind, code: 0 });
      const s = rendered(kind, r.summary);
      expect(tableWith(s, 'Host', 'Result')).toBeUndefined();
      expect(tableWith(s, 'Host', 'Step', 'Status', 'Duration')).toBeUndefined();
      if (kind === 'dry-run-real') {
        expect(s.text.split('\n')[0]).toBe('🔍 Dry run: Deploy of shop to production: nothing was changed');
        expect(s.text).toMatch(/Ships: 3 files, \d+ B from /);
      }
    }
  });

  test('a config error is in the summary too (real run)', async () => {
    const { ws } = oneHost();
    ws.write('../deploy.yml', readFileSync(ws.config, 'utf8').replace('keep_releases: 3', 'keep_releases: two'));
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(r.code).not.toBe(0);
    const s = rendered('config-error-real', r.summary);
    expect(s.text).toContain('Config error: deploy did not start');
    expect(s.text).toContain('keep_releases');
  });
});
