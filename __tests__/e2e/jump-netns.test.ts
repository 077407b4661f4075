/**
 * Private networks: targets reachable only through jump hosts (or a proxy command), each in its own network
 * namespace. The runner's namespace reaches the bastion (on the test bridge) and nothing else:
 *
 *   runner ── bridge ── bastion ──(10.203.X.0/24)── target       (one hop)
 *                          └────(10.201.X.0/24)── inner ──(10.202.X.0/24)── target   (a chain of two)
 *
 * The inner bastion and the target are on the bridge only while their sshd starts (the harness checks readiness
 * from here); then their bridge side goes down. Deploys run through dist/index.js as the runner runs it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DIST, runAction, startAction, type ActionResult } from '../support/action.js';
import { createTestNetwork, netnsAvailable, type TestNetwork } from '../support/netns.js';
import { run, runOk } from '../support/proc.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { makeWorkspace, type Workspace } from '../support/workspace.js';
import { tempDir } from '../support/temp-dirs.js';

const canRun = netnsAvailable();
if (!canRun)
  console.warn('jump-netns: skipped, this machine cannot create network namespaces (needs root and ip netns)');
const maybe = canRun ? describe : describe.skip;

let net: TestNetwork;
let bastion: SshdHandle;
let inner: SshdHandle;
let target: SshdHandle;
/** Addresses on the private links: inner's (from the bastion), the target's from inner and from the bastion. */
let innerAddr = '';
let targetViaInner = '';
let targetViaBastion = '';

/** A veth pair between two namespaces, `<subnet>.1` on the first and `<subnet>.2` on the second. */
async function link(a: string, b: string, dev: string, subnet: string): Promise<void> {
  await runOk('ip', ['-n', a, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', dev, 'netns', b]);
  for (const [ns, addr] of [
    [a, `${subnet}.1`],
    [b, `${subnet}.2`],
  ] as const) {
    await runOk('ip', ['-n', ns, '-batch', '-'], { input: `addr add ${addr}/24 dev ${dev}\nlink set dev ${dev} up\n` });
  }
}

/** A known_hosts line of `h` under another address. */
const pinAs = (h: SshdHandle, address: string) => h.knownHostsLine.replace(/^\S+/, `[${address}]:${h.port}`);

/** Whether a TCP connection from the runner's namespace to address:port comes up within a second. */
function reachable(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(1000, () => done(false));
  });
}

beforeAll(async () => {
  if (!canRun) return;
  net = await createTestNetwork(3, 'dajp');
  const x = net.gateway.split('.')[2];
  const [b, i, t] = net.hosts;
  await link(b!.ns, i!.ns, 'pj1', `10.201.${x}`);
  await link(i!.ns, t!.ns, 'pj2', `10.202.${x}`);
  await link(b!.ns, t!.ns, 'pj3', `10.203.${x}`);
  innerAddr = `10.201.${x}.2`;
  targetViaInner = `10.202.${x}.2`;
  targetViaBastion = `10.203.${x}.2`;
  [bastion, inner, target] = await Promise.all([
    startSshd({ netns: b!.ns, address: b!.address }),
    startSshd({ netns: i!.ns, address: i!.address, extraConfig: [`ListenAddress ${innerAddr}`] }),
    startSshd({
      netns: t!.ns,
      address: t!.address,
      extraConfig: [`ListenAddress ${targetViaInner}`, `ListenAddress ${targetViaBastion}`],
    }),
  ]);
  // From now on the inner bastion and the target have no route to or from the runner.
  await runOk('ip', ['-n', i!.ns, 'link', 'set', 'dev', 'eth0', 'down']);
  await runOk('ip', ['-n', t!.ns, 'link', 'set', 'dev', 'eth0', 'down']);
  for (const h of [inner, target]) h.authorize(bastion.publicKeyLine());
}, 60_000);

afterAll(async () => {
  await Promise.all([bastion, inner, target].map((h) => h?.stop()));
  await net?.destroy();
});

const hop = (h: SshdHandle, address = h.host) => `${h.user}@${address}:${h.port}`;

function config(base: string, env: string, host: string): string {
  return `name: shop
environments:
  production:
${env}    hosts:
      - ${host}
    deploy_path: ${JSON.stringify(join(base, 'app'))}
`;
}

function knownHosts(): string {
  return [
    bastion.knownHostsLine,
    pinAs(inner, innerAddr),
    pinAs(target, targetViaInner),
    pinAs(target, targetViaBastion),
  ].join('\n');
}

async function deploy(
  ws: Workspace,
  extra: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<ActionResult> {
  return runAction({
    inputs: {
      config: 'deploy.yml',
      source: 'app',
      'ssh-private-key': bastion.privateKey,
      'known-hosts': knownHosts(),
      'connect-timeout': '5',
      ...extra,
    },
    workspace: ws.dir,
    env,
  });
}

function ok(r: ActionResult): void {
  expect({ code: r.code, out: r.code ? r.stdout.slice(-2500) : '' }).toEqual({ code: 0, out: '' });
}

const live = (base: string) => readFileSync(join(base, 'app/current/VERSION'), 'utf8').trim();

maybe('private networks (network namespaces)', () => {
  test('the target has no route from the runner', async () => {
    expect(await reachable(bastion.host, bastion.port)).toBe(true);
    expect(await reachable(targetViaBastion, target.port)).toBe(false);
    expect(await reachable(targetViaInner, target.port)).toBe(false);
    expect(await reachable(innerAddr, inner.port)).toBe(false);
  });

  test('through a bastion (environment `jump`): deployed with one exec on the target, none on the bastion; the log names the path', async () => {
    const base = tempDir('da-jump-');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      config(base, `    jump: ${hop(bastion)}\n`, `${target.user}@${targetViaBastion}:${target.port}`),
    );
    const [targetExecs, bastionExecs] = [target.execRequests(), bastion.execRequests()];
    const r = await deploy(ws);
    ok(r);
    expect(live(base)).toBe('v1');
    expect(target.execRequests() - targetExecs).toBe(1);
    expect(bastion.execRequests() - bastionExecs).toBe(0);
    expect(r.stdout).toContain(`${target.user}@${targetViaBastion}:${target.port}: via ${hop(bastion)}`);
    // The summary's hosts table names the path too (Markdown escapes `@`).
    expect(r.summary).toContain(
      `| ${target.user}\\@${targetViaBastion}:${target.port} (via ${bastion.user}\\@${bastion.host}:${bastion.port}) | ✅`,
    );
  });

  test('a chain of two jump hosts (host-level `jump` list, overriding the environment)', async () => {
    const base = tempDir('da-jump-');
    const host = `{ host: ${targetViaInner}, user: ${target.user}, port: ${target.port}, jump: [${hop(bastion)}, ${hop(inner, innerAddr)}] }`;
    const ws = makeWorkspace({ VERSION: 'v2\n' }, config(base, '    jump: nobody@192.0.2.1\n', host));
    const [targetExecs, innerExecs] = [target.execRequests(), inner.execRequests()];
    const r = await deploy(ws);
    ok(r);
    expect(live(base)).toBe('v2');
    expect(target.execRequests() - targetExecs).toBe(1);
    expect(inner.execRequests() - innerExecs).toBe(0);
    expect(r.stdout).toContain(`via ${hop(bastion)}, ${hop(inner, innerAddr)}`);
  });

  test('a bastion whose host key is not the pinned one: fails closed, naming the hop, and the target is never tried', async () => {
    const base = tempDir('da-jump-');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      config(base, `    jump: ${hop(bastion)}\n`, `${target.user}@${targetViaBastion}:${target.port}`),
    );
    const connections = target.connections();
    const accepted = () => (bastion.log().match(/Accepted publickey/g) ?? []).length;
    const logins = accepted();
    // The bastion pinned with another server's key.
    const wrong = target.knownHostsLine.replace(/^\S+/, `[${bastion.host}]:${bastion.port}`);
    const r = await deploy(ws, { 'known-hosts': [wrong, pinAs(target, targetViaBastion)].join('\n') });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(`jump host ${hop(bastion)} (hop 1 of 1): `);
    expect(r.stdout).toMatch(/host key/i);
    expect(target.connections()).toBe(connections);
    expect(accepted()).toBe(logins);
    expect(existsSync(join(base, 'app'))).toBe(false);
  });

  test('a dead bastion fails fast, naming the hop', async () => {
    const base = tempDir('da-jump-');
    // The bastion's address, a port where nothing listens: refused at once.
    const dead = `${bastion.user}@${bastion.host}:1`;
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      config(
        base,
        `    jump: [${dead}, ${hop(inner, innerAddr)}]\n`,
        `${target.user}@${targetViaInner}:${target.port}`,
      ),
    );
    const t0 = Date.now();
    const r = await deploy(ws);
    expect(r.code).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.stdout).toContain(`jump host ${dead} (hop 1 of 2): `);
  });

  /** `ssh -W` through the bastion, as a proxy command; `marker` names the process (to find it afterwards). */
  const sshW = (marker: string) =>
    `exec -a ${marker} ssh -F none -i ${bastion.plainKeyPath} -o BatchMode=yes -o StrictHostKeyChecking=yes ` +
    `-o UserKnownHostsFile=${bastion.knownHostsPath} -p ${bastion.port} -W %h:%p ${bastion.user}@${bastion.host}`;
  const proxied = (command: string) =>
    `{ host: ${targetViaBastion}, user: ${target.user}, port: ${target.port}, proxy_command: ${JSON.stringify(command)} }`;

  test('a proxy command (`ssh -W %h:%p`): deployed with one exec on the target, its stderr in the log as host text, stopped at the end', async () => {
    const base = tempDir('da-jump-');
    const marker = `da-proxy-${process.pid}`;
    const command = `echo '::error::forged by the proxy' >&2; ${sshW(marker)}`;
    const ws = makeWorkspace({ VERSION: 'v3\n' }, config(base, '', proxied(command)));
    const targetExecs = target.execRequests();
    const r = await deploy(ws);
    ok(r);
    expect(live(base)).toBe('v3');
    expect(target.execRequests() - targetExecs).toBe(1);
    expect(r.stdout).toContain('via proxy command `echo');
    // The proxy's stderr is in the log, never as a workflow command.
    expect(r.stdout).toMatch(/proxy command: .*::error::forged by the proxy/);
    expect(r.stdout.split('\n').some((l) => l.trim().startsWith('::error::forged'))).toBe(false);
    const left = await run('pgrep', ['-f', marker]);
    expect(left.stdout).toBe('');
  });

  test('a proxy command that exits before the handshake: a clear error naming the command, at once', async () => {
    const base = tempDir('da-jump-');
    const command = 'echo "no tunnel to %h" >&2; exit 3';
    const ws = makeWorkspace({ VERSION: 'v1\n' }, config(base, '', proxied(command)));
    const t0 = Date.now();
    const r = await deploy(ws);
    expect(r.code).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.stdout).toContain(
      `proxy command \`echo "no tunnel to ${targetViaBastion}" >&2; exit 3\` exited with code 3: no tunnel to ${targetViaBastion}`,
    );
  });

  test('a cancelled run stops its proxy command (after the abort path used it)', async () => {
    const base = tempDir('da-jump-');
    const marker = `da-proxy-cancel-${process.pid}`;
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      `${config(base, '', proxied(sshW(marker)))}    deploy:\n      - sleep 21\n`,
    );
    const running = startAction({
      inputs: {
        config: 'deploy.yml',
        source: 'app',
        'ssh-private-key': bastion.privateKey,
        'known-hosts': knownHosts(),
      },
      workspace: ws.dir,
    });
    await running.waitFor(/▶ .*sleep 21/, 30_000);
    expect((await run('pgrep', ['-f', marker])).stdout).not.toBe('');
    running.child.kill('SIGINT');
    const r = await running.done;
    expect(r.code).not.toBe(0);
    expect(existsSync(join(base, 'app/.deploy/lock'))).toBe(false);
    expect((await run('pgrep', ['-f', marker])).stdout).toBe('');
  });

  test('a jump host that refuses to forward: the error names the hop, the address and AllowTcpForwarding', async () => {
    const noForward = await startSshd({
      netns: net.hosts[0]!.ns,
      address: net.hosts[0]!.address,
      extraConfig: ['AllowTcpForwarding no'],
    });
    try {
      noForward.authorize(bastion.publicKeyLine());
      const base = tempDir('da-jump-');
      const ws = makeWorkspace(
        { VERSION: 'v1\n' },
        config(base, `    jump: ${hop(noForward)}\n`, `${target.user}@${targetViaBastion}:${target.port}`),
      );
      const r = await deploy(ws, { 'known-hosts': `${knownHosts()}\n${noForward.knownHostsLine}` });
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain(
        `jump host ${hop(noForward)} (hop 1 of 1) could not reach ${target.user}@${targetViaBastion}:${target.port} at ${targetViaBastion}:${target.port}: `,
      );
      expect(r.stdout).toContain('AllowTcpForwarding');
    } finally {
      await noForward.stop();
    }
  });
  /** What the runner shows of `text`: each `::add-mask::` value (longest first) as `***`, the mask lines gone. */
  function asShown(r: ActionResult, text: string): string {
    const lines = r.stdout.split('\n');
    const masks = lines
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

  test('the jump host from a secret (`jump: ${BASTION}`): deployed; log, summary, outputs and history never show it, the path reads `via ***`', async () => {
    const base = tempDir('da-jump-');
    const ws = makeWorkspace(
      { VERSION: 'v4\n' },
      config(base, '    jump: ${BASTION}\n', `${target.user}@${targetViaBastion}:${target.port}`),
    );
    const secret = hop(bastion);
    const r = await runAction({
      inputs: {
        config: 'deploy.yml',
        source: 'app',
        'ssh-private-key': bastion.privateKey,
        'known-hosts': knownHosts(),
        'connect-timeout': '5',
      },
      workspace: ws.dir,
      env: { BASTION: secret },
    });
    ok(r);
    expect(live(base)).toBe('v4');
    expect(r.stdout).toContain(`::add-mask::${secret}`);
    expect(r.stdout).toContain(`::add-mask::${bastion.host}`);
    const leaked = (text: string) => [secret, bastion.host].filter((s) => text.includes(s));
    expect(leaked(asShown(r, r.stdout))).toEqual([]);
    expect(leaked(asShown(r, r.stderr))).toEqual([]);
    // The summary and the outputs as written (the runner masks neither file).
    expect(leaked(r.summary)).toEqual([]);
    expect(leaked(Object.values(r.outputs).join('\n'))).toEqual([]);
    expect(leaked(readFileSync(join(base, 'app/.deploy/history.jsonl'), 'utf8'))).toEqual([]);
    expect(r.stdout).toContain(`${target.user}@${targetViaBastion}:${target.port}: via ***`);
    expect(r.summary).toContain(`| ${target.user}\\@${targetViaBastion}:${target.port} (via \\*\\*\\*) | ✅`);
  });

  test('an unset ${BASTION}: a config error naming file, line and key; nothing connects', async () => {
    const base = tempDir('da-jump-');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      config(base, '    jump: ${BASTION}\n', `${target.user}@${targetViaBastion}:${target.port}`),
    );
    const connections = bastion.connections();
    const r = await deploy(ws);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /::error [^\n]*file=deploy\.yml,line=4[^\n]*environments\.production\.jump: references \$\{BASTION\}, which is not set/,
    );
    expect(bastion.connections()).toBe(connections);
  });
  test('a proxy command through `nc %h %p` on the bastion (the classic ProxyCommand), the bastion from a secret: deployed, the value masked', async () => {
    const base = tempDir('da-jump-');
    const command =
      `ssh -F none -i ${bastion.plainKeyPath} -o BatchMode=yes -o StrictHostKeyChecking=yes ` +
      `-o UserKnownHostsFile=${bastion.knownHostsPath} -p ${bastion.port} \${BASTION_LOGIN} nc %h %p`;
    const ws = makeWorkspace({ VERSION: 'v5\n' }, config(base, '', proxied(command)));
    const targetExecs = target.execRequests();
    const login = `${bastion.user}@${bastion.host}`;
    const r = await deploy(ws, {}, { BASTION_LOGIN: login });
    ok(r);
    expect(live(base)).toBe('v5');
    expect(target.execRequests() - targetExecs).toBe(1);
    // The path shown is the command as written; the value is masked wherever it could appear.
    expect(r.stdout).toContain(' ${BASTION_LOGIN} nc %h %p`');
    expect(r.stdout).toContain(`::add-mask::${login}`);
    expect([login, bastion.host].filter((v) => asShown(r, r.stdout).includes(v) || r.summary.includes(v))).toEqual([]);
  });

  /** The bundled CLI (`deploy-action`), with HOME a temp dir holding ~/.ssh/known_hosts and `files` (under ~/.ssh). */
  function cli(args: string[], cwd: string, files: Record<string, string> = {}) {
    const home = tempDir('da-home-');
    mkdirSync(join(home, '.ssh/config.d'), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, '.ssh/known_hosts'), `${knownHosts()}\n`);
    for (const [path, text] of Object.entries(files)) writeFileSync(join(home, '.ssh', path), text);
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'alice' };
    const child = spawn(process.execPath, [resolve(DIST, '../cli/index.js'), ...args], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let all = '';
    child.stdout.on('data', (d: Buffer) => (all += d.toString()));
    child.stderr.on('data', (d: Buffer) => (all += d.toString()));
    return new Promise<{ code: number | null; all: string }>((done) =>
      child.on('close', (code) => done({ code, all })),
    );
  }
  const cliOk = (r: { code: number | null; all: string }) =>
    expect({ code: r.code, out: r.code ? r.all.slice(-2500) : '' }).toEqual({ code: 0, out: '' });

  test('the CLI through a bastion: `deploy-action deploy` and `deploy-action doctor` reach a target with no other route', async () => {
    const base = tempDir('da-jump-');
    const ws = makeWorkspace(
      { VERSION: 'v6\n' },
      config(base, `    jump: ${hop(bastion)}\n`, `${target.user}@${targetViaBastion}:${target.port}`),
    );
    const targetExecs = target.execRequests();
    const deployed = await cli(['deploy', 'production', '--source', 'app', '-i', bastion.plainKeyPath], ws.dir);
    cliOk(deployed);
    expect(live(base)).toBe('v6');
    expect(target.execRequests() - targetExecs).toBe(1);
    expect(deployed.all).toContain(`via ${hop(bastion)}`);
    const doctor = await cli(['doctor', 'production', '--source', 'app', '-i', bastion.plainKeyPath], ws.dir);
    cliOk(doctor);
    expect(doctor.all).toMatch(/deploy lock.*✓|✓.*deploy lock/);
  });

  test('the CLI with ~/.ssh/config `ProxyJump` (the jump host in a file it includes): deploy.yml names only an alias', async () => {
    const base = tempDir('da-jump-');
    const ws = makeWorkspace({ VERSION: 'v7\n' }, config(base, '', 'private-web'));
    const sshConfig = [
      'Include config.d/*.conf',
      'Host private-web',
      `  HostName ${targetViaBastion}`,
      `  Port ${target.port}`,
      `  User ${target.user}`,
      '  ProxyJump edge',
      'Host *',
      `  IdentityFile ${bastion.plainKeyPath}`,
      '',
    ].join('\n');
    const edge = `Host edge\n  HostName ${bastion.host}\n  Port ${bastion.port}\n  User ${bastion.user}\n`;
    const r = await cli(['deploy', 'production', '--source', 'app', '-v'], ws.dir, {
      config: sshConfig,
      'config.d/edge.conf': edge,
    });
    cliOk(r);
    expect(live(base)).toBe('v7');
    expect(r.all).toContain('ProxyJump edge');
    expect(r.all).toContain(`via ${hop(bastion)}`);
  });

  test('a jump host that accepts TCP and never answers: each try fails within connect-timeout naming the hop, and is tried again', async () => {
    // A listener on the runner's side that takes the connection and says nothing (no SSH banner).
    const silent = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, net.gateway, done));
    const port = (silent.address() as { port: number }).port;
    try {
      const base = tempDir('da-jump-');
      const ws = makeWorkspace(
        { VERSION: 'v1\n' },
        config(base, `    jump: root@${net.gateway}:${port}\n`, `${target.user}@${targetViaBastion}:${target.port}`),
      );
      const t0 = Date.now();
      const r = await deploy(ws, { 'connect-timeout': '3' });
      const took = Date.now() - t0;
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain(`jump host root@${net.gateway}:${port} (hop 1 of 1): `);
      expect(r.stdout).toMatch(/timed out|no SSH/i);
      // Retried as a target's connection would be (default connect_retries), all within connect-timeout × tries.
      expect(r.stdout).toMatch(/jump host root@[^\n]* \(hop 1 of 1\): [^\n]*— retrying in 1 s \(2 of 3\)/);
      expect(took).toBeLessThan(3 * 3_000 + 4_000);
    } finally {
      silent.close();
    }
  });

  test('the second hop of a chain accepts TCP and never answers: fails within connect-timeout, naming that hop', async () => {
    // A silent listener inside the bastion's namespace, on its side of the link to the inner bastion.
    const x = net.gateway.split('.')[2];
    const address = `10.201.${x}.1`;
    const listener = spawn(
      'ip',
      [
        'netns',
        'exec',
        net.hosts[0]!.ns,
        process.execPath,
        '-e',
        `require('net').createServer(()=>{}).listen(2299, '${address}', () => console.log('up'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((done) => listener.stdout.once('data', done));
    try {
      const base = tempDir('da-jump-');
      const ws = makeWorkspace(
        { VERSION: 'v1\n' },
        config(
          base,
          `    jump: [${hop(bastion)}, root@${address}:2299]\n    connect_retries: 0\n`,
          `${target.user}@${targetViaInner}:${target.port}`,
        ),
      );
      const t0 = Date.now();
      const r = await deploy(ws, { 'connect-timeout': '3' });
      const took = Date.now() - t0;
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain(`jump host root@${address}:2299 (hop 2 of 2): `);
      expect(took).toBeLessThan(12_000);
    } finally {
      listener.kill();
    }
  });
  test('a target whose packets the network drops beyond the bastion: fails within connect-timeout, naming the hop and the address', async () => {
    // An address on the bastion's link to the target whose frames go to a MAC no one has: SYNs go unanswered.
    const x = net.gateway.split('.')[2];
    const lost = `10.203.${x}.99`;
    const ns = net.hosts[0]!.ns;
    await runOk('ip', [
      '-n',
      ns,
      'neigh',
      'replace',
      lost,
      'lladdr',
      '02:00:00:00:00:99',
      'dev',
      'pj3',
      'nud',
      'permanent',
    ]);
    const base = tempDir('da-jump-');
    const ws = makeWorkspace(
      { VERSION: 'v1\n' },
      config(base, `    jump: ${hop(bastion)}\n    connect_retries: 0\n`, `${target.user}@${lost}:${target.port}`),
    );
    const t0 = Date.now();
    const r = await deploy(ws, { 'connect-timeout': '3' });
    const took = Date.now() - t0;
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(
      `jump host ${hop(bastion)} (hop 1 of 1) could not reach ${target.user}@${lost}:${target.port} at ${lost}:${target.port}: no answer within 3 s`,
    );
    expect(took).toBeLessThan(12_000);
  });
});
