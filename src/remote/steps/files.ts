import type { EnvironmentConfig, FileConfig } from '../../config/index.js';
import type { Step } from '../phase.js';
import { q, words } from '../quote.js';
import type { PhaseResult } from '../session.js';
import { FILES_RESTORE_SH, FILES_SH } from '../sh/index.js';

/** The `da_data` key of each file's outcome: `<index> changed|created|unchanged`. */
export const FILE_KEY = 'file';

export type FileState = 'changed' | 'created' | 'unchanged';

/**
 * The files step (`files:`): after the shared links, before the deploy hooks. Each file whose content differs
 * from the host's is written atomically (a temporary file beside it, its mode set before its content, renamed
 * over it); one whose content is the same is left as it is (its mtime kept). Every path is checked on the host as
 * the path check does (no symlink in a parent; none at a file of shared/). A file of shared/ it changes is kept in
 * the run's scratch dir first, so that a failed or cancelled run puts it back (da_files_restore, in da_abort); a
 * successful run's unlock removes the copies. The content travels in the phase's script (read by the session
 * from stdin) and goes to the file through bash builtins only: it is never an argument of a process, never printed.
 * With `require_shared_files`, the shared files that no entry writes must be there, non-empty.
 */
export function files(opts: { files: readonly FileConfig[]; required: readonly string[] }): Step | null {
  if (opts.files.length === 0 && opts.required.length === 0) return null;
  const lines: string[] = [];
  if (opts.required.length) lines.push(`da_files_required ${words([...opts.required])}`);
  opts.files.forEach((f, i) => {
    if (f.content === undefined || f.sha256 === undefined) {
      // Only a command that writes no file loads the config without contents (a dry run shows this step only).
      lines.push(`echo ${q(`error: files: ${f.path}: its content was not loaded`)} >&2`, 'exit 1');
      return;
    }
    lines.push(
      `c=${q(f.content)}`,
      `da_file_put ${i} ${f.release ? 'release' : 'shared'} ${q(f.path)} ${f.mode} ${f.sha256}`,
    );
  });
  if (opts.files.length) lines.push('unset c', 'echo "files: $da_files_said"');
  else lines.push(`echo ${q(`checked ${opts.required.length} required shared files`)}`);
  return { id: 'files', label: 'files', body: lines.join('\n'), lib: [FILES_SH, FILES_RESTORE_SH], brief: true };
}

/** With `require_shared_files`: the shared files that no `files:` entry writes (they must be there, non-empty). */
export function requiredSharedFiles(
  c: Pick<EnvironmentConfig, 'files' | 'sharedFiles' | 'requireSharedFiles'>,
): string[] {
  if (!c.requireSharedFiles) return [];
  return c.sharedFiles.filter((p) => !c.files.some((f) => !f.release && f.path === p));
}

/** Where each file goes, as the dry run's plan and the summary name it: `shared/.env`, `releases/<name>/x`. */
export function fileTarget(f: Pick<FileConfig, 'path' | 'release'>, release: string): string {
  return f.release ? `releases/${release}/${f.path}` : `shared/${f.path}`;
}

/** The dry run's plan of the files step: `write shared/.env (0600)`. */
export function filesPlan(list: readonly FileConfig[], release: string): string[] {
  return list.map((f) => `write ${fileTarget(f, release)} (${f.mode})`);
}

/**
 * What the files step reported on a host, each entry by its path from the config (a host only says an index and
 * a state; anything else, or an index reported twice, is ignored): `.env changed, config/app.json unchanged`.
 */
export function filesOutcome(
  result: Pick<PhaseResult, 'data'> | undefined,
  list: readonly FileConfig[],
): { path: string; state: FileState }[] {
  const states = new Map<number, FileState>();
  const twice = new Set<number>();
  for (const value of result?.data.get(FILE_KEY) ?? []) {
    const m = /^(\d{1,6}) (changed|created|unchanged)$/.exec(value);
    if (!m) continue;
    const i = Number(m[1]);
    if (i >= list.length) continue;
    if (states.has(i)) twice.add(i);
    states.set(i, m[2] as FileState);
  }
  return [...states]
    .filter(([i]) => !twice.has(i))
    .sort(([a], [b]) => a - b)
    .map(([i, state]) => ({ path: list[i]!.path, state }));
}

/** One line: `files: .env changed, config/app.json unchanged` (never the content). */
export function filesLine(outcome: readonly { path: string; state: FileState }[]): string | undefined {
  return outcome.length ? `files: ${outcome.map((o) => `${o.path} ${o.state}`).join(', ')}` : undefined;
}
