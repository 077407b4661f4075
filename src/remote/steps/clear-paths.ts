import type { Step } from '../phase.js';
import { q } from '../quote.js';

/**
 * deploy:clear_paths: paths the release must not contain (removed inside the new release only). The path check
 * step (see contain.ts) has refused any path with a symlink among its parents before this runs (also before sudo);
 * a link that is the path itself is removed, never what it points at.
 */
export function clearPaths(opts: { paths: string[]; useSudo: boolean }): Step | null {
  if (opts.paths.length === 0) return null;
  const sudo = opts.useSudo ? 'sudo -n ' : '';
  return {
    id: 'clear_paths',
    brief: true,
    label: 'clear paths',
    body: `${sudo}rm -rf -- ${opts.paths.map((p) => `"releases/$DA_RELEASE/"${q(p)}`).join(' ')}
echo "cleared ${opts.paths.length} paths"`,
  };
}
