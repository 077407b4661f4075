import type { Step } from '../phase.js';

/**
 * deploy:release: `releases/$DA_RELEASE` is created with `mkdir` (never `-p`), so a name that exists is an error,
 * never an overwrite. The pending record is written only once the directory is ours.
 */
export function release(): Step {
  return {
    id: 'release',
    label: 'release',
    body: `if [ -e "releases/$DA_RELEASE" ] || [ -L "releases/$DA_RELEASE" ]; then
  echo "error: releases/$DA_RELEASE already exists on this host; a release is never overwritten" >&2
  exit 1
fi
mkdir -- "releases/$DA_RELEASE"
printf 'release %s\\n' "$DA_RELEASE" >> "$DA_PENDING"
echo "created releases/$DA_RELEASE"`,
  };
}
