import { TOOLS_SH } from './sh/index.js';

/**
 * The tools a session needs on a host, checked when the session starts (before its hello, in the same round trip):
 * a host that lacks one, or has busybox's applet first in PATH where GNU behaviour is relied on, fails at once with
 * a message that names each tool and what to install, instead of a step failing later in a way that names none.
 */

/** Where each tool comes from: the Alpine and Debian/Ubuntu packages (in the order install commands list them). */
const PACKAGES: readonly { apk: string; apt: string; tools: readonly string[] }[] = [
  {
    apk: 'coreutils',
    apt: 'coreutils',
    tools: [
      'head',
      'stat',
      'mv',
      'cp',
      'ln',
      'readlink',
      'rm',
      'mkdir',
      'cat',
      'sha256sum',
      'base64',
      'timeout',
      'df',
      'tac',
      'seq',
      'sort',
      'tr',
      'date',
      'sleep',
      'uniq',
      'id',
      'env',
    ],
  },
  { apk: 'findutils', apt: 'findutils', tools: ['find', 'xargs'] },
  { apk: 'tar', apt: 'tar', tools: ['tar'] },
  { apk: 'gzip', apt: 'gzip', tools: ['gzip'] },
  { apk: 'gawk', apt: 'gawk', tools: ['awk'] },
  { apk: 'sed', apt: 'sed', tools: ['sed'] },
  { apk: 'grep', apt: 'grep', tools: ['grep'] },
  { apk: 'util-linux', apt: 'util-linux', tools: ['flock'] },
];

/**
 * Every external command the prelude and the steps run unconditionally (`pkill` and `ps` have fallbacks; `setfacl`,
 * `sudo` and `chown` depend on the config and fail in their own step with their own message).
 */
export const HOST_TOOLS: readonly string[] = PACKAGES.flatMap((p) => p.tools);

/** The oldest bash the session runs on: `read -N`, `printf -v`, `printf '%(…)T'`, `BASH_CMDS`. */
export const MIN_BASH = [4, 3] as const;

/** The session's exit status when its check failed (EX_UNAVAILABLE), after a `tools` marker says why. */
export const TOOLS_EXIT = 69;

/**
 * The check, for the prelude (before hello; `da_mark` defined). No process: `hash` finds a tool (its path is then
 * in BASH_CMDS) and `-ef` tells a busybox or toybox applet (a link to, or a copy sharing the inode of, the binary)
 * from the real tool. On failure it sends `tools missing=a,b busybox=c,d bash=VERSION` and exits TOOLS_EXIT. The
 * shell is sh/tools.sh, which holds MIN_BASH (as 403) and TOOLS_EXIT literally; the tools come as arguments.
 */
export function toolCheck(): string {
  return `${TOOLS_SH}da_tools ${HOST_TOOLS.join(' ')}\n`;
}

/** The message for a session command that the login shell could not run (status 127), from its stderr. */
export function describeMissingShell(stderr: string): string {
  // GNU env: "env: 'bash': No such file or directory"; busybox: "can't execute 'bash'"; dash: "exec: env: not found".
  return /bash/.test(stderr) || !/\benv\b/.test(stderr)
    ? 'this host has no bash (the session runs in bash 4.3 or later): install it (Alpine: `apk add bash coreutils findutils tar gzip util-linux`)'
    : 'this host has no `env` in the login PATH (coreutils): install coreutils, or fix the PATH set by the login files';
}

/** The message for a `tools` marker's fields (`missing=a,b busybox=c,d bash=VERSION`). */
export function describeToolProblems(fields: readonly string[]): string {
  const field = (name: string) => (fields.find((f) => f.startsWith(`${name}=`)) ?? '').slice(name.length + 1);
  const list = (name: string) =>
    field(name)
      .split(',')
      .filter((t) => /^[a-z0-9_-]{1,32}$/.test(t) && HOST_TOOLS.includes(t));
  const missing = list('missing');
  const busybox = list('busybox');
  const bash = field('bash')
    .replace(/[^\w.()-]/g, '')
    .slice(0, 40);
  const problems: string[] = [];
  if (missing.length) problems.push(`missing: ${missing.join(', ')}`);
  if (busybox.length) {
    problems.push(
      `busybox (or toybox) applets where GNU tools are needed: ${busybox.join(', ')} (busybox \`head -c\` reads past its count from a pipe, its \`find\` has no -printf)`,
    );
  }
  if (!missing.length && !busybox.length) {
    return `bash ${bash || '(unknown version)'} is older than ${MIN_BASH.join('.')}, which the session needs: install bash ${MIN_BASH.join('.')} or later`;
  }
  const needed = PACKAGES.filter((p) => p.tools.some((t) => missing.includes(t) || busybox.includes(t)));
  const apk = ['bash', ...needed.map((p) => p.apk)].join(' ');
  const apt = needed.map((p) => p.apt).join(' ');
  return (
    `this host lacks tools the session needs: ${problems.join('; ')}. Install them ` +
    `(Alpine: \`apk add ${apk}\`; Debian, Ubuntu: \`apt-get install ${apt}\`)` +
    `${busybox.length ? ' and put them before busybox in PATH' : ''}; see Troubleshooting in docs/operations.md`
  );
}
