import type { Step } from '../phase.js';

/**
 * deploy:release: `releases/$DA_RELEASE` is created with `mkdir` (never `-p`), so a name that exists is an error,
 * never an overwrite. The pending record is written only once the directory is ours.
 */
export function release(): Step {
  return {
    id: 'release',
    brief: true,
    label: 'release',
    body: `if [ -e "releases/$DA_RELEASE" ] || [ -L "releases/$DA_RELEASE" ]; then
  echo "error: releases/$DA_RELEASE already exists on this host; a release is never overwritten" >&2
  exit 1
fi
# The release's manifest and index are written later with \`>\`, which would follow a link planted under their name.
for m in ".deploy/manifests/$DA_RELEASE.gz" ".deploy/manifests/$DA_RELEASE.idx"; do
  if [ -L "$m" ]; then echo "error: $m is a symlink planted before this release existed; remove it" >&2; exit 1; fi
done
mkdir -- "releases/$DA_RELEASE"
printf 'release %s\\n' "$DA_RELEASE" >> "$DA_PENDING"
echo "created releases/$DA_RELEASE"`,
  };
}
