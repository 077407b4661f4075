import type { Step } from './phase.js';
import { q } from './quote.js';

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
export const CONTAIN_PRELUDE = `da_parents_real() {
  local rest=$2 prefix=
  DA_LINK=
  while [ "$rest" != "\${rest#*/}" ]; do
    prefix=\${prefix:+$prefix/}\${rest%%/*}; rest=\${rest#*/}
    if [ -L "$1/$prefix" ]; then DA_LINK=$prefix; return 1; fi
    [ -d "$1/$prefix" ] || return 0
  done
}
da_relpath_ok() { case /$1/ in //|*//*|*/./*|*/../*) return 1 ;; esac; }
`;

/**
 * Shell functions for the check step (defined inside its body, so they travel only with the stage phase).
 * `da_contain KEY ROOT PATH LAST` checks one configured entry; LAST says what the entry itself may be:
 * `any` (a link there is replaced or removed, never followed), `real` (must not be a link: a shared entry in
 * shared/), `inside` (a link is followed, so it must resolve to a directory inside the release or shared/),
 * `seeded` (must not be a link: a writable dir in a shared dir that the shared step is about to seed from the
 * release, where a relative link would resolve differently).
 */
const CHECK_FUNCTIONS = `da_leaves() {
  # $1: a link's path below its root, $2: its target. Status 0 when the target leads out of the root (by its text).
  local depth=0 rest=$1 seg
  case $2 in /*) return 0 ;; esac
  while [ "$rest" != "\${rest#*/}" ]; do depth=$((depth + 1)); rest=\${rest#*/}; done
  rest=$2/
  while [ -n "$rest" ]; do
    seg=\${rest%%/*}; rest=\${rest#*/}
    case $seg in ''|.) ;; ..) depth=$((depth - 1)); [ "$depth" -ge 0 ] || return 0 ;; *) depth=$((depth + 1)) ;; esac
  done
  return 1
}
da_refuse() {
  # $1 key, $2 path, $3 root, $4 the link below the root, $5 why (optional)
  local target shown=$4 where='the release' why=\${5:-}
  if [ "$3" = shared ]; then shown=shared/$4; where=shared/; fi
  target=$(readlink -- "$3/$4" 2>/dev/null) || target='?'
  if [ -z "$why" ]; then
    if da_leaves "$4" "$target"; then why=", outside $where"
    else why=" (inside $where, but a symlink in the middle of a path is never followed: name the real path)"; fi
  fi
  echo "error: $1: $2: $shown is a symlink to $target$why" >&2
}
da_resolves_inside() {
  # ROOT/PATH resolves (physically; cd is a builtin) to a directory inside the release or shared/: status 0; to one
  # elsewhere: 1; to no directory: 2.
  local real rel= sh=
  cd -P -- "$DA_DEPLOY_PATH/$1" 2>/dev/null || { cd -- "$DA_DEPLOY_PATH"; return 2; }
  real=$PWD/
  if cd -P -- "$DA_DEPLOY_PATH/releases/$DA_RELEASE" 2>/dev/null; then rel=$PWD/; fi
  if cd -P -- "$DA_DEPLOY_PATH/shared" 2>/dev/null; then sh=$PWD/; fi
  cd -- "$DA_DEPLOY_PATH"
  if [ -n "$rel" ]; then case $real in "$rel"*) return 0 ;; esac; fi
  if [ -n "$sh" ]; then case $real in "$sh"*) return 0 ;; esac; fi
  return 1
}
da_contain() {
  if ! da_parents_real "$2" "$3"; then da_refuse "$1" "$3" "$2" "$DA_LINK"; return 1; fi
  [ -L "$2/$3" ] || return 0
  case $4 in
    any) return 0 ;;
    real) da_refuse "$1" "$3" "$2" "$3" "; deploy-action never writes through a link in shared/: make it a real $([ "$1" = shared_files ] && echo file || echo directory) there"; return 1 ;;
    seeded) da_refuse "$1" "$3" "$2" "$3" "; shared/ is seeded from this release, where the link would lead elsewhere: ship a real directory there"; return 1 ;;
    inside)
      local rc=0
      da_resolves_inside "$2/$3" || rc=$?
      case $rc in
        0) ;;
        1) da_refuse "$1" "$3" "$2" "$3" ", outside the release and shared/"; return 1 ;;
        *) da_refuse "$1" "$3" "$2" "$3" ", which is not a directory"; return 1 ;;
      esac ;;
  esac
}`;

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
    label: 'path check',
    body: `${CHECK_FUNCTIONS}
ok=1
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
export const PRUNE_FUNCTION = `da_prune() {
  local p ok= n=0 list=()
  while IFS= read -r -d '' p; do
    case /$p/ in //|*//*|*/./*|*/../*) continue ;; esac
    # Siblings come together: a parent found real is not walked again.
    if [ "\${p%/*}" != "$ok" ]; then
      ok=
      if da_parents_real "$1" "$p"; then
        case $p in */*) ok=\${p%/*} ;; esac
      else
        echo "$1/$DA_LINK is a symlink (to $(readlink -- "$1/$DA_LINK" || true)): removed it, not $p through it"
        p=$DA_LINK
      fi
    fi
    list[n++]=$1/$p
    if [ "$n" -ge 1000 ]; then rm -rf -- "\${list[@]}"; list=(); n=0; fi
  done
  [ "$n" -eq 0 ] || rm -rf -- "\${list[@]}"
}`;
