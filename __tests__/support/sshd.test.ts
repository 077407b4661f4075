/**
 * Tests of the test harness itself: real sshd servers (sshd.ts), the system ssh client
 * (ssh-client.ts) and network namespaces (netns.ts).
 */
import fs from 'node:fs';
import net from 'node:net';
import { createTestNetwork, netnsAvailable } from './netns.js';
import { run } from './proc.js';
import { sshRun, sshRunOk } from './ssh-client.js';
import { type SshdHandle, sshAvailable, startSshd } from './sshd.js';

const haveSsh = sshAvailable();
if (!haveSsh) {
  // eslint-disable-next-line no-console
  console.warn('SKIPPING sshd harness tests: /usr/sbin/sshd (openssh-server) is not installed');
}
const describeSsh = haveSsh ? describe : describe.skip;

/** Every process whose command line mentions `needle`. */
function processesMentioning(needle: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      // (the harness's own crash watchdog mentions the dir too; it is killed by stop() but not by netns destroy())
      if (cmd.includes(needle) && !cmd.includes('deploy-test-watchdog')) found.push({ pid: Number(name), cmd });
    } catch {
      // gone
    }
  }
  return found;
}

function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeSsh('startSshd (real OpenSSH server)', () => {
  let server: SshdHandle;
  let startMs = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    server = await startSshd();
    startMs = Date.now() - t0;
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('starts quickly, with the documented shape', async () => {
    expect(startMs).toBeLessThan(3000); // ~100-300 ms normally; generous for loaded CI
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(fs.readFileSync(server.privateKeyPath, 'utf8')).toBe(server.privateKey);
    expect(server.knownHostsLine).toBe(`[127.0.0.1]:${server.port} ssh-ed25519 ${server.knownHostsLine.split(' ')[2]}`);
    expect(server.knownHostsLine).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 AAAA[A-Za-z0-9+/=]+$/);
    expect(fs.existsSync(server.logPath)).toBe(true);
    expect(server.connections()).toBe(0); // the readiness probe is not counted
    expect(server.execRequests()).toBe(0);
  });

  test('hostKeyFingerprint matches ssh-keygen -l', async () => {
    const r = await run('ssh-keygen', ['-l', '-f', server.knownHostsPath]);
    expect(r.code).toBe(0);
    expect(r.stdout.split(' ')[1]).toBe(server.hostKeyFingerprint);
    expect(server.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  test('ssh with the key runs `echo hi`, host key accepted with StrictHostKeyChecking=yes', async () => {
    const r = await sshRun(server, 'echo hi');
    expect(r).toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
    expect((await sshRunOk(server, 'id -un')).trim()).toBe(server.user);
  });

  test('a different host key is rejected (StrictHostKeyChecking really checks)', async () => {
    const other = await startSshd();
    try {
      const wrong = {
        ...server,
        knownHostsPath: undefined,
        knownHostsLine: `[127.0.0.1]:${server.port} ${other.knownHostsLine.split(' ').slice(1).join(' ')}`,
      };
      const r = await sshRun(wrong, 'echo hi');
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
      // and the other server's client key is not authorised here
      const r2 = await sshRun({ ...server, privateKeyPath: other.privateKeyPath }, 'echo hi');
      expect(r2.code).toBe(255);
      expect(r2.stderr).toMatch(/Permission denied/);
    } finally {
      await other.stop();
    }
  });

  test('execRequests() and connections() increase by exactly 1 per `ssh host cmd`', async () => {
    const e0 = server.execRequests();
    const c0 = server.connections();
    for (let i = 1; i <= 3; i++) {
      const r = await sshRun(server, i === 2 ? 'exit 3' : `echo ${i}`);
      expect(r.code).toBe(i === 2 ? 3 : 0);
      expect(server.execRequests()).toBe(e0 + i);
      expect(server.connections()).toBe(c0 + i);
    }
    // stdin is passed through
    expect(await sshRunOk(server, 'cat', 'piped input')).toBe('piped input');
    expect(server.execRequests()).toBe(e0 + 4);
    expect(server.connections()).toBe(c0 + 4);
  });

  test('sftp subsystem works and is not an exec request', async () => {
    const e0 = server.execRequests();
    const r = await run(
      'sftp',
      [
        '-F',
        'none',
        '-b',
        '-',
        '-i',
        server.privateKeyPath,
        '-P',
        String(server.port),
        '-o',
        `UserKnownHostsFile=${server.knownHostsPath}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        `${server.user}@${server.host}`,
      ],
      { input: `ls ${server.dir}\n` },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sshd.log');
    expect(server.execRequests()).toBe(e0);
  });
});

describeSsh('startSshd options', () => {
  test('passphrase encrypts the client key', async () => {
    const server = await startSshd({ passphrase: 'correct horse' });
    try {
      expect(server.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
      const wrong = await run('ssh-keygen', ['-y', '-P', 'wrong', '-f', server.privateKeyPath]);
      expect(wrong.code).not.toBe(0);
      const none = await run('ssh-keygen', ['-y', '-P', '', '-f', server.privateKeyPath]);
      expect(none.code).not.toBe(0);
      const right = await run('ssh-keygen', ['-y', '-P', 'correct horse', '-f', server.privateKeyPath]);
      expect(right.code).toBe(0);
      const plainPub = await run('ssh-keygen', ['-y', '-P', '', '-f', server.plainKeyPath]);
      expect(right.stdout.trim()).toBe(plainPub.stdout.trim()); // same key pair
      expect(server.passphrase).toBe('correct horse');
      expect((await sshRunOk(server, 'echo ok')).trim()).toBe('ok'); // via the plain copy
    } finally {
      await server.stop();
    }
  });

  test.each([
    ['rsa', 'ssh-rsa'],
    ['ecdsa', 'ecdsa-sha2-nistp256'],
  ] as const)('hostKeyType %s', async (type, keyType) => {
    const server = await startSshd({ hostKeyType: type });
    try {
      expect(server.knownHostsLine).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${server.port} ${keyType} AAAA`));
      expect(server.hostKeyType).toBe(keyType);
      expect((await sshRunOk(server, 'echo ok')).trim()).toBe('ok');
    } finally {
      await server.stop();
    }
  });

  test('two servers run at once on different ports', async () => {
    const [a, b] = await Promise.all([startSshd(), startSshd()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.dir).not.toBe(b.dir);
      expect(a.knownHostsLine.split(' ')[2]).not.toBe(b.knownHostsLine.split(' ')[2]);
      const [ra, rb] = await Promise.all([sshRunOk(a, 'echo a'), sshRunOk(b, 'echo b')]);
      expect([ra, rb]).toEqual(['a\n', 'b\n']);
      expect([a.execRequests(), b.execRequests()]).toEqual([1, 1]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('extraConfig lines override defaults (LogLevel DEBUG3)', async () => {
    const server = await startSshd({ extraConfig: ['LogLevel DEBUG3'] });
    try {
      await sshRunOk(server, 'true');
      expect(server.log()).toMatch(/^debug3: /m);
      expect(server.execRequests()).toBe(1);
    } finally {
      await server.stop();
    }
  });

  test('a broken config fails fast with the log in the error', async () => {
    await expect(startSshd({ extraConfig: ['NoSuchOption yes'] })).rejects.toThrow(
      /Bad configuration option|NoSuchOption/,
    );
  });

  test('stop() kills sshd and live sessions, frees the port, removes the dir', async () => {
    const server = await startSshd();
    const marker = `${Math.floor(Math.random() * 1e6)}`;
    const sleeper = sshRun(server, `sleep 3${marker}`); // a session that would outlive the test
    await waitFor(() => processesMentioning(`sleep 3${marker}`).length > 0);
    expect(processesMentioning(server.dir).length).toBeGreaterThan(0); // the listener (config path in argv)

    await server.stop();
    // The test's own ssh client (its argv names the dir) needs a moment to notice the dropped connection.
    await waitFor(() => processesMentioning(server.dir).length === 0, 3000).catch(() => undefined);
    expect(processesMentioning(server.dir)).toEqual([]);
    expect(processesMentioning(`sleep 3${marker}`)).toEqual([]);
    expect(fs.existsSync(server.dir)).toBe(false);
    expect(await isListening(server.host, server.port)).toBe(false);
    expect((await sleeper).code).toBe(255); // connection dropped
    await server.stop(); // idempotent
  });
});

const describeNetns = haveSsh && netnsAvailable() ? describe : describe.skip;
if (haveSsh && !netnsAvailable()) {
  // eslint-disable-next-line no-console
  console.warn(
    'SKIPPING network-namespace harness tests: `ip netns add` is not permitted here (needs root/CAP_NET_ADMIN)',
  );
}

describeNetns('createTestNetwork + sshd in namespaces', () => {
  test('3 namespaces, an sshd in each, all reachable from the root namespace; everything cleaned up', async () => {
    const network = await createTestNetwork(3);
    const servers: SshdHandle[] = [];
    try {
      expect(network.hosts).toHaveLength(3);
      expect(new Set(network.hosts.map((h) => h.address)).size).toBe(3);
      for (const h of network.hosts) expect(h.address).toMatch(/^10\.200\.\d+\.\d+$/);
      servers.push(...(await Promise.all(network.hosts.map((h) => startSshd({ netns: h.ns, address: h.address })))));
      for (const [i, s] of servers.entries()) {
        const h = network.hosts[i]!;
        expect(s.host).toBe(h.address);
        expect(s.knownHostsLine.startsWith(`[${h.address}]:${s.port} ssh-ed25519 `)).toBe(true);
        // The command runs inside the namespace: it sees its own eth0 address and nothing else.
        const out = await sshRunOk(s, 'ip -4 -o addr show');
        expect(out).toContain(`${h.address}/24`);
        for (const other of network.hosts) if (other !== h) expect(out).not.toContain(`${other.address}/`);
        expect(s.execRequests()).toBe(1);
        expect(s.connections()).toBe(1);
      }
      // namespaces reach each other through the bridge too
      const [a, b] = servers;
      const r = await run('ip', [
        'netns',
        'exec',
        network.hosts[0]!.ns,
        'ssh',
        '-F',
        'none',
        '-i',
        b!.privateKeyPath,
        '-p',
        String(b!.port),
        '-o',
        `UserKnownHostsFile=${b!.knownHostsPath}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        `${b!.user}@${b!.host}`,
        'echo from-a',
      ]);
      expect(r.stdout).toBe('from-a\n');
      expect(a).toBeDefined();
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await network.destroy();
    }
    const nsList = (await run('ip', ['netns', 'list'])).stdout;
    for (const h of network.hosts) expect(nsList).not.toContain(h.ns);
    expect((await run('ip', ['link', 'show', network.bridge])).code).not.toBe(0);
    for (const s of servers) expect(processesMentioning(s.dir)).toEqual([]);
    await network.destroy(); // idempotent
  });

  test('two networks at once get different subnets', async () => {
    const [n1, n2] = await Promise.all([createTestNetwork(1), createTestNetwork(2, 'dtnb')]);
    try {
      expect(n1.subnet).not.toBe(n2.subnet);
      expect(n2.hosts[0]!.ns.startsWith('dtnb-')).toBe(true);
    } finally {
      await Promise.all([n1.destroy(), n2.destroy()]);
    }
  });

  test('destroy() also kills processes left running inside the namespaces', async () => {
    const network = await createTestNetwork(1);
    const server = await startSshd({ netns: network.hosts[0]!.ns, address: network.hosts[0]!.address });
    await network.destroy(); // without server.stop()
    expect(processesMentioning(server.dir)).toEqual([]);
    await server.stop();
    expect(fs.existsSync(server.dir)).toBe(false);
  });
});
