/**
 * Targeted hooks and per-host settings on three real hosts (sshd each in its own network namespace, sharing this
 * machine's filesystem: each host has its own deploy_path): `once: label=db`, `on: label=web`, `on: label=worker`,
 * a host's `env` and `vars` in its hooks and health check, through dist/index.js and the CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { createTestNetwork, netnsAvailable, type TestNetwork } from '../support/netns.js';
import { runAction, type ActionResult } from '../support/action.js';
import { makeWorkspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const canRun = netnsAvailable();
if (!canRun) console.warn('targets-netns: skipped, this machine cannot create network namespaces');
const maybe = canRun ? describe : describe.skip;
const CLI = resolve(new URL('.', import.meta.url).pathname, '../../dist/cli/index.js');

let net: TestNetwork;
let hosts: SshdHandle[] = [];

beforeAll(async () => {
  if (!canRun) return;
  net = await createTestNetwork(3, 'datg');
  hosts = await Promise.all(net.hosts.map((h) => startSshd({ netns: h.ns, address: h.address })));
  for (const h of hosts.slice(1)) h.authorize(hosts[0]!.publicKeyLine());
}, 60_000);

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await net?.destroy();
});

const SECRET = 'per-host-Secret-7f3a9';
const LABELS = ['db', 'web', 'worker'];

/** h1 (db), h2 (web: a REGION var and its own TOKEN env from a secret), h3 (worker: a WORKER_ID var). */
function config(base: string): string {
  const own = ['', ', REGION: eu', ', WORKER_ID: 7'];
  const entries = hosts.map(
    (h, i) =>
      `      - host: ${h.host}
        user: ${h.user}
        port: ${h.port}
        deploy_path: ${JSON.stringify(join(base, `h${i + 1}`))}
        labels: [${LABELS[i]}]
        vars: { NODE: h${i + 1}${own[i]} }${i === 1 ? '\n        env: { TOKEN: "${HOST_TOKEN}" }' : ''}`,
  );
  return `name: shop
environments:
  production:
    hosts:
${entries.join('\n')}
    env: { APP_ENV: production, TOKEN: none }
    deploy:
      - name: migrate
        run: echo "migrate $NODE" >> ran.log
        once: label=db
      - name: warm
        run: echo "warm $NODE $REGION $TOKEN" >> ran.log; echo "token is $TOKEN"
        on: label=web
      - echo "each $NODE $APP_ENV $TOKEN" >> ran.log
    activate:
      - name: restart queue
        run: echo "restart $NODE $WORKER_ID" >> ran.log
        on: [label=worker]
    healthcheck:
      command: echo "health $NODE" >> "$DEPLOY_PATH/current/ran.log"
      retries: 0
`;
}

const inputs = (extra: Record<string, string> = {}) => ({
  config: 'deploy.yml',
  source: 'app',
  'ssh-private-key': hosts[0]!.privateKey,
  'known-hosts': hosts.map((h) => h.knownHostsLine).join('\n'),
  ...extra,
});

const nameOf = (h: SshdHandle) => `${h.user}@${h.host}:${h.port}`;
const ran = (base: string, i: number) =>
  readFileSync(join(base, `h${i}`, 'current/ran.log'), 'utf8')
    .trim()
    .split('\n');
const releasesOf = (base: string, i: number) =>
  existsSync(join(base, `h${i}`, 'releases')) ? readdirSync(join(base, `h${i}`, 'releases')) : [];

/** A text as the runner shows it: each value of the run's `::add-mask::` (`masks`) as `***`, mask commands gone. */
let masks: string[] = [];
function asShown(text: string): string {
  let shown = text
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  for (const m of masks.filter(Boolean).sort((a, b) => b.length - a.length)) shown = shown.split(m).join('***');
  return shown;
}

function ok(r: { code: number | null; stdout: string }): void {
  expect({ code: r.code, out: r.code ? r.stdout.slice(-2500) : '' }).toEqual({ code: 0, out: '' });
}

maybe('targeted hooks and per-host settings on three hosts (network namespaces)', () => {
  test('each hook runs exactly where it should, with the host’s env and vars; the secret is masked', async () => {
    const base = tempDir('da-targets-');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base));
    const env = { HOST_TOKEN: SECRET };
    const r: ActionResult = await runAction({ inputs: inputs(), workspace: ws.dir, env });
    ok(r);
    expect(ran(base, 1)).toEqual(['migrate h1', 'each h1 production none', 'health h1']);
    expect(ran(base, 2)).toEqual([`warm h2 eu ${SECRET}`, `each h2 production ${SECRET}`, 'health h2']);
    expect(ran(base, 3)).toEqual(['each h3 production none', 'restart h3 7', 'health h3']);
    // The host's env from a secret is masked: the runner is told (`::add-mask::`), so the log shows what the hook
    // printed as `***`, in the log and the job summary alike.
    expect(r.stdout).toContain(`::add-mask::${SECRET}`);
    masks = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice('::add-mask::'.length));
    expect(asShown(r.stdout)).toContain('token is ***');
    expect(asShown(r.summary)).toContain('token is ***');
    for (const text of [r.stdout, r.stderr, r.summary]) expect(asShown(text)).not.toContain(SECRET);

    // A dry run's plan says where each targeted hook runs and shows the hosts' vars (never a host's env).
    const plan = await runAction({ inputs: inputs({ 'dry-run': 'true' }), workspace: ws.dir, env });
    ok(plan);
    const shown = plan.summary.replace(/\\/g, ''); // Markdown escapes (`root\@…`, `WORKER\_ID`) aside
    expect(shown).toContain(`deploy hook "migrate" (once: label=db): ${nameOf(hosts[0]!)}`);
    expect(shown).toContain(`deploy hook "warm" (on: label=web): ${nameOf(hosts[1]!)}`);
    expect(shown).toContain(`activate hook "restart queue" (on: label=worker): ${nameOf(hosts[2]!)}`);
    expect(shown).toContain('Vars: NODE=h2, REGION=eu');
    expect(shown).toContain('Vars: NODE=h3, WORKER_ID=7');
    expect(plan.summary).not.toContain(SECRET);
    expect(shown).not.toContain('TOKEN=');
  }, 60_000);

  test('a hosts selection without the db host fails before connecting; with it, the migration runs there only (CLI)', async () => {
    const base = tempDir('da-targets-');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base));
    const env = { HOST_TOKEN: SECRET };
    const refused = await runAction({ inputs: inputs({ hosts: 'label=web,label=worker' }), workspace: ws.dir, env });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain(
      'the deploy hook "migrate" (once: label=db) must run once, on a host that this run leaves out: add label=db to the hosts to deploy to',
    );
    expect([1, 2, 3].map((i) => releasesOf(base, i))).toEqual([[], [], []]);

    const knownHosts = join(ws.dir, 'known_hosts');
    writeFileSync(knownHosts, `${hosts.map((h) => h.knownHostsLine).join('\n')}\n`);
    const key = hosts[0]!.privateKeyPath;
    const cli = (...hostList: string[]) =>
      spawnSync(
        process.execPath,
        [
          CLI,
          'deploy',
          'production',
          '--source',
          'app',
          '-i',
          key,
          '--known-hosts',
          knownHosts,
          '--no-ssh-config',
          '--hosts',
          ...hostList,
        ],
        {
          cwd: ws.dir,
          env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: ws.dir, HOST_TOKEN: SECRET },
          encoding: 'utf8',
        },
      );
    const cliRefused = cli('label=worker');
    expect(cliRefused.status).not.toBe(0);
    expect(`${cliRefused.stdout}${cliRefused.stderr}`).toContain('add label=db to the hosts to deploy to');

    const deployed = cli(`${hosts[0]!.host},label=worker`);
    ok({ code: deployed.status, stdout: `${deployed.stdout}${deployed.stderr}` });
    expect(ran(base, 1)).toEqual(['migrate h1', 'each h1 production none', 'health h1']);
    expect(ran(base, 3)).toEqual(['each h3 production none', 'restart h3 7', 'health h3']);
    expect(releasesOf(base, 2)).toEqual([]);
  }, 60_000);
});
