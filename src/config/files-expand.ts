/**
 * `files:` for the chosen environment: each entry's content expanded from the step's environment (a variable that
 * is not set, or a file left empty, is a config error before anything connects), its values kept to be masked, its
 * path checked against the shared lists; files in shared/ are linked into every release as `shared_files` are.
 */
import { createHash } from 'node:crypto';
import { Cursor, type Source } from './cursor.js';
import type { ConfigProblem } from './errors.js';
import { Problems } from './errors.js';
import { referencedNames } from './deferred.js';
import { checkReferences, expandValue, STEP_ENVIRONMENT } from './expand.js';
import type { FileEntry } from './files-kind.js';
import type { EnvironmentConfig, FileConfig } from './types.js';

export interface LoadedFiles {
  files: FileConfig[];
  /** shared_files with the files: paths in shared/ that no shared dir holds added (they are linked the same way). */
  sharedFiles: string[];
  secrets: string[];
  /** References not set, when nothing was expanded (a dry run names them). */
  unset: ConfigProblem[];
}

export interface FilesOptions {
  env: Readonly<Record<string, string | undefined>>;
  envSource?: string;
  /** Expand the contents (a command that writes files); false: check the references only. */
  expand: boolean;
}

const inside = (path: string, dir: string) => path.startsWith(`${dir}/`);

function pathProblem(f: FileEntry, dirs: readonly string[], shared: readonly string[]): string | undefined {
  if (f.release) {
    const dir = dirs.find((d) => f.path === d || inside(f.path, d));
    if (dir)
      return `\`${f.path}\` is in the shared dir \`${dir}\`, a link in every release: write it without \`release: true\``;
    if (shared.includes(f.path))
      return `\`${f.path}\` is a shared file, a link in every release: write it without \`release: true\``;
    return undefined;
  }
  if (dirs.includes(f.path)) return `\`${f.path}\` is a shared dir, not a file`;
  const file = shared.find((s) => inside(f.path, s));
  return file ? `\`${f.path}\` is inside \`${file}\`, which is a shared file` : undefined;
}

function contentOf(f: FileEntry, at: Cursor, o: FilesOptions, secrets: Set<string>, unset: Problems) {
  const source = o.envSource ?? STEP_ENVIRONMENT;
  const key = f.fromEnv === undefined ? 'content' : 'from_env';
  const keyAt = new Cursor(at.source, `${f.at}.${key}`);
  const template = f.fromEnv === undefined ? f.content! : `\${${f.fromEnv}}`;
  // Only the names, never the text: a message must not repeat a file's content.
  const from = /\$\{[A-Za-z_]/.test(template.replaceAll('$${', ''))
    ? referencedNames(template.replaceAll('$${', ''))
    : 'its text';
  if (!o.expand) {
    for (const message of checkReferences(template, o.env, source).unset) unset.add(f.sourceAt, keyAt.path, message);
    return { from };
  }
  const expansion = expandValue(template, o.env, source);
  for (const problem of expansion.problems) keyAt.problemAt(f.sourceAt, problem);
  if (expansion.problems.length) return undefined;
  if (expansion.value.trim() === '') {
    const named = template.includes('${') ? `${from} is empty in ${source}` : 'the content is empty';
    return keyAt.problemAt(
      f.sourceAt,
      `\`${f.path}\` would be written empty: ${named}. Set it (a secret that does not exist reads as empty), or remove the entry`,
    );
  }
  for (const s of f.fromEnv === undefined ? expansion.secrets : [expansion.value]) secrets.add(s);
  return { from, content: expansion.value };
}

/** The chosen environment's files, expanded and checked; problems go to the source's list. */
export function loadFiles(
  entries: readonly FileEntry[],
  shared: { dirs: readonly string[]; files: readonly string[] },
  source: Source,
  o: FilesOptions,
): LoadedFiles {
  const secrets = new Set<string>();
  const unset = new Problems();
  const files: FileConfig[] = [];
  const sharedFiles = [...shared.files];
  for (const f of entries) {
    const at = new Cursor(source, f.at);
    const problem = pathProblem(f, shared.dirs, shared.files);
    if (problem) {
      at.child('path').problemAt(f.position, problem);
      continue;
    }
    const got = contentOf(f, at, o, secrets, unset);
    if (!got) continue;
    const sha256 =
      got.content === undefined ? undefined : createHash('sha256').update(got.content, 'utf8').digest('hex');
    files.push({
      path: f.path,
      release: f.release,
      mode: f.mode,
      from: got.from,
      ...(got.content === undefined ? {} : { content: got.content, sha256 }),
    });
    const linked = shared.dirs.some((d) => inside(f.path, d)) || sharedFiles.includes(f.path);
    if (!f.release && !linked) sharedFiles.push(f.path);
  }
  return {
    files,
    sharedFiles,
    secrets: [...secrets],
    unset: unset.list,
  };
}

type Built = Omit<EnvironmentConfig, 'files' | 'requireSharedFiles'>;

/**
 * The chosen environment's config with its files: their values join the secrets, their unset references (when
 * nothing is expanded) the dry run's list, their paths in shared/ the shared files.
 */
export function withFiles(
  config: Built,
  entries: readonly FileEntry[],
  require: boolean,
  source: Source,
  o: { env: Readonly<Record<string, string | undefined>>; envSource?: string; expandEnv: boolean },
): EnvironmentConfig {
  const loaded = loadFiles(entries, { dirs: config.sharedDirs, files: config.sharedFiles }, source, {
    env: o.env,
    envSource: o.envSource,
    expand: o.expandEnv,
  });
  return {
    ...config,
    secrets: [...new Set([...config.secrets, ...loaded.secrets])],
    ...(config.envSkipped ? { envSkipped: { unset: [...config.envSkipped.unset, ...loaded.unset] } } : {}),
    sharedFiles: loaded.sharedFiles,
    files: loaded.files,
    requireSharedFiles: require,
  };
}
