import { q } from '../quote.js';

/** `find` arguments that leave out the given paths (and what is below them); globs in the paths are escaped. */
export function pruneArgs(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  const tests = paths.map((p) => `-path ${q(`./${p.replace(/[*?[\]\\]/g, '\\$&')}`)}`).join(' -o ');
  return `\\( ${tests} \\) -prune -o`;
}
