import type { Step } from '../phase.js';
import { q } from '../quote.js';

/** The link target from `releases/<name>/<path>` back to `shared/<path>`, relative so the tree can move. */
export function sharedLinkTarget(path: string): string {
  const depth = path.split('/').length; // segments below releases/<name>/, the link's own name included
  return `${'../'.repeat(depth + 1)}shared/${path}`;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Links the release's entry to shared/ (a release recycled from an older one may have that link already). */
function linkInto(path: string): string {
  const parent = parentOf(path);
  const entry = `"releases/$DA_RELEASE/"${q(path)}`;
  return [
    `if ! { [ -L ${entry} ] && [ ${entry} -ef shared/${q(path)} ]; }; then`,
    `  rm -rf -- ${entry}`,
    parent ? `  mkdir -p -- "releases/$DA_RELEASE/"${q(parent)}` : '',
    `  ln -s -- ${q(sharedLinkTarget(path))} ${entry}`,
    'fi',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * deploy:shared: each shared dir and file lives in `shared/` and is linked into the release. The first time, the
 * shared copy is seeded from the release (as Deployer does); seeded entries are recorded so that a failed run
 * removes them again and `shared/` is as it was. The path check step (see contain.ts) runs first: no parent of an
 * entry, in the release or in shared/, is a symlink, and no shared entry in shared/ is one.
 */
export function shared(opts: { dirs: string[]; files: string[] }): Step | null {
  if (opts.dirs.length === 0 && opts.files.length === 0) return null;
  const parts: string[] = [];
  for (const dir of opts.dirs) {
    const p = q(dir);
    const parent = parentOf(dir);
    parts.push(`if [ -L shared/${p} ] || { [ -e shared/${p} ] && [ ! -d shared/${p} ]; }; then
  printf 'error: shared/%s exists but is not a directory\\n' ${p} >&2; exit 1
fi
if [ ! -e shared/${p} ]; then
  printf 'seeded %s\\n' ${p} >> "$DA_PENDING"
  ${parent ? `mkdir -p -- shared/${q(parent)}` : ':'}
  if [ -d "releases/$DA_RELEASE/"${p} ] && [ ! -L "releases/$DA_RELEASE/"${p} ]; then cp -a -- "releases/$DA_RELEASE/"${p} shared/${p}; else mkdir -- shared/${p}; fi
  printf 'seeded shared/%s\\n' ${p}
fi
${linkInto(dir)}`);
  }
  for (const file of opts.files) {
    const p = q(file);
    const parent = parentOf(file);
    parts.push(`if [ -L shared/${p} ] || [ -d shared/${p} ]; then
  printf 'error: shared/%s exists but is not a regular file\\n' ${p} >&2; exit 1
fi
if [ ! -e shared/${p} ]; then
  printf 'seeded %s\\n' ${p} >> "$DA_PENDING"
  ${parent ? `mkdir -p -- shared/${q(parent)}` : ':'}
  if [ -f "releases/$DA_RELEASE/"${p} ] && [ ! -L "releases/$DA_RELEASE/"${p} ]; then cp -a -- "releases/$DA_RELEASE/"${p} shared/${p}; else : > shared/${p}; fi
  printf 'seeded shared/%s\\n' ${p}
fi
${linkInto(file)}`);
  }
  parts.push(`echo "linked ${opts.dirs.length + opts.files.length} shared entries"`);
  return { id: 'shared', label: 'shared', body: parts.join('\n'), brief: true };
}
