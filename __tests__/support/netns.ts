/**
 * Test harness: throw-away network namespaces, each one a "host" with its own address that the
 * ROOT namespace can reach -- so several real sshd servers can each own 10.200.X.Y:22-ish
 * addresses, like a fleet of machines.
 *
 * Layout for createTestNetwork(3):
 *
 *   root ns:  bridge dtnb<X>  10.200.X.1/24
 *               |- dtnv<X>h0 <--veth--> eth0 10.200.X.2/24 in ns "<prefix>-<pid>-<X>-0"
 *               |- dtnv<X>h1 <--veth--> eth0 10.200.X.3/24 in ns "<prefix>-<pid>-<X>-1"
 *               '- dtnv<X>h2 <--veth--> eth0 10.200.X.4/24 in ns "<prefix>-<pid>-<X>-2"
 *
 * Each namespace has loopback up and a default route via 10.200.X.1. X (0..255) is claimed
 * atomically by creating the bridge (`ip link add` fails if the name exists), so parallel jest
 * workers never share a subnet. Leftovers of dead processes are garbage-collected on the next
 * createTestNetwork() and by a watchdog when the creating process dies.
 */
import { spawnSync } from 'node:child_process';
import { addExitHook, pidAlive, run, runOk, runSyncQuiet, spawnWatchdog } from './proc.js';

export interface TestNetwork {
  hosts: { ns: string; address: string }[];
  /** The root-namespace side: bridge name and its address (the hosts' gateway). */
  bridge: string;
  gateway: string;
  /** e.g. '10.200.17.0/24' */
  subnet: string;
  destroy(): Promise<void>;
}

const BRIDGE_ALIAS_PREFIX = 'deploy-action-test-net-pid=';
let seq = 0;

let available: boolean | undefined;

/** Whether we may create namespaces + veths (root with CAP_NET_ADMIN). Probed once, cached. */
export function netnsAvailable(): boolean {
  if (available !== undefined) return available;
  available = false;
  if (process.platform !== 'linux' || (process.getuid && process.getuid() !== 0)) return available;
  const ns = `dtnprobe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const veth = `dtnp${process.pid % 100000}`;
  const ip = (...args: string[]) => spawnSync('ip', args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  try {
    available =
      ip('netns', 'add', ns) &&
      ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns) &&
      ip('-n', ns, 'link', 'set', 'lo', 'up');
  } finally {
    ip('link', 'del', veth);
    ip('netns', 'del', ns);
  }
  return available;
}

interface Resources {
  namespaces: string[];
  bridge: string;
  veths: string[];
}

function cleanupScript(r: Resources): string {
  // Kill whatever still runs inside the namespaces (else `ip netns del` only drops the name
  // and the namespace + its veth live on), then delete namespaces, veths and the bridge.
  const lines: string[] = [];
  for (const ns of r.namespaces) {
    lines.push(`for p in $(ip netns pids '${ns}' 2>/dev/null); do kill -9 "$p" 2>/dev/null; done`);
    lines.push(`ip netns del '${ns}' 2>/dev/null`);
  }
  for (const v of r.veths) lines.push(`ip link del '${v}' 2>/dev/null`);
  lines.push(`ip link del '${r.bridge}' 2>/dev/null`);
  lines.push('true');
  return lines.join('\n');
}

function destroySync(r: Resources): void {
  runSyncQuiet('/bin/sh', ['-c', cleanupScript(r)]);
}

async function destroyAsync(r: Resources): Promise<void> {
  await run('/bin/sh', ['-c', cleanupScript(r)]);
}

/** Remove namespaces/bridges left behind by test processes that no longer exist. */
async function collectGarbage(prefix: string): Promise<void> {
  const nsList = await run('ip', ['netns', 'list']);
  const re = new RegExp(`^(${escapeRe(prefix)}-(\\d+)-\\d+-\\d+)\\b`);
  const dead: string[] = [];
  for (const line of nsList.stdout.split('\n')) {
    const m = re.exec(line.trim());
    if (m && !pidAlive(Number(m[2]))) dead.push(m[1]!);
  }
  const links = await run('ip', ['-o', 'link', 'show', 'type', 'bridge']);
  const deadBridges: string[] = [];
  for (const line of links.stdout.split('\n')) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1];
    const pid = new RegExp(`alias ${escapeRe(BRIDGE_ALIAS_PREFIX)}(\\d+)`).exec(line)?.[1];
    if (name && pid && !pidAlive(Number(pid))) deadBridges.push(name);
  }
  if (dead.length || deadBridges.length) {
    await destroyAsync({ namespaces: dead, veths: [], bridge: deadBridges[0] ?? '' });
    for (const b of deadBridges.slice(1)) await run('ip', ['link', 'del', b]);
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Subnets 10.200.X.0/24 already used by some address or route on this machine. */
async function usedSubnets(): Promise<Set<number>> {
  const used = new Set<number>();
  const [addrs, routes] = await Promise.all([
    run('ip', ['-4', '-o', 'addr', 'show']),
    run('ip', ['-4', 'route', 'show']),
  ]);
  for (const m of (addrs.stdout + routes.stdout).matchAll(/\b10\.200\.(\d+)\./g)) used.add(Number(m[1]));
  return used;
}

/**
 * Create `count` namespaces (1..250), each with one veth end (eth0, 10.200.X.(i+2)/24) whose
 * other end sits in a fresh bridge in the root namespace (10.200.X.1/24).
 * `prefix` (default 'dtn') starts the namespace names; keep it short and [a-z0-9-].
 */
export async function createTestNetwork(count: number, prefix = 'dtn'): Promise<TestNetwork> {
  if (!Number.isInteger(count) || count < 1 || count > 250) throw new Error(`createTestNetwork: bad count ${count}`);
  if (!/^[a-z][a-z0-9-]{0,20}$/i.test(prefix))
    throw new Error(`createTestNetwork: bad prefix ${JSON.stringify(prefix)}`);
  await collectGarbage(prefix).catch(() => undefined);

  // Claim a /24: creating the bridge is the atomic lock.
  const used = await usedSubnets();
  const start = (process.pid * 31 + seq++ * 7) % 256;
  let x = -1;
  let bridge = '';
  let lastErr = '';
  for (let k = 0; k < 256 && x < 0; k++) {
    const cand = (start + k) % 256;
    if (used.has(cand)) continue;
    const name = `dtnb${cand}`;
    const r = await run('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
    if (r.code === 0) {
      x = cand;
      bridge = name;
    } else {
      lastErr = r.stderr.trim();
    }
  }
  if (x < 0) throw new Error(`createTestNetwork: no free 10.200.X.0/24 subnet (${lastErr})`);

  const gateway = `10.200.${x}.1`;
  const hosts: TestNetwork['hosts'] = [];
  const res: Resources = { namespaces: [], veths: [], bridge };
  for (let i = 0; i < count; i++) {
    const ns = `${prefix}-${process.pid}-${x}-${i}`;
    res.namespaces.push(ns);
    res.veths.push(`dtnv${x}h${i}`);
    hosts.push({ ns, address: `10.200.${x}.${i + 2}` });
  }
  const cancelWatchdog = spawnWatchdog(cleanupScript(res));
  const removeExitHook = addExitHook(() => destroySync(res));
  try {
    const rootBatch = [
      `link set dev ${bridge} alias ${BRIDGE_ALIAS_PREFIX}${process.pid}`,
      `addr add ${gateway}/24 dev ${bridge}`,
      `link set dev ${bridge} up`,
    ];
    hosts.forEach((h, i) => {
      const veth = res.veths[i]!;
      rootBatch.push(
        `netns add ${h.ns}`,
        `link add ${veth} type veth peer name eth0 netns ${h.ns}`,
        `link set dev ${veth} master ${bridge}`,
        `link set dev ${veth} up`,
      );
    });
    await runOk('ip', ['-batch', '-'], { input: `${rootBatch.join('\n')}\n` });
    await Promise.all(
      hosts.map((h) =>
        runOk('ip', ['-n', h.ns, '-batch', '-'], {
          input: [
            'link set dev lo up',
            `addr add ${h.address}/24 dev eth0`,
            'link set dev eth0 up',
            `route add default via ${gateway}`,
            '',
          ].join('\n'),
        }),
      ),
    );
  } catch (e) {
    removeExitHook();
    await destroyAsync(res);
    cancelWatchdog();
    throw e;
  }

  let destroyed = false;
  return {
    hosts,
    bridge,
    gateway,
    subnet: `10.200.${x}.0/24`,
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      removeExitHook();
      await destroyAsync(res);
      cancelWatchdog();
    },
  };
}
