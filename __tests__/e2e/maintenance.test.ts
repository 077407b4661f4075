/**
 * Maintenance mode against real sshd hosts, through dist/index.js as the runner runs it (post step included) and the
 * CLI: `on` before the deploy hooks and `off` after the switch, `off` on every host where `on` ran after a failed or
 * cancelled deploy, and the `maintenance` command. Every command appends a line to a log in its host's deploy path.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runAction, runPost, startAction } from '../support/action.js';
import type { SshdHandle } from '../support/sshd.js';
import { fleetInputs, fleetOfSshd, hostEntry, fleetConfig } from '../support/fleet-hosts.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const hosts = fleetOfSshd(2);

/** A hook slow enough to be cancelled in the middle; its odd duration makes its process findable. */
const SLOW = `sleep 41.${process.pid}`;
/** A line in the host's log: what ran, and in which release (the directory it ran in). */
const note = (what: string) => `echo "${what} $(basename "$(pwd -P)")" >> "$DEPLOY_PATH/events.log"`;

function config(base: string, opts: { hook?: string; off?: string; extra?: string } = {}): string {
  return fleetConfig(
    hosts,
    base,
    `    maintenance:
      on: ${JSON.stringify(note('on'))}
      off: ${JSON.stringify(opts.off ?? note('off'))}
    deploy:
      - ${JSON.stringify(note('hook'))}
      - ${JSON.stringify(opts.hook ?? 'true')}
    activate:
      - ${JSON.stringify(note('activate'))}
${opts.extra ?? ''}`,
  );
}

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return fleetInputs(hosts, extra);
}

/** The solo config turned into a two-host rolling fleet with a health check that fails in maintenance. */
function fleetWith(base: string, solo: (extra: string) => string): string {
  const [a, b] = hosts as [SshdHandle, SshdHandle];
  return solo(`    strategy: rolling
    batch_size: 1
    healthcheck: { command: 'test ! -e "$DEPLOY_PATH/down"', retries: 0 }
`)
    .replace(
      /hosts: \[.*\]\n/,
      `hosts:
      - ${hostEntry(a, join(base, 'a'))}
      - ${hostEntry(b, join(base, 'b'))}
`,
    )
    .replace(/ {4}deploy_path: .*\n/, '');
}

const events = (base: string, h: string) => {
  const file = join(base, h, 'events.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
};
const live = (base: string, h: string) => readlinkSync(join(base, h, 'current')).replace('releases/', '');
const ok = (r: { code: number | null; stdout: string }) => ({ code: r.code, out: r.code === 0 ? '' : r.stdout });

/** Two hosts with release v1 live (deployed without maintenance), the log emptied. */
async function liveFleet(
  opts: Parameters<typeof config>[1] = {},
): Promise<{ base: string; ws: Workspace; r1: string }> {
  const base = tempDir('da-maint-');
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base));
  expect(ok(await runAction({ inputs: inputs(), workspace: ws.dir }))).toEqual({ code: 0, out: '' });
  for (const h of ['a', 'b']) writeFileSync(join(base, h, 'events.log'), '');
  ws.write('VERSION', 'v2\n');
  ws.write('../deploy.yml', config(base, opts));
  return { base, ws, r1: live(base, 'a') };
}

describe('maintenance mode', () => {
  test('input maintenance: true: on before the hooks (in the live release), off after the switch and activate', async () => {
    const { base, ws, r1 } = await liveFleet();
    const r = await runAction({ inputs: inputs({ maintenance: 'true' }), workspace: ws.dir });
    expect(ok(r)).toEqual({ code: 0, out: '' });
    const r2 = r.outputs['release']!;
    for (const h of ['a', 'b']) {
      expect(events(base, h)).toEqual([`on ${r1}`, `hook ${r2}`, `activate ${r2}`, `off ${r2}`]);
      expect(existsSync(join(base, h, '.deploy/maintenance'))).toBe(false);
    }
    expect(r.summary).toMatch(/- maintenance: ` ?echo "on[^\n]* ran on [^\n]*, [^\n]* before the deploy hooks; /);
    // Without the input and without `deploy: true`, a deploy does not touch maintenance.
    ws.write('VERSION', 'v3\n');
    for (const h of ['a', 'b']) writeFileSync(join(base, h, 'events.log'), '');
    const plain = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(ok(plain)).toEqual({ code: 0, out: '' });
    expect(events(base, 'a')).toEqual([`hook ${plain.outputs['release']}`, `activate ${plain.outputs['release']}`]);
  });

  test('maintenance.deploy: true, and a first deploy (nothing live) skips on and off', async () => {
    const base = tempDir('da-maint-');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      config(base, { extra: '' }).replace('      off:', '      deploy: true\n      off:'),
    );
    const r = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(ok(r)).toEqual({ code: 0, out: '' });
    const r1 = r.outputs['release']!;
    expect(events(base, 'a')).toEqual([`hook ${r1}`, `activate ${r1}`]);
    expect(r.summary).toContain('maintenance: skipped on');
    ws.write('VERSION', 'v2\n');
    for (const h of ['a', 'b']) writeFileSync(join(base, h, 'events.log'), '');
    const again = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(ok(again)).toEqual({ code: 0, out: '' });
    expect(events(base, 'b')[0]).toBe(`on ${r1}`);
    // The input beats the config.
    ws.write('VERSION', 'v3\n');
    for (const h of ['a', 'b']) writeFileSync(join(base, h, 'events.log'), '');
    const without = await runAction({ inputs: inputs({ maintenance: 'false' }), workspace: ws.dir });
    expect(ok(without)).toEqual({ code: 0, out: '' });
    expect(events(base, 'a').filter((l) => /^(on|off) /.test(l))).toEqual([]);
  });

  test('one host without activate (one phase), and a rolling rollout whose health check needs maintenance off', async () => {
    const base = tempDir('da-maint-');
    const [a] = hosts as [SshdHandle];
    const dp = join(base, 'a');
    const solo = (extra: string) => `name: shop
environments:
  production:
    hosts: [{ host: ${a.host}, user: ${a.user}, port: ${a.port} }]
    deploy_path: ${JSON.stringify(dp)}
    maintenance:
      on: ${JSON.stringify(`${note('on')}; touch "$DEPLOY_PATH/down"`)}
      off: ${JSON.stringify(`${note('off')}; rm "$DEPLOY_PATH/down"`)}
      deploy: true
    deploy:
      - ${JSON.stringify(note('hook'))}
${extra}`;
    const ws = makeWorkspace({ VERSION: 'v1\n' }, solo(''));
    const first = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(ok(first)).toEqual({ code: 0, out: '' });
    ws.write('VERSION', 'v2\n');
    const second = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(ok(second)).toEqual({ code: 0, out: '' });
    const [r1, r2] = [first.outputs['release'], second.outputs['release']];
    expect(events(base, 'a')).toEqual([`hook ${r1}`, `on ${r1}`, `hook ${r2}`, `off ${r2}`]);
    // Rolling, one host per batch, with a health check that fails while the maintenance flag file is there.
    ws.write('../deploy.yml', fleetWith(base, solo));
    ws.write('VERSION', 'v3\n');
    const rolling = await runAction({ inputs: inputs(), workspace: ws.dir });
    expect(ok(rolling)).toEqual({ code: 0, out: '' });
    const r3 = rolling.outputs['release'];
    // a: in maintenance from before its hooks to after its switch, so its health check passed; b had nothing live.
    expect(events(base, 'a').slice(-3)).toEqual([`on ${r2}`, `hook ${r3}`, `off ${r3}`]);
    expect(events(base, 'b')).toEqual([`hook ${r3}`]);
    expect(rolling.summary).toContain('maintenance: skipped on');
  });

  test('a deploy hook failing on one host: off ran on every host where on ran, in the release live again', async () => {
    const { base, ws, r1 } = await liveFleet({
      hook: 'case "$DEPLOY_PATH" in */b) echo "cache warmup failed" >&2; exit 9;; esac',
    });
    const r = await runAction({ inputs: inputs({ maintenance: 'true' }), workspace: ws.dir });
    expect(r.code).not.toBe(0);
    for (const h of ['a', 'b']) {
      const log = events(base, h);
      expect(log[0]).toBe(`on ${r1}`);
      expect(log.at(-1)).toBe(`off ${r1}`);
      expect(log.filter((l) => l.startsWith('off '))).toHaveLength(1);
      expect(live(base, h)).toBe(r1);
      expect(existsSync(join(base, h, '.deploy/maintenance'))).toBe(false);
    }
    expect(r.stdout).toContain('maintenance is off again');
    expect(r.summary.match(/ran maintenance ` ?off ` ?\(where this run had turned maintenance on\)/g)).toHaveLength(2);
  });

  test('a failed off after the switch: the deploy stands, and a loud warning names the hosts', async () => {
    const { base, ws } = await liveFleet({ off: 'echo "cannot bring it up" >&2; exit 3' });
    const r = await runAction({ inputs: inputs({ maintenance: 'true' }), workspace: ws.dir });
    expect(ok(r)).toEqual({ code: 0, out: '' });
    expect(live(base, 'a')).toBe(r.outputs['release']);
    expect(r.stdout).toMatch(
      /::warning[^\n]*MAINTENANCE IS STILL ON on [^\n]*127\.0\.0\.1[^\n]*, [^\n]*the site is still down/,
    );
    expect(r.summary).toContain('MAINTENANCE IS STILL ON');
    expect(readFileSync(join(base, 'b', '.deploy/maintenance'), 'utf8')).toMatch(/\ndeploy\n$/);
  });

  test('SIGTERM during a deploy hook: off ran on every host', async () => {
    const { base, ws, r1 } = await liveFleet({ hook: SLOW });
    const run = startAction({ inputs: inputs({ maintenance: 'true' }), workspace: ws.dir });
    await run.waitFor(new RegExp(`▶ ${SLOW.replace('.', '\\.')}[\\s\\S]*▶ ${SLOW.replace('.', '\\.')}`));
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).not.toBe(0);
    expect(r.state['remote']).toBe('done');
    for (const h of ['a', 'b']) {
      expect(events(base, h)).toEqual([`on ${r1}`, expect.stringMatching(/^hook /), `off ${r1}`]);
      expect(live(base, h)).toBe(r1);
      expect(existsSync(join(base, h, '.deploy/maintenance'))).toBe(false);
    }
  });

  test('SIGKILL during a deploy hook: the post step turns maintenance off on every host', async () => {
    const { base, ws, r1 } = await liveFleet({ hook: SLOW });
    const run = startAction({ inputs: inputs({ maintenance: 'true' }), workspace: ws.dir });
    await run.waitFor(new RegExp(`▶ ${SLOW.replace('.', '\\.')}[\\s\\S]*▶ ${SLOW.replace('.', '\\.')}`));
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.state['remote']).toBe('started');
    expect(JSON.parse(killed.state['maintenance']!)).toHaveLength(2);
    const post = await runPost(killed, { inputs: inputs({ maintenance: 'true' }), workspace: ws.dir });
    expect(ok(post)).toEqual({ code: 0, out: '' });
    expect(post.stdout).toContain('finishing it now');
    for (const h of ['a', 'b']) {
      expect(events(base, h)).toEqual([`on ${r1}`, expect.stringMatching(/^hook /), `off ${r1}`]);
      expect(live(base, h)).toBe(r1);
      expect(existsSync(join(base, h, '.deploy/maintenance'))).toBe(false);
      expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
    }
  });

  test('a run that died on a host (its session killed): unlock undoes it there, maintenance off included', async () => {
    const kill = `pid=$(sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p' "$DEPLOY_PATH/.deploy/lock/info.json"); kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"`;
    const { base, ws, r1 } = await liveFleet({ hook: `case "$DEPLOY_PATH" in */b) ${kill};; esac` });
    const r = await runAction({ inputs: inputs({ maintenance: 'true' }), workspace: ws.dir });
    expect(r.code).not.toBe(0);
    expect(events(base, 'a').at(-1)).toBe(`off ${r1}`);
    expect(events(base, 'b').at(-1)).toMatch(/^hook /);
    expect(existsSync(join(base, 'b', '.deploy/lock'))).toBe(true);
    const unlock = await runAction({ inputs: inputs({ command: 'unlock' }), workspace: ws.dir });
    expect(ok(unlock)).toEqual({ code: 0, out: '' });
    expect(events(base, 'b')).toEqual([`on ${r1}`, expect.stringMatching(/^hook /), `off ${r1}`]);
    expect(existsSync(join(base, 'b', '.deploy/maintenance'))).toBe(false);
    expect(live(base, 'b')).toBe(r1);
  });

  test('command maintenance, state on then off; a deploy meanwhile leaves it on', async () => {
    const { base, ws, r1 } = await liveFleet();
    const on = await runAction({ inputs: inputs({ command: 'maintenance', state: 'on' }), workspace: ws.dir });
    expect(ok(on)).toEqual({ code: 0, out: '' });
    for (const h of ['a', 'b']) {
      expect(events(base, h)).toEqual([`on ${r1}`]);
      expect(readFileSync(join(base, h, '.deploy/maintenance'), 'utf8')).toMatch(/\nmanual\n$/);
      expect(existsSync(join(base, h, '.deploy/lock'))).toBe(false);
    }
    expect(on.summary).toMatch(/: maintenance on \(` ?echo "on/);
    const deploy = await runAction({ inputs: inputs({ maintenance: 'true' }), workspace: ws.dir });
    expect(ok(deploy)).toEqual({ code: 0, out: '' });
    const r2 = deploy.outputs['release']!;
    expect(events(base, 'a')).toEqual([`on ${r1}`, `hook ${r2}`, `activate ${r2}`]);
    expect(deploy.summary).toContain('the maintenance command had turned it on');
    const off = await runAction({ inputs: inputs({ command: 'maintenance', state: 'off' }), workspace: ws.dir });
    expect(ok(off)).toEqual({ code: 0, out: '' });
    for (const h of ['a', 'b']) {
      expect(events(base, h).at(-1)).toBe(`off ${r2}`);
      expect(existsSync(join(base, h, '.deploy/maintenance'))).toBe(false);
    }
    const noState = await runAction({ inputs: inputs({ command: 'maintenance' }), workspace: ws.dir });
    expect(noState.code).not.toBe(0);
    expect(noState.stdout).toContain('input state: "" must be on or off for command maintenance');
  });

  test('CLI: deploy-action maintenance production on|off, and deploy --maintenance', async () => {
    const { base, ws, r1 } = await liveFleet();
    const home = tempDir('da-home-');
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(join(home, '.ssh/known_hosts'), `${hosts.map((h) => h.knownHostsLine).join('\n')}\n`);
    const cli = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');
    const run = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((done) => {
        const child = spawn(process.execPath, [cli, ...args, '-i', hosts[0]!.privateKeyPath], {
          cwd: ws.dir,
          env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => done({ code, stdout: out }));
      });
    expect(ok(await run('maintenance', 'production', 'on'))).toEqual({ code: 0, out: '' });
    expect(events(base, 'b')).toEqual([`on ${r1}`]);
    expect(ok(await run('maintenance', 'production', 'off'))).toEqual({ code: 0, out: '' });
    expect(events(base, 'b')).toEqual([`on ${r1}`, `off ${r1}`]);
    const usage = await run('maintenance', 'production');
    expect(usage.code).toBe(2);
    expect(usage.stdout).toContain('maintenance needs the state: deploy-action maintenance production on|off');
    for (const h of ['a', 'b']) writeFileSync(join(base, h, 'events.log'), '');
    const deploy = await run('deploy', 'production', '--source', 'app', '--maintenance');
    expect(ok(deploy)).toEqual({ code: 0, out: '' });
    expect(events(base, 'a')[0]).toBe(`on ${r1}`);
    expect(events(base, 'a').at(-1)).toMatch(/^off /);
    // No leftover process of the slow hooks of other tests.
    expect(() => execFileSync('pgrep', ['-f', SLOW])).toThrow();
  });
});
