import type { Step } from '../phase.js';
import { q } from '../quote.js';

/**
 * deploy:symlink: a new link is renamed over `current` (rename(2) is atomic), so a reader sees the old release or
 * the new one, never neither. The previous target is recorded first: until the run commits, the switch is
 * provisional and the abort path puts it back. `liveTarget`: where `current` pointed when the host was inspected.
 */
export function symlink(liveTarget: string): Step {
  return {
    id: 'symlink',
    label: 'symlink',
    // The target inspect read under this run's lock is recorded while current still resolves to the same directory;
    // when current was changed since (by a hook, by hand), or nothing was live, readlink tells.
    body: `prev=${q(liveTarget)}
[ -n "$prev" ] && [ current -ef "$prev" ] || prev=$(readlink current 2>/dev/null || true)
printf 'switched %s %s\\n' "releases/$DA_RELEASE" "$prev" >> "$DA_PENDING"
ln -sfn -- "releases/$DA_RELEASE" ".deploy/current.$DA_OWNER"
mv -fT -- ".deploy/current.$DA_OWNER" current
echo "current -> releases/$DA_RELEASE (was \${prev:-nothing})"`,
  };
}
