import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every case starts on a settled machine (untimed): the previous deploy's old release, which its cleanup deletes
 * in the background after the session, is gone, and what the previous case wrote is flushed from the page cache.
 * Each case writes tens of MB and thousands of files; without this each one would pay for the one before it
 * (deploys are minutes apart in real life).
 */
export async function settle(...deployPaths: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  const busy = () => deployPaths.some((p) => existsSync(join(p, '.deploy/trash')));
  while (busy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  execFileSync('sync');
}
