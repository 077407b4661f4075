/** Rules for deploy_path and the relative path lists (shared, writable, clear). Pure: messages, not problems. */
import { posix } from 'node:path';

const SYSTEM_DIRS = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
];
/** Nothing may be deployed anywhere below these. */
const FORBIDDEN_TREES = ['/proc', '/sys', '/dev', '/etc'];

function hasControl(value: string): boolean {
  return /[\0\n\r]/.test(value);
}

/** Why `value` is not an acceptable deploy_path, or undefined when it is. */
export function deployPathProblem(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (hasControl(value)) return 'must not contain NUL or newline characters';
  if (!value.startsWith('/')) return `must be an absolute path (got ${JSON.stringify(value)})`;
  const segments = value.split('/').slice(1);
  if (value !== '/' && segments.some((s) => s === '' || s === '.' || s === '..')) {
    const hint = segments.includes('..') ? '' : ` (did you mean \`${normaliseAbsolute(value)}\`?)`;
    return `must be a normalised absolute path without \`.\` or \`..\` segments, \`//\` or a trailing \`/\`${hint}`;
  }
  if (value === '/') return 'refusing to deploy to `/`';
  if (SYSTEM_DIRS.includes(value)) return `refusing to deploy to the system directory \`${value}\`; use a subdirectory`;
  if (/^\/home\/[^/]+$/.test(value)) {
    return `refusing to deploy to the home directory \`${value}\`; use a subdirectory such as \`${value}/app\``;
  }
  const tree = FORBIDDEN_TREES.find((t) => value.startsWith(`${t}/`));
  if (tree) return `refusing to deploy under \`${tree}\``;
  return undefined;
}

function normaliseAbsolute(value: string): string {
  const n = posix.normalize(value);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

/** Strips trailing slashes: `storage/` → `storage`. */
export function normaliseRelative(value: string): string {
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

/** Why a (normalised) entry of a shared/writable/clear list is not acceptable, or undefined. */
export function relativePathProblem(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (hasControl(value)) return 'must not contain NUL or newline characters';
  if (value.includes('\\')) return 'must use `/` as separator, not `\\`';
  if (value.startsWith('/')) return `must be relative to the release directory (got ${JSON.stringify(value)})`;
  const segments = value.split('/');
  if (segments.includes('..')) return 'must not contain `..` segments';
  if (value === '.') return 'must not be `.` (the whole release)';
  if (segments.includes('.')) return 'must not contain `.` segments';
  if (segments.includes('')) return 'must not contain `//`';
  if (value.startsWith('.deploy')) return 'paths starting with `.deploy` are reserved for deploy-action';
  return undefined;
}

/** Why an exclude glob is not acceptable, or undefined. */
export function globProblem(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (hasControl(value)) return 'must not contain NUL or newline characters';
  return undefined;
}

export interface PathEntry<Tag extends string = string> {
  value: string;
  tag: Tag;
}

function inside(child: string, parent: string): boolean {
  return child.startsWith(`${parent}/`);
}

/**
 * Shared entries must not overlap: a shared dir inside another, a shared file inside a shared dir, or a path
 * that is both. Returns, for each offending entry (by index into `entries`), why.
 * Exact repeats within one list are reported by the list itself.
 */
export function sharedOverlapProblems(entries: readonly PathEntry<'dir' | 'file'>[]): Map<number, string> {
  const found = new Map<number, string>();
  entries.forEach((entry, i) => {
    for (let j = 0; j < entries.length && !found.has(i); j++) {
      const other = entries[j];
      if (j === i) continue;
      if (entry.value === other.value && entry.tag !== other.tag && entry.tag === 'file') {
        found.set(i, `\`${entry.value}\` is listed both as a shared dir and a shared file`);
      } else if (inside(entry.value, other.value)) {
        found.set(
          i,
          other.tag === 'dir'
            ? `\`${entry.value}\` is inside the shared dir \`${other.value}\`, which already shares it`
            : `\`${entry.value}\` is inside \`${other.value}\`, which is a shared file`,
        );
      }
    }
  });
  return found;
}
