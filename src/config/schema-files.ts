/** The keys of secret files: `files:` (written on each host from the config) and `require_shared_files`. */
import { fileList, filePath, fromEnvName, type FileEntryKeys } from './files-kind.js';
import { key, type KeySpecs } from './kind.js';
import { boolean, octalMode, text } from './kinds.js';

/** Keys of one `files:` entry. */
export const FILE_ENTRY_KEYS: FileEntryKeys = {
  path: key({
    kind: filePath,
    required: true,
    description:
      'Where the file goes, relative to `shared/` (linked into every release, as `shared_files` are) or, with `release: true`, to the new release. No `..`, no absolute path.',
  }),
  content: key({
    kind: text({ label: 'text' }),
    description:
      "The file's text; `${NAME}` is replaced from the step's environment (and masked), `$${NAME}` is a literal `${NAME}`. Give `content` or `from_env`, not both.",
  }),
  from_env: key({
    kind: fromEnvName,
    description:
      "The name of a variable of the step's environment whose whole value is the file's content (masked). Give `content` or `from_env`, not both.",
  }),
  mode: key({
    kind: octalMode,
    default: '0600',
    description: 'The file\'s mode, as octal digits (`"0600"`, `"640"`); set before any content is written.',
  }),
  release: key({
    kind: boolean,
    default: false,
    description:
      'Write the file into the new release instead of `shared/` (a failed deploy removes the release anyway).',
  }),
};

/** Environment keys of secret files (spread into ENVIRONMENT_KEYS). */
export const FILES_KEYS = {
  files: key({
    kind: fileList(FILE_ENTRY_KEYS),
    default: [],
    description:
      "Files written on each host before the deploy hooks, from `content` (`${NAME}` replaced from the step's environment) or `from_env`: only when their content changed (atomically, with `mode`); masked everywhere; a failed deploy puts back what was there. A variable that is not set, or a file left empty, fails the deploy before anything connects.",
  }),
  require_shared_files: key({
    kind: boolean,
    default: false,
    description:
      'Fail the deploy at the shared step when a `shared_files` entry that no `files:` entry writes is missing or empty on a host.',
  }),
} satisfies KeySpecs;
