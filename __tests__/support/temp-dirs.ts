import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory in the temp dir (`PREFIX` + random), removed after the test file that made it (jest's afterAll;
 * outside jest, as in the bench, at the process's exit). A suite run used to leave thousands of them, which the
 * security tests' canary walk of the temp dir then had to read. The removal is best effort: what a host's
 * background job still writes there may outlive it, and that must not fail the file.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

const made: string[] = [];
const removeMade = (): void => {
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // left for the machine's own clean-up
    }
  }
};
const afterAllHook = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
if (typeof afterAllHook === 'function') afterAllHook(removeMade);
else process.once('exit', removeMade);
