import type { Step } from '../phase.js';
import { q, words } from '../quote.js';

export type WritableMode = 'acl' | 'chmod' | 'chown' | 'chgrp' | 'skip';

export interface WritableOptions {
  dirs: string[];
  mode: WritableMode;
  useSudo: boolean;
  recursive: boolean;
  chmodMode: string;
  /** Resolved by the runner: the config's http_user or the one the host reported. */
  httpUser?: string;
  httpGroup?: string;
}

/** Which writable modes need the web server user. */
export function needsHttpUser(mode: WritableMode): boolean {
  return mode === 'acl' || mode === 'chown';
}

/**
 * deploy:writable, with Deployer's modes. Runs inside the new release; directories are created first. Symlinked
 * (shared) directories given on the command line are followed (the path check step has made sure that they stay
 * inside the release or shared/, and that no parent of a dir is a link); links deeper inside are never followed,
 * nor is their target changed (chown/chgrp -h, setfacl without -L). Options and `--` come before the mode or owner,
 * so no command depends on GNU argument permutation (POSIXLY_CORRECT).
 */
export function writable(o: WritableOptions): Step | null {
  if (o.dirs.length === 0 || o.mode === 'skip') return null;
  const dirs = words(o.dirs);
  const sudo = o.useSudo ? 'sudo -n ' : '';
  // Recursive chown/chgrp: -h changes a link met inside the tree, never its target (with -R alone they change the
  // target); a dir named with a trailing slash is the directory a (shared) link leads to, not the link. GNU chmod
  // follows command-line links and skips links inside the tree by itself (and has no -H before coreutils 9.5).
  const ownFlags = o.recursive ? '-R -h ' : '';
  const ownDirs = o.recursive ? o.dirs.map((d) => `${q(d)}/`).join(' ') : dirs;
  const chmodRec = o.recursive ? '-R ' : '';
  const lines = ['cd -- "releases/$DA_RELEASE"', `mkdir -p -- ${dirs}`];
  switch (o.mode) {
    case 'chmod':
      lines.push(`${sudo}chmod ${chmodRec}-- ${q(o.chmodMode)} ${dirs}`);
      break;
    case 'chown':
      lines.push(`${sudo}chown ${ownFlags}-- ${q(required(o.httpUser, 'http_user'))} ${ownDirs}`);
      break;
    case 'chgrp':
      lines.push(`${sudo}chgrp ${ownFlags}-- ${q(required(o.httpGroup, 'http_group'))} ${ownDirs}`);
      break;
    case 'acl': {
      const user = required(o.httpUser, 'http_user');
      const http = q(user);
      const r = o.recursive ? '-R ' : '';
      lines.push(
        'command -v setfacl >/dev/null || { echo "error: setfacl is not installed on this host: install the acl package, or set writable_mode to chmod, chown, chgrp or skip" >&2; exit 1; }',
        'me=$(id -un)',
      );
      if (o.useSudo) {
        lines.push(
          `sudo -n setfacl ${r}-m u:${http}:rwX -m "u:$me:rwX" -- ${dirs}`,
          `sudo -n setfacl -d ${r}-m u:${http}:rwX -m "u:$me:rwX" -- ${dirs}`,
        );
      } else {
        lines.push(
          `for dir in ${dirs}; do`,
          `  if getfacl -p -- "$dir" 2>/dev/null | grep -q ${q(`^user:${user}:.*w`)}; then continue; fi`,
          `  setfacl ${r}-m u:${http}:rwX -m "u:$me:rwX" -- "$dir"`,
          `  setfacl -d ${r}-m u:${http}:rwX -m "u:$me:rwX" -- "$dir"`,
          'done',
        );
      }
      break;
    }
  }
  lines.push(
    `echo "made ${o.dirs.length === 1 ? '1 directory' : `${o.dirs.length} directories`} writable (${o.mode})"`,
  );
  return { id: 'writable', label: 'writable', body: lines.join('\n'), brief: true };
}

function required(value: string | undefined, key: string): string {
  if (!value) throw new Error(`${key} is needed for this writable_mode but was neither set nor detected`);
  return value;
}
