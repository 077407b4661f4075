import type { Step } from '../phase.js';

/**
 * Fills the new release with a copy of the live one, on the host (redeploy): a real copy with modes and links
 * kept, never hard links, so a later write in one release cannot change another.
 */
export function copyLive(): Step {
  return {
    id: 'copy',
    label: 'copy live release',
    body: `[ -d "releases/$DA_LIVE" ] || { echo "error: the live release releases/$DA_LIVE is missing" >&2; exit 1; }
cp -a --reflink=auto -- "releases/$DA_LIVE/." "releases/$DA_RELEASE/"
if [ -f ".deploy/manifests/$DA_LIVE.gz" ]; then cp -- ".deploy/manifests/$DA_LIVE.gz" ".deploy/manifests/$DA_RELEASE.gz"; fi
echo "copied releases/$DA_LIVE into releases/$DA_RELEASE"`,
  };
}
