/**
 * `exclude` patterns, with rsync's familiar rules: a pattern without a slash matches a name at any depth
 * (`tests`, `*.log`); one with a slash, or a leading `/`, matches the path from the source root
 * (`node_modules/.cache`); a trailing `/` matches directories only; `*` stays within a name, `**` crosses
 * directories, `?` is one character. `.git` is never shipped.
 */
export type ExcludeTest = (relativePath: string, isDirectory: boolean) => boolean;

/** A line of an `exclude_from` file: a pattern as above, `negated` (written `!pattern`) when it ships after all. */
export interface IgnoreRule {
  pattern: string;
  negated: boolean;
}

const ALWAYS = ['.git'];

/**
 * `patterns` (and `.git`) always exclude. The `ignored` rules (an `exclude_from` file) decide after them, the last
 * matching line winning, as in .gitignore: `!pattern` ships what an earlier line excluded. A negation cannot bring
 * back what `patterns` exclude, nor a path below an excluded directory (the walk never enters it).
 */
export function excluder(patterns: readonly string[], ignored: readonly IgnoreRule[] = []): ExcludeTest {
  const rules = [...ALWAYS, ...patterns].map(compile);
  const lines = ignored.map((r) => ({ test: compile(r.pattern), negated: r.negated })).reverse();
  return (path, isDirectory) =>
    rules.some((rule) => rule(path, isDirectory)) ||
    lines.find((line) => line.test(path, isDirectory))?.negated === false;
}

function compile(pattern: string): ExcludeTest {
  const dirOnly = pattern.endsWith('/');
  let p = pattern.replace(/\/+$/, '');
  const anchored = p.startsWith('/') || p.includes('/');
  p = p.replace(/^\/+/, '');
  const re = new RegExp(`^${globToRegex(p)}$`);
  return (path, isDirectory) => {
    if (dirOnly && !isDirectory) return false;
    if (anchored) return re.test(path);
    const slash = path.lastIndexOf('/');
    return re.test(slash < 0 ? path : path.slice(slash + 1));
  };
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}
