/** How a host is reached: directly, through jump hosts, or over a proxy command (the environment's or its own). */
import { Cursor } from './cursor.js';
import { isDeferred, referencedNames, type Deferred } from './deferred.js';
import { expandValue } from './expand.js';
import { HostExpander } from './host-expand.js';
import { parseHop, type WrittenHop } from './route-kind.js';
import type { JumpHost } from './types.js';

/** A route as written: hops and a proxy command may hold `${NAME}`. */
export type WrittenRoute = { jump?: WrittenHop[]; proxyCommand?: string | Deferred };
/** A route with every `${NAME}` checked: the hops expanded, the proxy command as written (bash expands it). */
export type Route = { jump?: JumpHost[]; proxyCommand?: string };

/** The environment's `jump` or `proxy_command`; both at once is a problem (`both` reports it) and means neither. */
export function environmentRoute(
  jump: WrittenHop[] | undefined,
  proxyCommand: string | Deferred | undefined,
  both: (message: string) => void,
): WrittenRoute {
  if (jump !== undefined && proxyCommand !== undefined) {
    both('give `jump` or `proxy_command` for the environment, not both');
    return {};
  }
  return { ...(jump === undefined ? {} : { jump }), ...(proxyCommand === undefined ? {} : { proxyCommand }) };
}

/** One hop written with `${NAME}`: expanded, checked as a hop, its values masked; undefined when wrong (reported). */
function expandHop(d: Deferred, x: HostExpander): JumpHost | undefined {
  let hop: JumpHost | undefined;
  const at = new Cursor(x.source, d.path);
  const expanded = x.expand(d, 'jump host (`user@host:port`)', (value) => {
    const parsed = parseHop(value, at, undefined);
    if (typeof parsed === 'string') return parsed;
    hop = parsed;
    return undefined;
  });
  if (!expanded || !hop) return undefined;
  const masked = HostExpander.maskable([expanded.value]);
  if (!masked) return hop;
  const shown = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
  // The host, and the hop as messages would name it, are masked as well as the value.
  x.add(hop.host, `${shown}:${hop.port}`, ...(hop.user === undefined ? [] : [`${hop.user}@${shown}:${hop.port}`]));
  return { ...hop, masked: true };
}

/**
 * A proxy command with `${NAME}` in it: each variable must be set and not empty (checked now, before anything
 * connects) and its value is masked. The command is kept as written: bash expands `${NAME}` from the same
 * environment when it runs it, so a value is one more word of the command, never more code.
 */
function checkProxyCommand(d: Deferred, x: HostExpander): string | undefined {
  const at = new Cursor(x.source, d.path);
  const from = x.from;
  const expansion = expandValue(d.template, x.env, from);
  for (const problem of expansion.problems) at.problemAt(d.position, problem);
  if (expansion.problems.length) return undefined;
  // `$${NAME}` is a literal: not a reference.
  const names = [...new Set([...d.template.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!))];
  const empty = names.filter((name) => (x.env[name] ?? '').trim() === '');
  if (empty.length) {
    const shown = referencedNames(empty.map((n) => `\${${n}}`).join(' '));
    return at.problemAt(
      d.position,
      `${shown} ${empty.length > 1 ? 'are' : 'is'} empty in ${from}: proxy_command needs a value`,
    );
  }
  x.add(...names.map((name) => x.env[name]!).filter((value) => HostExpander.maskable([value])));
  return d.template;
}

/**
 * A route with its `${NAME}` expanded and checked (for the chosen environment, before anything connects);
 * undefined when some part is wrong (reported).
 */
export function expandRoute(route: WrittenRoute, x: HostExpander): Route | undefined {
  const { jump, proxyCommand } = route;
  if (proxyCommand !== undefined) {
    const command = isDeferred(proxyCommand) ? checkProxyCommand(proxyCommand, x) : proxyCommand;
    return command === undefined ? undefined : { proxyCommand: command };
  }
  if (jump === undefined) return {};
  const hops = jump.map((hop) => (isDeferred(hop) ? expandHop(hop, x) : hop));
  return hops.every((h) => h !== undefined) ? { jump: hops as JumpHost[] } : undefined;
}

/** A route as written, for an environment that is not chosen (its `${NAME}` need not be set): no hop expanded. */
export function writtenRoute(route: WrittenRoute): Route {
  const jump = route.jump?.filter((hop): hop is JumpHost => !isDeferred(hop));
  const command = route.proxyCommand;
  return {
    ...(jump === undefined ? {} : { jump }),
    ...(command === undefined ? {} : { proxyCommand: isDeferred(command) ? command.template : command }),
  };
}

/** A host's route: its own `jump` or `proxy_command` if written, else the environment's; each hop gets a user. */
export function hostRoute(route: Route, user: string | undefined): Route {
  if (route.proxyCommand !== undefined) return { proxyCommand: route.proxyCommand };
  if (!route.jump?.length) return {};
  return { jump: route.jump.map((hop) => ({ ...hop, user: hop.user ?? user })) };
}
