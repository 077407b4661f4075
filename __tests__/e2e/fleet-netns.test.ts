/**
 * Fleets on real hosts: five sshd servers, each on its own address in its own network namespace. The hosts share
 * this machine's filesystem, so each has its own deploy_path (`<base>/h1` …).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { createTestNetwork, netnsAvailable, type TestNetwork } from '../support/netns.js';
import { runAction, type ActionResult } from '../support/action.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const canRun = netnsAvailable();
if (!canRun)
  console.warn('fleet-netns: skipped, this machine cannot create network namespaces (needs root and ip netns)');
const maybe = canRun ? describe : describe.skip;

let net: TestNetwork;
let hosts: SshdHandle[] = [];
let health: Server;
let healthPort = 0;
/** Addresses whose HTTP health check answers 503. */
const sick = new Set<string>();

beforeAll(async () => {
  if (!canRun) return;
  net = await createTestNetwork(5, 'dafl');
  hosts = await Promise.all(net.hosts.map((h) => startSshd({ netns: h.ns, address: h.address })));
  for (const h of hosts.slice(1)) h.authorize(hosts[0]!.publicKeyLine());
  health = createServer((req, res) => {
    const host = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    res.writeHead(sick.has(host) ? 503 : 200).end(sick.has(host) ? 'sick' : 'ok');
  });
  await new Promise<void>((r) => health.listen(0, '127.0.0.1', r));
  healthPort = (health.address() as AddressInfo).port;
}, 60_000);

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await net?.destroy();
  await new Promise((r) => (health ? health.close(r) : r(undefined)));
});

function fleetConfig(base: string, extra: string, opts: { hostsYaml?: string } = {}): string {
  const hostsYaml =
    opts.hostsYaml ??
    hosts
      .map(
        (h, i) =>
          `      - { host: ${h.host}, user: ${h.user}, port: ${h.port}, deploy_path: ${JSON.stringify(join(base, `h${i + 1}`))}, labels: [${i < 3 ? 'web' : 'worker'}] }`,
      )
      .join('\n');
  return `name: shop
environments:
  production:
    hosts:
${hostsYaml}
${extra}`;
}

const inputs = (extra: Record<string, string> = {}) => ({
  config: 'deploy.yml',
  source: 'app',
  'ssh-private-key': hosts[0]!.privateKey,
  'known-hosts': hosts.map((h) => h.knownHostsLine).join('\n'),
  ...extra,
});

/** How the action names a host in messages: `user@host:port`. */
const nameOf = (h: SshdHandle) => `${h.user}@${h.host}:${h.port}`;

const lives = (base: string) =>
  hosts.map((_, i) => readFileSync(join(base, `h${i + 1}`, 'current/VERSION'), 'utf8').trim());

async function deploy(ws: Workspace, version: string, extra: Record<string, string> = {}): Promise<ActionResult> {
  ws.write('VERSION', `${version}\n`);
  return runAction({ inputs: inputs(extra), workspace: ws.dir });
}

function ok(r: ActionResult): void {
  expect({ code: r.code, out: r.code ? r.stdout.slice(-2500) : '' }).toEqual({ code: 0, out: '' });
}

maybe('fleets of real hosts (network namespaces)', () => {
  test('five hosts all at once: one release everywhere, a once-hook on exactly one host, a row per host and the switch window', async () => {
    const base = tempDir('da-netns-');
    const marker = join(base, 'once.log');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      fleetConfig(
        base,
        `    deploy:
      - run: echo "$DEPLOY_PATH" >> ${JSON.stringify(marker)}
        once: true
      - echo each > EACH
    activate:
      - echo activated > ACTIVATED
`,
      ),
    );
    const r = await deploy(ws, 'v1');
    ok(r);
    expect(lives(base)).toEqual(['v1', 'v1', 'v1', 'v1', 'v1']);
    for (let i = 1; i <= 5; i++) {
      expect(readlinkSync(join(base, `h${i}`, 'current'))).toBe(`releases/${r.outputs['release']}`);
      expect(readFileSync(join(base, `h${i}`, 'current/EACH'), 'utf8')).toBe('each\n');
      expect(readFileSync(join(base, `h${i}`, 'current/ACTIVATED'), 'utf8')).toBe('activated\n');
    }
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toEqual([join(base, 'h1')]);
    expect(r.summary).toContain('### Hosts');
    for (const h of hosts) expect(r.summary).toContain(`| ${nameOf(h).replace('@', '\\@')} |`);
    expect(r.summary).toMatch(/Switch window \(first to last host\): \d+ ms/);
  });

  test('a deploy hook failing on one host: no host switches', async () => {
    const base = tempDir('da-netns-');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, fleetConfig(base, ''));
    ok(await deploy(ws, 'v1'));
    ws.write(
      '../deploy.yml',
      fleetConfig(base, `    deploy:\n      - 'case "$DEPLOY_PATH" in */h4) echo "h4 is broken" >&2; exit 5;; esac'\n`),
    );
    const r = await deploy(ws, 'v2');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(`${nameOf(hosts[3]!)}: hook "case`);
    expect(lives(base)).toEqual(['v1', 'v1', 'v1', 'v1', 'v1']);
    for (let i = 1; i <= 5; i++) expect(existsSync(join(base, `h${i}`, '.deploy/lock'))).toBe(false);
  });

  test('a health check failing on one host (URL from the runner): every host goes back, the release is marked bad', async () => {
    const base = tempDir('da-netns-');
    const hc = `    healthcheck:\n      url: http://127.0.0.1:${healthPort}/health/{host}\n      timeout: 2s\n      retries: 1\n      interval: 100ms\n    activate:\n      - echo "$DEPLOY_RELEASE" >> ../../activations\n`;
    const ws = makeWorkspace({ VERSION: 'v1\n' }, fleetConfig(base, hc));
    const first = await deploy(ws, 'v1');
    ok(first);
    sick.add(hosts[2]!.host);
    try {
      const r = await deploy(ws, 'v2');
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain(
        `${nameOf(hosts[2]!)}: healthcheck: unhealthy after 2 attempts: HTTP 503, expected 200`,
      );
      expect(lives(base)).toEqual(['v1', 'v1', 'v1', 'v1', 'v1']);
      for (let i = 1; i <= 5; i++) {
        const history = readFileSync(join(base, `h${i}`, '.deploy/history.jsonl'), 'utf8');
        expect(history).toContain('"event":"revert"');
        // Activate ran after the switch and again after the switch back (for the release live again).
        const activations = readFileSync(join(base, `h${i}`, 'activations'), 'utf8')
          .trim()
          .split('\n');
        expect(activations.slice(-1)).toEqual([expect.any(String)]);
        expect(activations.length).toBe(3);
        expect(readdirSync(join(base, `h${i}`, 'releases'))).toEqual([first.outputs['release']]);
      }
      expect(r.summary).toContain('❌ failed after 2 attempts: HTTP 503, expected 200');
      expect(r.summary).toContain('↩️ switched back');
    } finally {
      sick.clear();
    }
  });

  test('rolling, batches of 2: the failing batch and every earlier batch go back; later hosts are never switched', async () => {
    const base = tempDir('da-netns-');
    const extra = `    strategy: rolling\n    batch_size: 2\n    healthcheck:\n      command: 'case "$PWD" in */h3/*) echo "h3 unhealthy"; exit 1;; esac'\n      timeout: 2s\n      retries: 0\n`;
    const ws = makeWorkspace({ VERSION: 'v1\n' }, fleetConfig(base, extra));
    ws.write('../deploy.yml', fleetConfig(base, ''));
    ok(await deploy(ws, 'v1'));
    ws.write('../deploy.yml', fleetConfig(base, extra));
    const r = await deploy(ws, 'v2');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(`${nameOf(hosts[2]!)}: healthcheck`);
    expect(lives(base)).toEqual(['v1', 'v1', 'v1', 'v1', 'v1']);
    const reverted = (i: number) =>
      readFileSync(join(base, `h${i}`, '.deploy/history.jsonl'), 'utf8').includes('"event":"revert"');
    expect([1, 2, 3, 4, 5].map(reverted)).toEqual([true, true, true, true, false]);
  });

  test('the hosts input limits a run to a label; an unreachable host fails fast before anything switches', async () => {
    const base = tempDir('da-netns-');
    const ws = makeWorkspace({ VERSION: 'v1\n' }, fleetConfig(base, ''));
    const web = await deploy(ws, 'v1', { hosts: 'label=web' });
    ok(web);
    expect([1, 2, 3, 4, 5].map((i) => existsSync(join(base, `h${i}`, 'current')))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    ok(await deploy(ws, 'v1'));
    const deadAddress = net.hosts[0]!.address.replace(/\.\d+$/, '.250');
    const hostsYaml =
      hosts
        .map(
          (h, i) =>
            `      - { host: ${h.host}, user: ${h.user}, port: ${h.port}, deploy_path: ${JSON.stringify(join(base, `h${i + 1}`))} }`,
        )
        .join('\n') +
      `\n      - { host: ${deadAddress}, user: root, port: 22, deploy_path: ${JSON.stringify(join(base, 'dead'))} }`;
    // No retries (connect-timeout × 3 tries): failing before anything switches is what this test is about.
    ws.write('../deploy.yml', fleetConfig(base, '    connect_retries: 0\n', { hostsYaml }));
    const t0 = Date.now();
    const r = await deploy(ws, 'v2', { 'connect-timeout': '3' });
    expect(r.code).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.stdout).toContain(`root@${deadAddress}: connect`);
    expect(lives(base)).toEqual(['v1', 'v1', 'v1', 'v1', 'v1']);
    for (let i = 1; i <= 5; i++) expect(existsSync(join(base, `h${i}`, '.deploy/lock'))).toBe(false);
  });
});
