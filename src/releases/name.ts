/** Release names become directory names and appear in scripts and JSON: a conservative character set. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The release-name rule: what a name given to us, or reported by a host, must be to be used at all. */
export function isReleaseName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name) && !name.includes('..');
}

export function checkReleaseName(name: string, source: string): string {
  if (!isReleaseName(name)) {
    throw new Error(
      `${source}: ${shownName(name)} is not a valid release name: use letters, digits, '.', '_' and '-' (at most ` +
        '100, starting with a letter or digit)',
    );
  }
  return name;
}

/**
 * A name that broke the rule, as a message shows it: it may come from another job's output (a branch name, a
 * dispatch input), so quoted as JSON (a newline is `\n`, never a line of its own) and cut after 60 characters.
 */
function shownName(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}

/** `YYYYMMDDHHMMSS` in UTC, as Capistrano names releases. */
export function timestampName(at: Date): string {
  return at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * The default name for a new release: the timestamp, or with `-2`, `-3`… when a release of that name exists on
 * any host (two deploys within one second), so a default name never collides.
 */
export function uniqueReleaseName(at: Date, taken: ReadonlySet<string>): string {
  const base = timestampName(at);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** What a deploy does when the `release-name` it was given exists on a host: fail, or take `NAME-2`, `NAME-3`… */
export const RELEASE_NAME_EXISTS = ['fail', 'suffix'] as const;
export type ReleaseNameExists = (typeof RELEASE_NAME_EXISTS)[number];

/** The first of `NAME-2`, `NAME-3`… not in `taken`; undefined when that would break the release-name rule. */
export function suffixedReleaseName(name: string, taken: ReadonlySet<string>): string | undefined {
  for (let n = 2; ; n++) {
    const candidate = `${name}-${n}`;
    if (!isReleaseName(candidate)) return undefined;
    if (!taken.has(candidate)) return candidate;
  }
}
