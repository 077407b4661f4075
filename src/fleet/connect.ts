import type { HostConfig } from '../config/index.js';
import type { KnownHosts } from '../transport/known-hosts.js';
import { LocalTransport } from '../transport/local.js';
import type { Transport } from '../transport/types.js';

/** How the runner authenticates and checks hosts. */
export interface Access {
  privateKey?: string;
  passphrase?: string;
  agent?: string;
  knownHosts: KnownHosts;
  connectTimeoutMs: number;
}

/** SSH (ssh2 and its crypto) is loaded on first use: start-up stays quick, and `local` never loads it. */
export async function openTransport(host: HostConfig, access: Access): Promise<Transport> {
  if (host.local) return new LocalTransport();
  const { connectSsh } = await import('../transport/ssh.js');
  return connectSsh({ host: host.host, port: host.port, user: host.user ?? '', name: host.name }, access);
}
