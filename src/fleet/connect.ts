import type { HostConfig } from '../config/index.js';
import type { KnownHosts } from '../transport/known-hosts.js';
import { LocalTransport } from '../transport/local.js';
import { connectSsh } from '../transport/ssh.js';
import type { Transport } from '../transport/types.js';

/** How the runner authenticates and checks hosts. */
export interface Access {
  privateKey?: string;
  passphrase?: string;
  agent?: string;
  knownHosts: KnownHosts;
  connectTimeoutMs: number;
}

export function openTransport(host: HostConfig, access: Access): Promise<Transport> {
  if (host.local) return Promise.resolve(new LocalTransport());
  return connectSsh({ host: host.host, port: host.port, user: host.user ?? '', name: host.name }, access);
}
