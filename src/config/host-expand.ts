/**
 * `${NAME}` in the hosts of the chosen environment: each deferred field (a whole entry, `host`, `user`, `port`,
 * `deploy_path`) expanded from the step's environment and checked as if written in the file, before anything
 * connects. A message never repeats an expanded value (the config error is printed before any masking): secret
 * values in it are written `***`.
 */
import { Cursor } from './cursor.js';
import type { ConfigProblem } from './errors.js';
import { isDeferred, referencedNames, type Deferred } from './deferred.js';
import { expandValue, STEP_ENVIRONMENT } from './expand.js';
import type { HostEntry } from './host-kind.js';
import { DEFAULT_PORT, hostNameProblem, LOCAL, parsePort, readHostSpec, remoteHost, userProblem } from './hosts.js';
import { couldBeSecret, secretPieces } from './masking.js';
import { deployPathProblem } from './paths.js';
import type { Source } from './cursor.js';
import type { HostSpec } from './types.js';

/** Where the values come from. */
export interface Variables {
  env: Readonly<Record<string, string | undefined>>;
  source?: string;
  /** Expand the hosts' `env` (a command that runs hooks); otherwise only list its unset references. */
  expandEnv?: boolean;
}

/** Expands deferred values, collecting what is secret and reporting what is wrong. */
export class HostExpander {
  readonly secrets = new Set<string>();
  /** References in the hosts' `env` that are not set, when it is not expanded (see targets.ts). */
  readonly unset: ConfigProblem[] = [];

  constructor(
    readonly src: Source,
    readonly vars: Variables,
  ) {}

  /** The file, the values, and how messages name where the values come from (for routes.ts). */
  get source(): Source {
    return this.src;
  }
  get env(): Variables['env'] {
    return this.vars.env;
  }
  get from(): string {
    return this.vars.source ?? STEP_ENVIRONMENT;
  }

  /**
   * A deferred value expanded and checked by `check` (undefined: fine); undefined when it is wrong (reported).
   * Returns the secret values it added too, so a host can tell whether it came from a secret.
   */
  expand(d: Deferred, what: string, check: (value: string) => string | undefined): { value: string } | undefined {
    const at = new Cursor(this.src, d.path);
    const expansion = expandValue(d.template, this.vars.env, this.vars.source ?? STEP_ENVIRONMENT);
    for (const problem of expansion.problems) at.problemAt(d.position, problem);
    if (expansion.problems.length) return undefined;
    for (const s of expansion.secrets) this.secrets.add(s);
    const value = expansion.value;
    const names = referencedNames(d.template);
    const from = this.vars.source ?? STEP_ENVIRONMENT;
    if (value.trim() === '') {
      return at.problemAt(d.position, `${names} is empty in ${from}: ${what} needs a value`);
    }
    const problem = check(value);
    if (problem === undefined) return { value };
    // The value and each part of it (`user@host:port`: a message may quote the host alone) written `***`.
    const parts = [value, ...value.split(/[@:[\]]/)];
    return at.problemAt(d.position, `${names} (from ${from}) is not a valid ${what}: ${redact(problem, parts)}`);
  }

  /** Adds values that stand for a secret (a host name from a secret entry) to what is masked. */
  add(...values: string[]): void {
    for (const v of values) this.secrets.add(v);
  }

  /** A value that could be masked (the masking rule). */
  static maskable(values: readonly string[]): boolean {
    return values.some(couldBeSecret);
  }
}

/** Writes each maskable piece of `values` in `message` as `***`. */
function redact(message: string, values: readonly string[]): string {
  let out = message;
  for (const piece of secretPieces(values).sort((a, b) => b.length - a.length)) out = out.split(piece).join('***');
  return out;
}

const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

/** The host of a whole entry from `${NAME}`: a `user@host:port` string as the file would hold it. */
function wholeEntry(entry: HostEntry, d: Deferred, x: HostExpander): { spec: HostSpec; secret: boolean } | undefined {
  let spec: HostSpec | undefined;
  const expanded = x.expand(d, 'host entry (`user@host:port`)', (value) => {
    if (value === LOCAL) return '`local` must be written as it is, not through `${NAME}`';
    const read = readHostSpec(value, d.position);
    if ('problem' in read) return read.problem;
    spec = { ...read.host, labels: entry.spec.labels };
    return undefined;
  });
  if (!expanded || !spec) return undefined;
  // Every part that could name the host is masked: the whole value, the host, the name the log shows.
  x.add(spec.host, spec.name);
  return { spec, secret: HostExpander.maskable([expanded.value]) };
}

/** A host entry of the chosen environment with its `${NAME}` fields expanded; undefined when one is wrong. */
export function expandEntry(
  entry: HostEntry,
  x: HostExpander,
): { spec: HostSpec; deployPath?: string; secret: boolean } | undefined {
  let deployPath: string | undefined;
  let bad = false;
  if (isDeferred(entry.deployPath)) {
    deployPath = x.expand(entry.deployPath, 'deploy_path', deployPathProblem)?.value;
    bad = deployPath === undefined;
  } else deployPath = entry.deployPath;
  const d = entry.deferred;
  if (!d) return bad ? undefined : { spec: entry.spec, deployPath, secret: false };
  if (d.whole) {
    const whole = wholeEntry(entry, d.whole, x);
    return whole && !bad ? { ...whole, deployPath } : undefined;
  }
  const host = d.host ? x.expand(d.host, 'host', (v) => hostNameProblem(unbracket(v)))?.value : entry.spec.host;
  const user = d.user ? x.expand(d.user, 'user name', userProblem)?.value : entry.spec.user;
  let port: number | undefined = entry.spec.port;
  if (d.port) {
    const text = x.expand(d.port, 'port', (v) => {
      const parsed = parsePort(v.trim());
      return typeof parsed === 'string' ? parsed : undefined;
    })?.value;
    port = text === undefined ? undefined : (parsePort(text.trim()) as number);
  }
  if (bad || host === undefined || (d.user && user === undefined) || port === undefined) return undefined;
  const bare = unbracket(host);
  if (d.host) x.add(bare);
  const spec = {
    ...remoteHost(bare, user, port ?? DEFAULT_PORT, entry.spec.position, entry.spec.labels),
    ...(entry.spec.portWritten || (d.port && port === DEFAULT_PORT) ? { portWritten: true } : {}),
  };
  const secret = HostExpander.maskable([...(d.host ? [bare] : []), ...(d.user && user ? [user] : [])]);
  return { spec, deployPath, secret };
}
