/** How a host is reached: directly, through jump hosts, or over a proxy command (the environment's or its own). */
import type { JumpHost } from './types.js';

export type Route = { jump?: JumpHost[]; proxyCommand?: string };

/** The environment's `jump` or `proxy_command`; both at once is a problem (`both` reports it) and means neither. */
export function environmentRoute(
  jump: JumpHost[] | undefined,
  proxyCommand: string | undefined,
  both: (message: string) => void,
): Route {
  if (jump !== undefined && proxyCommand !== undefined) {
    both('give `jump` or `proxy_command` for the environment, not both');
    return {};
  }
  return { ...(jump === undefined ? {} : { jump }), ...(proxyCommand === undefined ? {} : { proxyCommand }) };
}

/** A host's route: its own `jump` or `proxy_command` if written, else the environment's; each hop gets a user. */
export function hostRoute(route: Route, user: string | undefined): Route {
  if (route.proxyCommand !== undefined) return { proxyCommand: route.proxyCommand };
  if (!route.jump?.length) return {};
  return { jump: route.jump.map((hop) => ({ ...hop, user: hop.user ?? user })) };
}
