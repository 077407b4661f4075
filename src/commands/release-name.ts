import type { Member } from '../fleet/fleet.js';
import { HostFailure } from '../fleet/failures.js';
import { suffixedReleaseName } from '../releases/name.js';
import type { HostFacts } from '../remote/steps/inspect.js';
import type { CommandContext } from './context.js';

/**
 * The name for a `release-name` that exists on a host (as a directory or in its history): with
 * `release-name-exists: suffix` the first `NAME-2`, `NAME-3`… free on every host; else a failure naming the host.
 */
export function existingName(
  ctx: Pick<CommandContext, 'releaseNameExists' | 'surface' | 'log'>,
  facts: Map<Member, HostFacts>,
  name: string,
  taken: ReadonlySet<string>,
): string {
  const [m] = [...facts].find(([, f]) => f.dirs.includes(name) || f.history.some((h) => h.release === name))!;
  const cli = ctx.surface === 'cli';
  if (ctx.releaseNameExists === 'suffix') {
    const suffixed = suffixedReleaseName(name, taken);
    if (suffixed) {
      ctx.log.info(`a release named ${name} exists on ${m.host.name}: this one is ${suffixed} on every host`);
      return suffixed;
    }
    throw new HostFailure(
      m.host.name,
      'release',
      `a release named "${name}" already exists there, and "${name}-2" would be longer than 100 characters; choose a shorter ${cli ? '--release-name' : 'release-name'}`,
    );
  }
  const suffix = cli ? '--release-name-exists suffix' : '`release-name-exists: suffix`';
  throw new HostFailure(
    m.host.name,
    'release',
    `a release named "${name}" already exists there; release names are never reused. Use ${suffix} to deploy it as "${suffixedReleaseName(name, taken) ?? `${name}-2`}" (the first free NAME-2, NAME-3…), or choose another name`,
  );
}
