import { CONTAIN_PRELUDE } from './contain.js';
import { gzipMembers } from './gzip-members.js';
import { q } from './quote.js';
import { PRELUDE_SH, SESSION_LOOP_SH } from './sh/index.js';
import { toolCheck } from './tools.js';

/**
 * The session prelude: the start of the script a host runs for a session. It defines the helpers every phase uses
 * and the abort path; the session's first phase follows it in the same script, then the command loop
 * (SESSION_LOOP), which reads the later phases from stdin, so a whole deploy is one SSH exec per host. On EOF, on
 * silence longer than `idleSeconds` (the runner sends `ping` lines while it waits) and on SIGTERM/SIGINT/SIGHUP,
 * the host undoes this run's unfinished work by itself: a provisional switch is reverted, the partial release and
 * newly seeded shared entries are removed, the lock is released. What to undo is kept in `.deploy/pending/<owner>`,
 * so the `post:` step can finish the job after a runner was killed.
 */
export interface PreludeOptions {
  /** Random per session: marks the session's marker lines. */
  markerToken: string;
  /** Identifies this run on every host: owns the lock and the pending file. */
  owner: string;
  deployPath: string;
  idleSeconds: number;
  /** JSON object members (without braces) describing the run, for history lines written by the host itself. */
  runJson: string;
}

/**
 * How the session's bash is started: without the variables that would make it run a file first (BASH_ENV, ENV),
 * set its options (SHELLOPTS, BASHOPTS) or put it in POSIX mode (POSIXLY_CORRECT, which GNU tools also read).
 * `env -u` works in every login shell and is GNU's and busybox's alike; the prelude unsets the rest.
 */
const SESSION_BASH =
  'exec env -u BASH_ENV -u ENV -u SHELLOPTS -u BASHOPTS -u POSIXLY_CORRECT bash --noprofile --norc -c';

/**
 * The command of a session's one exec request: bash, given the session's script (in parts: see gzip-members.ts).
 * The script travels gzipped and base64-encoded on one line, so whatever the login shell (sh, bash, zsh, fish, csh),
 * it reaches bash untouched.
 */
export function sessionCommand(script: string | readonly string[]): string {
  const gz = gzipMembers(typeof script === 'string' ? [script] : script);
  // echo, not a here-string: bash before 5.1 writes every here-string to a temporary file, and a host's /tmp may be
  // full.
  return `${SESSION_BASH} 's=$(echo ${gz.toString('base64')} | base64 -d | gzip -dc) && eval "$s"'`;
}

/**
 * The longest session command sent (a prelude and an inspect phase take about 5,200 characters): Dropbear refuses
 * exec requests over 9,000 bytes, and csh words over 8 KB.
 */
export const MAX_SESSION_COMMAND = 8000;

/**
 * The session command for a script too long for the request: it reads the script from stdin (framed) instead, and
 * runs it only when it arrived whole (it ends with STDIN_SCRIPT_END): half a script would stop short of the loop
 * whose end-of-input path undoes the run's work.
 */
export const STDIN_SESSION_COMMAND = `${SESSION_BASH} 'IFS= read -r n && s=$(head -c "$n") && case $s in *"#da-end") eval "$s" ;; *) exit 70 ;; esac'`;

/** The last line of a script sent on stdin (see STDIN_SESSION_COMMAND). */
export const STDIN_SCRIPT_END = '#da-end\n';

/**
 * The command loop that ends every session script: it reads length-prefixed phase scripts from stdin and evaluates
 * them. A runner that goes silent (no phase and no ping within DA_IDLE seconds) or away (EOF) is treated as lost.
 */
export const SESSION_LOOP = SESSION_LOOP_SH;

export function renderPrelude(o: PreludeOptions): string {
  return preludeParts(o).join('');
}

/**
 * The prelude in three parts: what a run's sessions share, the session's own values (its marker token, the host's
 * deploy path), the helpers (the same for every session); sessionCommand sends each as a gzip member of its own, so
 * what repeats is deflated once and the session's own short part is stored without zlib.
 */
export function preludeParts(o: PreludeOptions): [string, string, string] {
  // The user's environment must not change how the session's commands parse their arguments or where cd goes.
  return [
    `set -u
set +o posix
unset POSIXLY_CORRECT CDPATH GLOBIGNORE TMOUT BASH_ENV ENV TAR_OPTIONS GZIP GREP_OPTIONS
export LC_ALL=C
trap '' PIPE
DA_OWNER=${q(o.owner)}
DA_PENDING=.deploy/pending/$DA_OWNER
DA_TMP=.deploy/tmp.$DA_OWNER
DA_RUN_JSON=${q(o.runJson)}
DA_IDLE=${q(o.idleSeconds)}
`,
    `DA_T=${q(o.markerToken)}\nDA_DEPLOY_PATH=${q(o.deployPath)}\n`,
    `${PRELUDE_SH}${CONTAIN_PRELUDE}${toolCheck()}da_hold hello $$ "$DA_PGID"\n`,
  ];
}
