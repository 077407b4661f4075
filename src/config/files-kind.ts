/**
 * The `files:` list: files written on each host from the config (secrets from the step's environment), each a
 * mapping with `path`, `content` or `from_env`, `mode` and `release`. Read as written here; the `${NAME}` values
 * are expanded for the chosen environment by files-expand.ts.
 */
import { isMap } from 'yaml';
import type { Cursor } from './cursor.js';
import { describeNode } from './cursor.js';
import type { SourcePosition } from './errors.js';
import { checkReferences, runnerInternal } from './expand.js';
import { objectSchema, type JsonValue, type KeySpec, type KeySpecs, type Kind } from './kind.js';
import { readText, same, text } from './kinds.js';
import { readList } from './list-kinds.js';
import { readMapping } from './mapping.js';
import { normaliseRelative, relativePathProblem } from './paths.js';

/** A `files:` entry as written, before `${NAME}` is expanded. */
export interface FileEntry {
  /** Relative to shared/ (or to the release with `release: true`), normalised. */
  path: string;
  /** `content:` as written (with its `${NAME}` references); absent with `from_env`. */
  content?: string;
  /** `from_env:`: the variable whose whole value is the content. */
  fromEnv?: string;
  /** Normalised 4-digit octal. */
  mode: string;
  release: boolean;
  position: SourcePosition;
  /** Where its `content` or `from_env` key is written (messages about the content point there). */
  sourceAt: SourcePosition;
  /** Dotted key path of the entry (`environments.production.files[0]`). */
  at: string;
}

export interface FileEntryKeys extends KeySpecs {
  path: KeySpec<string>;
  content: KeySpec<string>;
  from_env: KeySpec<string>;
  mode: KeySpec<string> & { default: string };
  release: KeySpec<boolean> & { default: boolean };
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A `from_env:` value: a variable name, not one internal to the runner. */
export const fromEnvName: Kind<string> = text({
  label: 'variable name',
  check: (v) =>
    VARIABLE.test(v)
      ? runnerInternal(v)
      : 'must be a variable name: letters, digits and `_`, not starting with a digit',
  schema: { pattern: VARIABLE.source },
});

/** A `files:` path: relative (to shared/ or the release), normalised, checked as the shared lists' entries are. */
export const filePath: Kind<string> = {
  label: 'relative path',
  jsonSchema: { type: 'string', minLength: 1, not: { pattern: '^/|(^|/)\\.\\.?(/|$)|\\\\|^\\.deploy' } },
  read(node, at) {
    const raw = readText(node, at);
    if (raw === undefined) return undefined;
    const value = normaliseRelative(raw);
    const problem = relativePathProblem(value);
    return problem ? at.problem(node, problem) : value;
  },
  toJson: same,
};

function readEntry(item: unknown, at: Cursor, keys: FileEntryKeys): FileEntry | undefined {
  const resolved = at.resolve(item);
  if (!isMap(resolved)) {
    return at.problem(
      item,
      `must be a mapping with \`path\` and \`content\` or \`from_env\` (got ${describeNode(resolved)})`,
    );
  }
  const mapping = readMapping(item, at, keys, { requiredFrom: keys });
  if (!mapping) return undefined;
  const { values, keys: written } = mapping;
  if (written.content && written.from_env) {
    return at.problemAt(mapping.position, 'takes either `content` or `from_env`, not both');
  }
  if (!written.content && !written.from_env) {
    return at.problemAt(mapping.position, 'needs `content` (text, `${NAME}` replaced) or `from_env` (a variable name)');
  }
  if (Object.keys(written).some((k) => values[k] === undefined) || values.path === undefined) return undefined;
  if (values.content !== undefined) {
    const { problems } = checkReferences(values.content, {});
    for (const problem of problems) at.child('content').problemAt(written.content!, problem);
    if (problems.length) return undefined;
  }
  return {
    path: values.path,
    ...(values.content === undefined ? {} : { content: values.content }),
    ...(values.from_env === undefined ? {} : { fromEnv: values.from_env }),
    mode: values.mode ?? keys.mode.default,
    release: values.release ?? keys.release.default,
    position: mapping.position,
    sourceAt: written.content ?? written.from_env ?? mapping.position,
    at: at.path,
  };
}

/** The list: each entry checked, no file written twice. */
export function fileList(keys: FileEntryKeys): Kind<FileEntry[]> {
  return {
    label: 'list of files (`path`, `content` or `from_env`, `mode`, `release`)',
    jsonSchema: {
      type: 'array',
      items: {
        ...objectSchema(keys),
        oneOf: [
          { required: ['content'], not: { required: ['from_env'] } },
          { required: ['from_env'], not: { required: ['content'] } },
        ],
      },
    },
    read(node, at) {
      const seen = new Map<string, number>();
      return readList(node, at, (item, itemAt) => {
        const entry = readEntry(item, itemAt, keys);
        if (!entry) return undefined;
        const id = `${entry.release ? 'release' : 'shared'}/${entry.path}`;
        const earlier = seen.get(id);
        if (earlier !== undefined) {
          return itemAt.problemAt(entry.position, `\`${entry.path}\` is written twice (also at line ${earlier})`);
        }
        seen.set(id, entry.position.line);
        return entry;
      });
    },
    toJson: (files) =>
      files.map(
        (f): JsonValue => ({
          path: f.path,
          ...(f.content === undefined ? {} : { content: f.content }),
          ...(f.fromEnv === undefined ? {} : { from_env: f.fromEnv }),
          mode: f.mode,
          release: f.release,
        }),
      ),
  };
}
