/** How a host is reached: `jump` (one jump host or a chain of them) and `proxy_command`. */
import { isScalar, isSeq } from 'yaml';
import { describeNode, type Cursor } from './cursor.js';
import { HOST_SPEC_PATTERN, LOCAL, readHostSpec } from './hosts.js';
import type { Kind } from './kind.js';
import { readText } from './kinds.js';
import { readList } from './list-kinds.js';
import type { HostConfig, JumpHost } from './types.js';

/** The most hops a chain may have (OpenSSH has no limit; a longer chain is a typo more likely than a network). */
export const MAX_JUMP_HOPS = 8;

function readHop(item: unknown, at: Cursor): JumpHost | undefined {
  const spec = readText(item, at);
  if (spec === undefined) return undefined;
  if (spec === LOCAL) return at.problem(item, '`local` cannot be a jump host: write `user@host:port`');
  const result = readHostSpec(spec, at.position(item));
  if ('problem' in result) return at.problem(item, result.problem);
  const { host, user, port } = result.host;
  return { host, user, port };
}

/**
 * `jump`: one host entry (`user@host:port`, user and port optional) or a list of them, the first reached first
 * (OpenSSH's ProxyJump). An empty list means no jump host (a host's own `jump: []` overrides the environment's).
 */
export const jumpChain: Kind<JumpHost[]> = {
  label: 'jump host `user@host:port` or a list of them',
  jsonSchema: {
    oneOf: [
      { type: 'string', pattern: HOST_SPEC_PATTERN },
      { type: 'array', maxItems: MAX_JUMP_HOPS, items: { type: 'string', pattern: HOST_SPEC_PATTERN } },
    ],
  },
  read(node, at) {
    const resolved = at.resolve(node);
    if (isScalar(resolved) && typeof resolved.value === 'string') {
      const hop = readHop(node, at);
      return hop && [hop];
    }
    if (!isSeq(resolved))
      return at.problem(
        node,
        `must be a jump host \`user@host:port\` or a list of them (got ${describeNode(resolved)})`,
      );
    if (resolved.items.length > MAX_JUMP_HOPS)
      return at.problem(node, `a chain of at most ${MAX_JUMP_HOPS} jump hosts`);
    return readList(node, at, readHop);
  },
  toJson: (hops) => hops.map((h) => `${h.user ? `${h.user}@` : ''}${h.host}:${h.port}`),
};

/** How messages name a hop: `deploy@bastion:22` (the port always, the user once resolved). */
export function hopName(hop: JumpHost): string {
  const host = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
  return `${hop.user === undefined ? '' : `${hop.user}@`}${host}:${hop.port}`;
}

/** The path to a host for the log: `via deploy@bastion:22`, `via a@edge:22, b@inner:22`, `via proxy command …`. */
export function routeText(host: Pick<HostConfig, 'jump' | 'proxyCommand'>): string | undefined {
  if (host.proxyCommand !== undefined) return `via proxy command \`${host.proxyCommand}\``;
  return host.jump?.length ? `via ${host.jump.map(hopName).join(', ')}` : undefined;
}
