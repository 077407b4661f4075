/** A config file that is not there: the directory searched, a near name found there, and how to point at the file. */
import { existsSync, readdirSync, type Dirent } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { editDistance } from './suggest.js';

/** Who reads the message: the action (inputs, a checkout step) or the CLI (options, a working directory). */
export type Surface = 'action' | 'cli';

/** Entries of the searched directory looked at (a huge directory is not read to its end for a suggestion). */
const MAX_ENTRIES = 2000;
/** Subdirectories looked into for the file under its own name (`deploy/deploy.yml`). */
const MAX_SUBDIRS = 200;

/** `Deploy.YAML`, `.deploy.yml` and `deploy.yml` fold alike. */
function fold(name: string): string {
  return name
    .toLowerCase()
    .replace(/^\.+/, '')
    .replace(/\.yaml$/, '.yml');
}

const isYaml = (name: string) => /\.ya?ml$/i.test(name);

/** The same name with the other YAML extension (`deploy.yaml` for `deploy.yml`), or none. */
function otherExtension(name: string): string | undefined {
  if (/\.yml$/i.test(name)) return name.replace(/\.yml$/i, '.yaml');
  if (/\.yaml$/i.test(name)) return name.replace(/\.yaml$/i, '.yml');
  return undefined;
}

function entries(dir: string): Dirent[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true }).slice(0, MAX_ENTRIES);
  } catch {
    return undefined;
  }
}

/**
 * A file in `dir` (or one directory down) that is probably the one meant by `name`: the other YAML extension, a
 * difference of case or a leading dot, a typo of at most two characters, or the same name in a subdirectory.
 * Relative to `dir`; undefined when nothing is close.
 */
export function nearConfigName(dir: string, name: string, list = entries(dir)): string | undefined {
  if (!list) return undefined;
  const files = list.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  const same = files.find((f) => f !== name && fold(f) === fold(name));
  if (same) return same;
  const typo = files
    .filter((f) => f !== name && isYaml(f) && editDistance(fold(f), fold(name)) <= 2)
    .sort((a, b) => editDistance(fold(a), fold(name)) - editDistance(fold(b), fold(name)) || a.localeCompare(b))[0];
  if (typo) return typo;
  const dirs = list
    .filter((e) => e.isDirectory() && e.name !== 'node_modules' && e.name !== '.git')
    .slice(0, MAX_SUBDIRS);
  const names = [name, otherExtension(name)].filter((n): n is string => n !== undefined);
  for (const d of dirs) {
    const found = names.find((n) => existsSync(join(dir, d.name, n)));
    if (found) return `${d.name}/${found}`;
  }
  return undefined;
}

/**
 * Why there is no config and what to do, for `file` as the user gave it: the directory searched (absolute), a
 * near name there if any, and how to name the file (the action's `config` input after a checkout, the CLI's
 * `--config`).
 */
export function missingConfigMessage(file: string, surface: Surface = 'action'): string {
  const dir = dirname(resolve(file));
  const name = basename(file);
  const list = entries(dir);
  if (!list) {
    const where = `the directory ${dir} does not exist`;
    return surface === 'cli'
      ? `${where}; pass --config FILE with the path of the deploy config`
      : `${where}: is the repository checked out (actions/checkout in a step before this one)? Or set the \`config\` input to the file's path in the workspace`;
  }
  const near = nearConfigName(dir, name, list);
  const missing = `no ${name} in ${dir}`;
  if (near) {
    const path = join(dirname(file), near);
    return surface === 'cli'
      ? `${missing}; did you mean ${near}? Pass --config ${path}`
      : `${missing}; did you mean ${near} (in that directory)? Set the \`config\` input to its path in the workspace, or rename the file`;
  }
  return surface === 'cli'
    ? `${missing}; run from the directory that holds it, or pass --config FILE`
    : `${missing}: is the repository checked out (actions/checkout in a step before this one)? If the file has another name or place, set the \`config\` input to its path in the workspace`;
}
