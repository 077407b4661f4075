import type { Step } from '../phase.js';

/**
 * Fills the new release with a copy of the live one, on the host (redeploy): a real copy with modes and links
 * kept, never hard links, so a later write in one release cannot change another. Links are copied as links; the
 * path check that follows makes sure no configured path leads out through one.
 */
export function copyLive(): Step {
  return {
    id: 'copy',
    brief: true,
    label: 'copy live release',
    body: `[ -d "releases/$DA_LIVE" ] || { echo "error: the live release releases/$DA_LIVE is missing" >&2; exit 1; }
[ ! -L "releases/$DA_LIVE" ] || { echo "error: the live release releases/$DA_LIVE is a symlink to $(readlink -- "releases/$DA_LIVE"), not a release directory: deploy instead" >&2; exit 1; }
cp -a --reflink=auto -- "releases/$DA_LIVE/." "releases/$DA_RELEASE/"
if [ -f ".deploy/manifests/$DA_LIVE.gz" ]; then
  m=".deploy/manifests/$DA_RELEASE.gz"
  [ ! -L "$m" ] || rm -f -- "$m" # cp would write through a link planted there
  cp -- ".deploy/manifests/$DA_LIVE.gz" "$m"
fi
echo "copied releases/$DA_LIVE into releases/$DA_RELEASE"`,
  };
}
