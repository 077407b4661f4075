import type { Step } from './phase.js';
import { q } from './quote.js';
import { CONTAIN_CHECK_SH, CONTAIN_PRELUDE_SH, PRUNE_SH } from './sh/index.js';

/**
 * Containment: a step acts only on paths inside `releases/<name>/` or `shared/`, never through a symlink in a
 * parent component of the path (the build ships links as they are, and someone may plant one in shared/ on the
 * host). The roots themselves (`releases/<name>`, made by the run; `shared`, which an operator may link to another
 * disk) are not checked. Bash builtins only: `[ -L ]` on each parent; `readlink` runs only to name a refused link.
 */

/**
 * Prelude block: `da_parents_real ROOT PATH` is status 0 when no parent component of ROOT/PATH (ROOT/a, ROOT/a/b,
 * ..., PATH itself excluded) is a symlink; else status 1 with the first such component (below ROOT) in DA_LINK. A
 * parent that is not a directory ends the walk (nothing exists below it). `da_relpath_ok PATH`: PATH is a
 * relative path without `.`/`..` segments (values read back from a pending record, which a host may forge).
 */
export const CONTAIN_PRELUDE = CONTAIN_PRELUDE_SH;

/**
 * Shell functions for the check step (defined inside its body, so they travel only with the stage phase).
 * `da_contain KEY ROOT PATH LAST` checks one configured entry; LAST says what the entry itself may be:
 * `any` (a link there is replaced or removed, never followed), `real` (must not be a link: a shared entry in
 * shared/), `inside` (a link is followed, so it must resolve to a directory inside the release or shared/),
 * `seeded` (must not be a link: a writable dir in a shared dir that the shared step is about to seed from the
 * release, where a relative link would resolve differently).
 */
const CHECK_FUNCTIONS = CONTAIN_CHECK_SH;

export interface ContainOptions {
  sharedDirs: string[];
  sharedFiles: string[];
  /** Writable dirs (empty when writable_mode is skip: nothing acts on them). */
  writableDirs: string[];
  clearPaths: string[];
}

/** The shared dir that holds `path` (or is `path`), if any: after the shared step, the path lies in shared/. */
function sharedDirOf(path: string, dirs: readonly string[]): string | undefined {
  return dirs.find((d) => path === d || path.startsWith(`${d}/`));
}

/**
 * The path check: runs after the release is filled and before `shared`, so a refused run changes nothing in
 * shared/ and nothing outside the release. Every configured entry is checked in the release and, for shared
 * entries, in shared/ too; a writable dir or cleared path below a shared dir is checked in shared/, where the
 * shared link will lead it (or in the release, when shared/ is about to be seeded from it). Every refused entry
 * is named (key, path, link, target), then the step fails and the run is undone like any failed step. The `sudo` variants act only after this check, made as the deploy user.
 */
export function contain(o: ContainOptions): Step | null {
  const checks: string[] = [];
  let count = 0;
  const add = (key: string, root: string, path: string, last: 'any' | 'real' | 'inside') => {
    count++;
    checks.push(`da_contain ${key} ${root} ${q(path)} ${last} || ok=`);
  };
  const rel = '"releases/$DA_RELEASE"';
  for (const dir of o.sharedDirs) add('shared_dirs', rel, dir, 'any');
  for (const file of o.sharedFiles) add('shared_files', rel, file, 'any');
  for (const dir of o.sharedDirs) add('shared_dirs', 'shared', dir, 'real');
  for (const file of o.sharedFiles) add('shared_files', 'shared', file, 'real');
  // A path below a shared dir S lies in shared/S once the shared step has run; when shared/S does not exist yet,
  // that step seeds it from the release's S (a real directory there), so the release's copy is what to check.
  const inShared = (key: string, s: string, path: string, last: 'any' | 'inside') => {
    const from = `"releases/$DA_RELEASE/"${q(s)}`;
    count++;
    checks.push(
      `if [ -d ${from} ] && [ ! -L ${from} ] && [ ! -e shared/${q(s)} ] && [ ! -L shared/${q(s)} ]; then`,
      `  da_contain ${key} ${rel} ${q(path)} ${last === 'inside' ? 'seeded' : last} || ok=`,
      `else da_contain ${key} shared ${q(path)} ${last} || ok=; fi`,
    );
  };
  for (const dir of o.writableDirs) {
    const s = sharedDirOf(dir, o.sharedDirs);
    // The shared dir itself is the link the shared step makes (checked above, as a shared dir).
    if (s === dir || o.sharedFiles.includes(dir)) continue;
    if (s) inShared('writable_dirs', s, dir, 'inside');
    else add('writable_dirs', rel, dir, 'inside');
  }
  for (const path of o.clearPaths) {
    const s = sharedDirOf(path, o.sharedDirs);
    if (s && s !== path) inShared('clear_paths', s, path, 'any');
    else add('clear_paths', rel, path, 'any');
  }
  if (count === 0) return null;
  return {
    id: 'contain',
    brief: true,
    label: 'path check',
    body: `${CHECK_FUNCTIONS}ok=1
${checks.join('\n')}
[ -n "$ok" ] || exit 1
echo "checked ${count} paths: none leads out of the release or shared/"`,
  };
}

/**
 * Shell function for the steps that delete lists of paths (delta pruning): `da_prune DIR < list` removes the
 * NUL-separated paths (relative to DIR) of a regular file, never through a symlink: a path below a symlinked
 * directory removes that link instead (the release then lacks what the link stood for, so verify finds it
 * incomplete and everything is sent). Paths with `.`/`..` segments are ignored. One `rm` per 1000 paths.
 */
export const PRUNE_FUNCTION = PRUNE_SH.replace(/\n$/, '');
