/** How a host is reached: `jump` (one jump host or a chain of them) and `proxy_command`. */
import { isScalar, isSeq } from 'yaml';
import { describeNode, type Cursor } from './cursor.js';
import { isDeferred, readDeferred, REFERENCE_PATTERN, type Deferred } from './deferred.js';
import { HOST_SPEC_PATTERN, LOCAL, readHostSpec } from './hosts.js';
import type { Kind } from './kind.js';
import { readText } from './kinds.js';
import { readList } from './list-kinds.js';
import type { HostConfig, JumpHost } from './types.js';

/** The most hops a chain may have (OpenSSH has no limit; a longer chain is a typo more likely than a network). */
export const MAX_JUMP_HOPS = 8;

/** A hop as written: `user@host:port`, or a string with `${NAME}` in it (expanded once the environment is chosen). */
export type WrittenHop = JumpHost | Deferred;

/** The JSON Schema of one hop: a host spec, or a string with `${NAME}` in it. */
const HOP_SCHEMA = { type: 'string', anyOf: [{ pattern: HOST_SPEC_PATTERN }, { pattern: REFERENCE_PATTERN }] };

/** A hop's text, as deploy.yml and ssh_config write it: checked as a hop (never `local`). */
export function parseHop(spec: string, at: Cursor, node: unknown): JumpHost | string {
  if (spec === LOCAL) return '`local` cannot be a jump host: write `user@host:port`';
  const result = readHostSpec(spec, at.position(node));
  if ('problem' in result) return result.problem;
  const { host, user, port } = result.host;
  return { host, user, port };
}

function readHop(item: unknown, at: Cursor): WrittenHop | undefined {
  const deferred = readDeferred(item, at);
  if (deferred !== null) return deferred;
  const spec = readText(item, at);
  if (spec === undefined) return undefined;
  const hop = parseHop(spec, at, item);
  return typeof hop === 'string' ? at.problem(item, hop) : hop;
}

/**
 * `jump`: one host entry (`user@host:port`, user and port optional) or a list of them, the first reached first
 * (OpenSSH's ProxyJump). An empty list means no jump host (a host's own `jump: []` overrides the environment's).
 */
export const jumpChain: Kind<WrittenHop[]> = {
  label: 'jump host `user@host:port` or a list of them',
  jsonSchema: {
    oneOf: [HOP_SCHEMA, { type: 'array', maxItems: MAX_JUMP_HOPS, items: HOP_SCHEMA }],
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
  toJson: (hops) => hops.map((h) => (isDeferred(h) ? h.template : `${h.user ? `${h.user}@` : ''}${h.host}:${h.port}`)),
};

/** How messages name a hop: `deploy@bastion:22` (the port always, the user once resolved); `***` from a secret. */
export function hopName(hop: JumpHost): string {
  if (hop.masked) return '***';
  const host = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
  return `${hop.user === undefined ? '' : `${hop.user}@`}${host}:${hop.port}`;
}

/** The path to a host for the log: `via deploy@bastion:22`, `via a@edge:22, b@inner:22`, `via proxy command …`. */
export function routeText(host: Pick<HostConfig, 'jump' | 'proxyCommand'>): string | undefined {
  if (host.proxyCommand !== undefined) return `via proxy command \`${host.proxyCommand}\``;
  return host.jump?.length ? `via ${host.jump.map(hopName).join(', ')}` : undefined;
}
