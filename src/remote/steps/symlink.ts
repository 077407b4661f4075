import type { Step } from '../phase.js';
import { q } from '../quote.js';

/**
 * deploy:symlink: a new link is renamed over `current` (rename(2) is atomic), so a reader sees the old release or
 * the new one, never neither. The previous target is recorded first: until the run commits, the switch is
 * provisional and the abort path puts it back. `liveTarget`: where `current` pointed when the host was inspected.
 *
 * The switch is fenced: under the fence (da_fence_lock, the flock `unlock` takes too) it proves that this run still
 * holds its lock, and that the release is a real directory with its REVISION (what the upload writes last), so
 * `current` never points at a directory another run's unlock removed, or at one that is not complete.
 */
export function symlink(liveTarget: string): Step {
  return {
    id: 'symlink',
    brief: true,
    label: 'symlink',
    fenced: true,
    // The target inspect read under this run's lock is recorded while current still resolves to the same directory;
    // when current was changed since (by a hook, by hand), or nothing was live, readlink tells.
    body: `da_fence_lock
da_fence
if [ -z "$DA_RELEASE" ] || [ -L "releases/$DA_RELEASE" ] || [ ! -d "releases/$DA_RELEASE" ] || [ ! -f "releases/$DA_RELEASE/REVISION" ]; then
  echo "error: releases/$DA_RELEASE is not a complete release (no such directory, a symlink, or no REVISION file): current was not switched" >&2
  exit 1
fi
prev=${q(liveTarget)}
[ -n "$prev" ] && [ current -ef "$prev" ] || prev=$(readlink current 2>/dev/null || true)
printf 'switched %s %s\\n' "releases/$DA_RELEASE" "$prev" >> "$DA_PENDING"
ln -sfn -- "releases/$DA_RELEASE" ".deploy/current.$DA_OWNER"
mv -fT -- ".deploy/current.$DA_OWNER" current
echo "current -> releases/$DA_RELEASE (was \${prev:-nothing})"`,
  };
}
