import type { Step } from '../phase.js';
import { words } from '../quote.js';

/**
 * deploy:cleanup: removes the releases the runner chose (see retention), re-checking on the host that none of
 * them is live. A release that cannot be removed is a warning: the deploy itself has succeeded.
 */
export function cleanup(remove: string[]): Step {
  return {
    id: 'cleanup',
    label: 'cleanup',
    body:
      remove.length === 0
        ? 'echo "nothing to clean up"'
        : `live=$(readlink current 2>/dev/null || true)
gone=()
for name in ${words(remove)}; do
  if [ "releases/$name" != "$live" ]; then gone+=("releases/$name" ".deploy/manifests/$name.gz" ".deploy/manifests/$name.idx"); fi
done
[ \${#gone[@]} -gt 0 ] || exit 0
if rm -rf -- "\${gone[@]}"; then echo "removed ${remove.length} old releases"; else da_data warning "could not remove all of \${gone[*]}"; fi`,
  };
}
