import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's version, read from its package.json at run time: the bundle (dist/cli/index.js) and this source
 * file (src/cli/version.ts) are both two directories below it.
 */
export function packageVersion(): string {
  try {
    const file = resolve(fileURLToPath(import.meta.url), '../../../package.json');
    return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
