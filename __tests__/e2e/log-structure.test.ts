/**
 * The Actions log's structure (issue 17): one group per phase holding the per-host lines, a visible line after each
 * phase, a failure outside every group, and a result line at the end; a hook is called by its name (or its first
 * line), never by its whole block.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runAction } from '../support/action.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { makeWorkspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

let hosts: SshdHandle[] = [];
beforeAll(async () => {
  hosts = await Promise.all([startSshd(), startSshd(), startSshd()]);
  for (const h of hosts.slice(1)) h.authorize(hosts[0]!.publicKeyLine());
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

function config(base: string, count: number, extra: string): string {
  const entries = hosts
    .slice(0, count)
    .map(
      (h, i) =>
        `      - { host: ${h.host}, user: ${h.user}, port: ${h.port}, deploy_path: ${JSON.stringify(join(base, `h${i}`))} }`,
    );
  return `name: shop
environments:
  production:
    hosts:
${entries.join('\n')}
${extra}`;
}

function inputs(count: number): Record<string, string> {
  return {
    config: 'deploy.yml',
    source: 'app',
    'ssh-private-key': hosts[0]!.privateKey,
    'known-hosts': hosts
      .slice(0, count)
      .map((h) => h.knownHostsLine)
      .join('\n'),
  };
}

/** The log's lines as the Actions log view reads them: each with the group it is in (or none). */
function structure(stdout: string): { groups: string[]; lines: { text: string; group?: string }[]; nested: number } {
  const groups: string[] = [];
  const lines: { text: string; group?: string }[] = [];
  let open: string | undefined;
  let nested = 0;
  for (const line of stdout.split('\n')) {
    const start = /^::group::(.*)$/.exec(line);
    if (start) {
      if (open !== undefined) nested++;
      open = start[1]!;
      groups.push(open);
    } else if (line === '::endgroup::') open = undefined;
    else lines.push({ text: line, group: open });
  }
  return { groups, lines, nested };
}

const BUILD = `    build:
      - name: write the version
        run: |
          echo built > BUILT
          echo done
`;

const hostName = (h: SshdHandle) => `${h.user}@127.0.0.1:${h.port}`;

/** Each group is followed, outside any group, by its phase's line. */
function expectPhaseLines(s: ReturnType<typeof structure>, pattern: (title: string) => RegExp): void {
  for (const title of s.groups) {
    const line = s.lines.find((l) => l.group === undefined && l.text.startsWith(`${title}: `));
    expect(line?.text).toMatch(pattern(title));
  }
}

test('one host: a group per phase in order, a visible line after each, and the result line last', async () => {
  const base = tempDir('da-structure-');
  const ws = makeWorkspace(
    { VERSION: 'v1\n' },
    config(base, 1, `${BUILD}    deploy:\n      - run: |\n          echo migrating\n          echo migrated\n`),
  );
  const r = await runAction({ inputs: inputs(1), workspace: ws.dir });
  expect(r.code).toBe(0);
  const s = structure(r.stdout);
  expect(s.groups).toEqual(['build', 'connect and inspect', 'stage', 'hooks', 'switch', 'finish']);
  expect(s.nested).toBe(0);
  expectPhaseLines(s, (title) => new RegExp(`^${title}: 1/1 (host|command), \\d`));
  // The step lines are inside the groups; a multi-line hook is called by its first line.
  const inside = (group: string) => s.lines.filter((l) => l.group === group).map((l) => l.text);
  expect(inside('build')).toContain('▶ build 1/1: write the version');
  expect(inside('stage')).toContain('▶ upload');
  expect(inside('hooks')).toContain('▶ echo migrating …');
  expect(inside('switch')).toContain('▶ symlink');
  expect(r.stdout).not.toMatch(/[▶✓✗] [^\n]*echo migrated/);
  const visible = s.lines.filter((l) => l.group === undefined && l.text.trim() !== '' && !l.text.startsWith('::'));
  expect(visible.at(-1)?.text).toMatch(/^✓ Deploy of shop to production: release \d{14}, 1 host, \d/);
});

test('a fleet: per-host lines in the phase groups, "3/3 hosts" after each', async () => {
  const base = tempDir('da-structure-');
  const ws = makeWorkspace(
    { VERSION: 'v1\n' },
    config(base, 3, `    deploy:\n      - name: warm the cache\n        run: echo warm\n`),
  );
  const r = await runAction({ inputs: inputs(3), workspace: ws.dir });
  expect(r.code).toBe(0);
  const s = structure(r.stdout);
  expect(s.groups).toEqual(['connect and inspect', 'stage and hooks', 'switch', 'finish']);
  expect(s.nested).toBe(0);
  expectPhaseLines(s, (title) => new RegExp(`^${title}: 3/3 hosts, \\d`));
  for (const h of hosts) {
    expect(s.lines).toContainEqual({ text: `[${hostName(h)}] ▶ warm the cache`, group: 'stage and hooks' });
    expect(s.lines).toContainEqual({ text: `[${hostName(h)}] ▶ symlink`, group: 'switch' });
  }
  const visible = s.lines.filter((l) => l.group === undefined && l.text.trim() !== '' && !l.text.startsWith('::'));
  expect(visible.at(-1)?.text).toMatch(/^✓ Deploy of shop to production: release \d{14}, 3 hosts, \d/);
});

test('a fleet where a named hook fails on one host: the failure is outside every group, named, cause first', async () => {
  const base = tempDir('da-structure-');
  const hook = `    deploy:
      - name: migrate
        run: |
          case "$DEPLOY_PATH" in
            */h1) echo "SQLSTATE: table missing" >&2; exit 3;;
          esac
`;
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, 3, hook));
  const r = await runAction({ inputs: inputs(3), workspace: ws.dir });
  expect(r.code).not.toBe(0);
  const s = structure(r.stdout);
  const bad = hostName(hosts[1]!);
  expect(s.groups).toEqual(['connect and inspect', 'stage and hooks']);
  expect(s.nested).toBe(0);
  // Inside the group: the step's own line, label first, then the cause.
  expect(s.lines).toContainEqual({
    text: expect.stringMatching(new RegExp(`^\\[${bad}\\] ✗ hook "migrate" failed: exit code 3 \\(\\d`)),
    group: 'stage and hooks',
  });
  const outside = s.lines.filter((l) => l.group === undefined).map((l) => l.text);
  expect(outside).toContainEqual(
    expect.stringMatching(new RegExp(`^stage and hooks: failed on ${bad} \\(2/3 hosts ok\\), \\d`)),
  );
  expect(outside).toContain(`✗ ${bad}: hook "migrate": exited with code 3: SQLSTATE: table missing`);
  // The output's tail is visible too, and the run ends with its result.
  expect(outside).toContainEqual(expect.stringContaining('SQLSTATE: table missing'));
  const visible = outside.filter((l) => l.trim() !== '' && !l.startsWith('::'));
  expect(visible.at(-1)).toMatch(
    new RegExp(`^✗ Deploy of shop to production failed on ${bad} in step hook "migrate" \\(\\d`),
  );
  // Nowhere is the whole block used as the hook's name.
  expect(r.stdout).not.toMatch(/[▶✓✗] [^\n]*case "\$DEPLOY_PATH"/);
  expect(r.summary).toContain('hook "migrate"');
});

test('a failing build hook: its group, then the line and the failure outside it', async () => {
  const base = tempDir('da-structure-');
  const ws = makeWorkspace(
    { VERSION: 'v1\n' },
    config(base, 1, `    build:\n      - echo one\n      - run: |\n          echo "tests failed"\n          exit 4\n`),
  );
  const r = await runAction({ inputs: inputs(1), workspace: ws.dir });
  expect(r.code).not.toBe(0);
  const s = structure(r.stdout);
  expect(s.groups).toEqual(['build']);
  const outside = s.lines.filter((l) => l.group === undefined).map((l) => l.text);
  expect(outside).toContainEqual(
    expect.stringMatching(/^build: failed in build hook "echo "tests failed" …" \(1\/2 commands ok\), \d/),
  );
  expect(outside).toContain('✗ build hook "echo "tests failed" …" exited with code 4');
  const visible = outside.filter((l) => l.trim() !== '' && !l.startsWith('::'));
  expect(visible.at(-1)).toMatch(/^✗ Deploy of shop to production failed in step build \(\d/);
});

test('a rolling switch with activate and a failing health check: a group per batch and step, then switch back', async () => {
  const base = tempDir('da-structure-');
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, 3, ''));
  expect((await runAction({ inputs: inputs(3), workspace: ws.dir })).code).toBe(0);
  ws.write('VERSION', 'v2\n');
  const extra = `    strategy: rolling
    batch_size: 2
    activate:
      - name: reload
        run: "true"
    healthcheck:
      command: 'case "$PWD" in */h2/*) echo "h2 unhealthy"; exit 1;; esac'
      timeout: 2s
      retries: 0
`;
  ws.write('../deploy.yml', config(base, 3, extra));
  const r = await runAction({ inputs: inputs(3), workspace: ws.dir });
  expect(r.code).not.toBe(0);
  const s = structure(r.stdout);
  const [a, b, c] = hosts.map(hostName) as [string, string, string];
  expect(s.groups).toEqual([
    'connect and inspect',
    'stage',
    `switch (${a}, ${b})`,
    `activate (${a}, ${b})`,
    `health check (${a}, ${b})`,
    `switch (${c})`,
    `activate (${c})`,
    `health check (${c})`,
    'switch back',
  ]);
  expect(s.nested).toBe(0);
  const outside = s.lines.filter((l) => l.group === undefined).map((l) => l.text);
  expect(outside).toContainEqual(
    expect.stringMatching(new RegExp(`^health check: failed on ${c} \\(0/1 host ok\\), \\d`)),
  );
  expect(outside).toContainEqual(expect.stringMatching(new RegExp(`^✗ ${c}: healthcheck: unhealthy after 1 attempt`)));
  expect(outside).toContainEqual(expect.stringMatching(/^switch back: 3\/3 hosts, \d/));
  expect(s.lines).toContainEqual({ text: `[${a}] ▶ reload`, group: `activate (${a}, ${b})` });
});

test('the CLI: a heading per phase and the same phase lines, no workflow commands', () => {
  const base = tempDir('da-structure-');
  const ws = makeWorkspace(
    { VERSION: 'v1\n' },
    config(base, 1, `    deploy:\n      - name: migrate\n        run: echo migrating\n`),
  );
  const home = tempDir('da-home-');
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(home, '.ssh/known_hosts'), hosts[0]!.knownHostsLine);
  const cli = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');
  const r = spawnSync(
    process.execPath,
    [cli, 'deploy', 'production', '--source', 'app', '-i', hosts[0]!.privateKeyPath],
    {
      cwd: ws.dir,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home },
      encoding: 'utf8',
    },
  );
  expect({ code: r.status, err: r.status ? r.stderr : '' }).toEqual({ code: 0, err: '' });
  const headings = r.stdout.split('\n').filter((l) => l.startsWith('==> '));
  expect(headings.slice(1)).toEqual(['==> connect and inspect', '==> stage', '==> hooks', '==> switch', '==> finish']);
  expect(r.stdout).toMatch(/^hooks: 1\/1 host, \d/m);
  expect(r.stdout).toContain('▶ migrate');
  expect(r.stdout).not.toMatch(/^::/m);
});

test('a host that cannot be reached: a connect line and the failure, no group, then the result', async () => {
  const base = tempDir('da-structure-');
  const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, 1, ''));
  // Another server's key: the host key check fails before authentication.
  const r = await runAction({ inputs: { ...inputs(1), 'known-hosts': hosts[1]!.knownHostsLine }, workspace: ws.dir });
  expect(r.code).not.toBe(0);
  const s = structure(r.stdout);
  const name = hostName(hosts[0]!);
  expect(s.groups).toEqual([]);
  const visible = s.lines.map((l) => l.text).filter((l) => l.trim() !== '' && !l.startsWith('::'));
  expect(visible).toContainEqual(
    expect.stringMatching(new RegExp(`^connect: failed on ${name} \\(0/1 host ok\\), \\d`)),
  );
  expect(visible).toContainEqual(expect.stringMatching(new RegExp(`^✗ ${name}: connect: `)));
  expect(visible.at(-1)).toMatch(
    new RegExp(`^✗ Deploy of shop to production failed on ${name} in step connect \\(\\d`),
  );
});
