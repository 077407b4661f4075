/** Reading deploy.yml: file → YAML document (syntax, duplicate keys, alias abuse) → validated settings. */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isAlias, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { Cursor, type Source } from './cursor.js';
import { ConfigError, Problems } from './errors.js';
import { missingConfigMessage, type Surface } from './missing.js';
import type { EnvironmentConfig } from './types.js';
import { validateDocument } from './validate.js';

export interface LoadConfigOptions {
  /** Path of the config file; also the file name shown in problems. */
  file: string;
  /** The environment to return (every environment is validated). */
  environment: string;
  /** Variables for `${NAME}` in `env` values; the caller passes process.env. Default: none. */
  env?: Record<string, string | undefined>;
  /** How messages name where `env` comes from (default: "the step's environment", the action's). */
  envSource?: string;
  /**
   * Whether the command runs hooks and so needs `env` expanded (default true). False for releases, unlock and dry
   * runs: `env` stays empty and its `${NAME}` need not be set (runner-internal names are refused all the same).
   */
  expandEnv?: boolean;
  /** The file's content; when given the file is not read. */
  text?: string;
  /** Who runs (the action or the CLI): how a missing file's message says to name it. Default: the action. */
  surface?: Surface;
  /** The user of a host for which the file names none (the CLI: its ssh_config `User`). */
  userFor?: (host: string) => string | undefined;
}

/** More aliases than this in one document is treated as a "billion laughs" attack. */
export const MAX_ALIAS_COUNT = 100;
const MAX_FILE_BYTES = 1024 * 1024;

const FRIENDLIER: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: 'tabs are not allowed for indentation; indent with spaces',
  DUPLICATE_KEY: 'duplicate key: each key may appear only once in a mapping',
  MULTIPLE_DOCS: 'the file must hold a single YAML document (remove the `---` separator)',
};

/** The message of anything thrown (Node errors may come from another realm, so no instanceof). */
function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}

function readText(options: LoadConfigOptions, problems: Problems): string | undefined {
  if (options.text !== undefined) return options.text;
  try {
    return readFileSync(options.file, 'utf8');
  } catch (error) {
    const code = codeOf(error);
    const reason =
      code === 'ENOENT'
        ? missingConfigMessage(options.file, options.surface)
        : code === 'EISDIR'
          ? 'it is a directory'
          : messageOf(error);
    problems.add({ file: options.file, line: 1, column: 1 }, '', `cannot read the config file: ${reason}`);
    return undefined;
  }
}

function reportYamlErrors(errors: readonly YAMLError[], root: Cursor): void {
  for (const error of errors) {
    const { line, col } = root.source.lineCounter.linePos(error.pos[0]);
    const message = FRIENDLIER[error.code] ?? `YAML: ${error.message.split('\n')[0]}`;
    root.problemAt({ file: root.source.file, line, column: col }, message);
  }
}

/**
 * Unknown aliases and alias bombs, which the parser itself lets through. A document without an alias has neither:
 * it is not converted (a conversion of the whole document costs as much as reading it).
 */
function checkAliases(doc: Document, root: Cursor): void {
  let bad = false;
  let first: unknown = null;
  visit(doc, {
    Alias(_, node) {
      first ??= node;
      if (node.resolve(doc) === undefined) {
        root.problem(node, `unknown alias \`*${node.source}\` (no anchor \`&${node.source}\` before it)`);
        bad = true;
      }
    },
  });
  if (bad || first === null) return;
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const excessive = /alias count/i.test(messageOf(error));
    root.problem(
      isAlias(first) ? first : null,
      excessive
        ? `too many alias expansions (over ${MAX_ALIAS_COUNT}): refusing a possible "billion laughs" document`
        : `YAML: ${messageOf(error)}`,
    );
  }
}

function load(options: LoadConfigOptions, problems: Problems): EnvironmentConfig | undefined {
  const text = readText(options, problems);
  if (text === undefined) return undefined;
  if (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) {
    problems.add(
      { file: options.file, line: 1, column: 1 },
      '',
      `the config file is larger than ${MAX_FILE_BYTES} bytes`,
    );
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
    version: '1.2',
    logLevel: 'error',
  });
  const source: Source = { file: options.file, lineCounter, doc, problems };
  const root = new Cursor(source, '');
  reportYamlErrors([...doc.errors, ...doc.warnings], root);
  if (!problems.empty) return undefined;
  // An alias is written `*name`: a file without a `*` has none, and its tree need not be walked for one.
  if (text.includes('*')) checkAliases(doc, root);
  if (!problems.empty) return undefined;
  return validateDocument(source, {
    environment: options.environment,
    env: options.env ?? {},
    envSource: options.envSource,
    expandEnv: options.expandEnv ?? true,
    defaultName: basename(dirname(resolve(options.file))),
    ...(options.userFor ? { userFor: options.userFor } : {}),
  });
}

/** Loads, validates and returns one environment of deploy.yml. Throws ConfigError (only) listing every problem. */
export function loadConfig(options: LoadConfigOptions): EnvironmentConfig {
  const problems = new Problems();
  let config: EnvironmentConfig | undefined;
  try {
    config = load(options, problems);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = messageOf(error);
    problems.add({ file: options.file, line: 1, column: 1 }, '', `internal error while reading the config: ${reason}`);
  }
  problems.throwIfAny();
  if (!config) {
    // validateDocument returns a config whenever it recorded no problem; this guards the invariant.
    throw new ConfigError([
      { file: options.file, line: 1, column: 1, path: '', message: 'no configuration was produced' },
    ]);
  }
  return config;
}
