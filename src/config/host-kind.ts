/** The `hosts:` list: strings (`user@host:port`, `local`) or mappings (`host`, `user`, `port`, `deploy_path`, `labels`). */
import { isScalar, isSeq } from 'yaml';
import type { Cursor, Located } from './cursor.js';
import { isDeferred, readDeferred, REFERENCE_PATTERN, written, type Deferred } from './deferred.js';
import {
  DEFAULT_PORT,
  HOST_SPEC_PATTERN,
  hostNameProblem,
  LOCAL,
  localHost,
  readHostSpec,
  remoteHost,
} from './hosts.js';
import { objectSchema, type KeySpec, type KeySpecs, type Kind } from './kind.js';
import { text, readText } from './kinds.js';
import { readList } from './list-kinds.js';
import { readMapping, type Mapping } from './mapping.js';
import type { WrittenHop } from './route-kind.js';
import type { HostSpec } from './types.js';

/** Fields of a host entry written with `${NAME}`: expanded and checked once the environment is chosen. */
export interface DeferredFields {
  /** The whole entry (`- "${DEPLOY_HOST}"`, which may hold `user@host:port`). */
  whole?: Deferred;
  host?: Deferred;
  user?: Deferred;
  port?: Deferred;
}

/** One entry of `hosts:` as written, before the environment's `user` and `deploy_path` are applied. */
export interface HostEntry {
  /** The host; where a field is deferred, it holds the field's template (a placeholder until expanded). */
  spec: HostSpec;
  deployPath?: string | Deferred;
  /** The host's own `jump` ([] : none, overriding the environment's) and `proxy_command`, as written. */
  jump?: WrittenHop[];
  proxyCommand?: string | Deferred;
  path: string;
  /** Set when some field is written with `${NAME}` (see host-expand.ts). */
  deferred?: DeferredFields;
  /** The host's own `env` (not yet expanded) and `vars`, as written (see targets.ts). */
  env?: EnvEntries;
  vars?: EnvEntries;
}

type EnvEntries = (Located<string> & { name: string })[];

/** The keys of a host written as a mapping. */
export interface HostEntryKeys extends KeySpecs {
  host: KeySpec<string | Deferred>;
  user: KeySpec<string | Deferred>;
  port: KeySpec<number | Deferred>;
  deploy_path: KeySpec<string | Deferred>;
  labels: KeySpec<string[]>;
  jump: KeySpec<WrittenHop[]>;
  proxy_command: KeySpec<string | Deferred>;
  env: KeySpec<EnvEntries>;
  vars: KeySpec<EnvEntries>;
}

export const hostName: Kind<string> = text({
  label: 'host name, IP address or `local`',
  check: (v) => (v === LOCAL ? undefined : hostNameProblem(v.replace(/^\[(.*)\]$/, '$1'))),
});

function hostFromMapping(mapping: Mapping<HostEntryKeys>, at: Cursor): HostEntry | undefined {
  const { host, user, port, deploy_path: deployPath, labels, jump, proxy_command: proxyCommand } = mapping.values;
  if (host === undefined) return undefined;
  const settings = {
    ...(mapping.values.env ? { env: mapping.values.env } : {}),
    ...(mapping.values.vars ? { vars: mapping.values.vars } : {}),
  };
  if (jump !== undefined && proxyCommand !== undefined) {
    return at.problemAt(mapping.keys.proxy_command ?? mapping.position, 'give `jump` or `proxy_command`, not both');
  }
  if (host === LOCAL) {
    const route = mapping.keys.jump ?? mapping.keys.proxy_command;
    if (route) return at.problemAt(route, '`local` means this machine and takes no `jump` or `proxy_command`');
    if (user !== undefined || port !== undefined) {
      const where = mapping.keys.user ?? mapping.keys.port ?? mapping.position;
      return at.problemAt(where, '`local` means this machine and takes no `user` or `port`');
    }
    if (mapping.keys.labels) {
      return at.child('labels').problemAt(mapping.keys.labels, '`local` means this machine and takes no `labels`');
    }
    return { spec: localHost(mapping.position), deployPath, path: at.path, ...settings };
  }
  const deferred: DeferredFields = {};
  if (isDeferred(host)) deferred.host = host;
  if (isDeferred(user)) deferred.user = user;
  if (isDeferred(port)) deferred.port = port;
  const bare = written(host).replace(/^\[(.*)\]$/, '$1');
  const spec = remoteHost(
    bare,
    user === undefined ? undefined : written(user),
    isDeferred(port) ? DEFAULT_PORT : (port ?? DEFAULT_PORT),
    mapping.position,
    labels ?? [],
  );
  return {
    spec: port === DEFAULT_PORT ? { ...spec, portWritten: true } : spec,
    deployPath,
    ...(jump === undefined ? {} : { jump }),
    ...(proxyCommand === undefined ? {} : { proxyCommand }),
    path: at.path,
    ...(Object.keys(deferred).length ? { deferred } : {}),
    ...settings,
  };
}

export function hostList(entryKeys: HostEntryKeys): Kind<HostEntry[]> {
  const entrySchema = objectSchema(entryKeys);
  return {
    label: 'non-empty list of hosts',
    jsonSchema: {
      type: 'array',
      minItems: 1,
      items: {
        oneOf: [
          // A host written as a string, or a string with `${NAME}` in it (expanded from the step's environment).
          { type: 'string', anyOf: [{ pattern: HOST_SPEC_PATTERN }, { pattern: REFERENCE_PATTERN }] },
          entrySchema,
        ],
      },
    },
    read(node, at) {
      const hosts = readList(node, at, (item, itemAt): HostEntry | undefined => {
        const resolved = itemAt.resolve(item);
        if (isScalar(resolved) && typeof resolved.value === 'string') {
          const whole = readDeferred(item, itemAt);
          if (whole !== null) {
            if (whole === undefined) return undefined;
            const spec = remoteHost(whole.template, undefined, DEFAULT_PORT, whole.position);
            return { spec, path: itemAt.path, deferred: { whole } };
          }
          const spec = readText(item, itemAt);
          if (spec === undefined) return undefined;
          const result = readHostSpec(spec, itemAt.position(item));
          return 'problem' in result ? itemAt.problem(item, result.problem) : { spec: result.host, path: itemAt.path };
        }
        const mapping = readMapping(item, itemAt, entryKeys, { requiredFrom: entryKeys });
        return mapping && hostFromMapping(mapping, itemAt);
      });
      const list = at.resolve(node);
      if (isSeq(list) && list.items.length === 0) return at.problem(node, 'must list at least one host');
      return hosts;
    },
    toJson: (hosts) => hosts.map((h) => h.spec.name),
  };
}
