/**
 * `Include` in ssh_config, followed as `ssh` does (the `ssh-config` package reads the line but not the files): each
 * path or glob (`~` expanded, a relative one from ~/.ssh, the matches in sorted order, none is no error) is read in
 * place of the line, to a depth of 16. Inside a `Host` or `Match` block the block goes on after the included text.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** OpenSSH's limit on nested Include (READCONF_MAX_DEPTH). */
export const MAX_INCLUDE_DEPTH = 16;

const INCLUDE = /^\s*include(?:\s*=\s*|\s+)(.*)$/i;
const SECTION = /^\s*(?:host|match)(?:\s*=\s*|\s+)/i;
const GLOB = /[*?[]/;

/** The words of an Include line: whitespace-separated, `"…"` quoting a word with spaces. */
function words(value: string): string[] {
  return [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).filter((w) => w !== '');
}

/** A glob component (`*`, `?`, `[…]`) as a regular expression; a leading `.` is matched only when written. */
function componentPattern(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        const set = glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${set}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${glob.startsWith('.') ? '' : '(?!\\.)'}${out}$`);
}

/** The files a path or glob names, in sorted order; none when nothing matches (as glob(3) with no match). */
export function expandGlob(path: string): string[] {
  if (!GLOB.test(path)) return [path];
  const parts = path.split('/');
  let found = [parts[0] === '' ? '/' : parts[0]!];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    const next: string[] = [];
    for (const dir of found) {
      if (!GLOB.test(part)) {
        next.push(join(dir, part));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      const pattern = componentPattern(part);
      next.push(...names.filter((n) => pattern.test(n)).map((n) => join(dir, n)));
    }
    found = next.sort();
  }
  return found;
}

/** Where an Include's relative path starts: ~/.ssh, as for any user's ssh_config. */
function resolveInclude(word: string, home: string): string {
  const path = word === '~' || word.startsWith('~/') ? join(home, word.slice(1)) : word;
  return isAbsolute(path) ? path : join(home, '.ssh', path);
}

/**
 * `text` with each `Include` line replaced by the files it names (recursively). `file` names the config in messages.
 * An included file that cannot be read (other than missing) is an error naming it.
 */
export function inlineIncludes(text: string, file: string, home = homedir(), depth = 0): string {
  const out: string[] = [];
  let section: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (SECTION.test(line)) section = line;
    const include = INCLUDE.exec(line);
    if (!include) {
      out.push(line);
      continue;
    }
    if (depth >= MAX_INCLUDE_DEPTH) {
      throw new Error(`${file}: Include nested more than ${MAX_INCLUDE_DEPTH} deep (a file that includes itself?)`);
    }
    out.push(`# ${line.trim()}`);
    let opened = false;
    for (const path of words(include[1]!).flatMap((w) => expandGlob(resolveInclude(w, home)))) {
      let included: string;
      try {
        if (statSync(path).isDirectory()) continue;
        included = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new Error(`${file}: cannot read ${path}, which it includes: ${(error as Error).message}`);
      }
      const inlined = inlineIncludes(included, path, home, depth + 1);
      out.push(inlined);
      opened ||= inlined.split(/\r?\n/).some((l) => SECTION.test(l));
    }
    // The block the Include stood in goes on after the included file's own Host or Match blocks.
    if (opened && section !== undefined) out.push(section);
  }
  return out.join('\n');
}
