import { shownInvalid } from '../data.js';
import type { PhaseResult } from '../session.js';
import { HOOK_OUTPUT_SH } from '../sh/index.js';

/**
 * The protocol of `$DEPLOY_OUTPUT`: each deploy and activate hook runs with it naming a fresh empty file (mode 0600,
 * in the run's scratch dir) where it may write `name=value` lines, or `name<<DELIMITER` … `DELIMITER` for a value of
 * several lines, as to `$GITHUB_OUTPUT`. After a hook that succeeded, its step sends the file back as the data value
 * `output.<step id>` (its first OUTPUT_FILE_MAX bytes and one more); `hookOutputs` reads and checks it here, on the
 * runner: names `[A-Za-z0-9_-]`, at most 64 characters; values at most OUTPUT_VALUE_MAX bytes, no control
 * characters but tabs (and the newlines of the multi-line form). Anything else is a problem to warn of, never a value.
 */

/** The shell functions the hook steps call (da_output_open, da_output_close). */
export const HOOK_OUTPUT_LIB = HOOK_OUTPUT_SH;

/** The data key a hook step reports its file under. */
export const outputKey = (stepId: string): string => `output.${stepId}`;

/** What a host sends of one hook's file (hook-output.sh reads one byte more, to say there was more). */
export const OUTPUT_FILE_MAX = 32 * 1024;
/** The longest value kept (in UTF-8 bytes); a longer one is left out whole, never cut. */
export const OUTPUT_VALUE_MAX = 4 * 1024;
/** Names and values kept per host in all, across its hooks (see the command's collection). */
export const OUTPUT_HOST_MAX = 64 * 1024;
/** An output's name: as GitHub's step outputs take them, kept short. */
export const OUTPUT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Problems reported per hook; the rest are counted. */
const MAX_PROBLEMS = 5;

/** Control characters a value may not hold: all but tab and newline (one only in the multi-line form). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

export interface OutputPair {
  name: string;
  value: string;
  /** The line of the file it was on (its first line for the multi-line form). */
  line: number;
}

export interface OutputProblem {
  /** The line of the file it is about, if one. */
  line?: number;
  text: string;
}

export interface ParsedOutput {
  pairs: OutputPair[];
  problems: OutputProblem[];
}

/** One hook's `$DEPLOY_OUTPUT` as its host reported it. */
export interface HookOutput extends ParsedOutput {
  step: { id: string; label: string };
}

/**
 * The `$DEPLOY_OUTPUT` files of the hooks of a phase that succeeded and wrote one, in the order they ran. A file
 * reported twice (a forged marker) is neither.
 */
export function hookOutputs(result: Pick<PhaseResult, 'steps' | 'bytes'>): HookOutput[] {
  const out: HookOutput[] = [];
  for (const step of result.steps) {
    const blobs = result.bytes.get(outputKey(step.id));
    if (!blobs?.length || step.status !== 'ok') continue;
    const parsed =
      blobs.length === 1
        ? parseOutputFile(blobs[0]!)
        : { pairs: [], problems: [{ text: `reported ${blobs.length} times (a forged report?): none of it was used` }] };
    out.push({ step: { id: step.id, label: step.label }, ...parsed });
  }
  return out;
}

/**
 * Reads one hook's file: `name=value` lines, `name<<DELIMITER` blocks (the value is the lines up to one that is
 * DELIMITER alone), empty lines skipped, a trailing `\r` dropped from every line; as GitHub reads `$GITHUB_OUTPUT`.
 * A later value of a name replaces an earlier one. Linear in the file's size; at most OUTPUT_FILE_MAX bytes are read.
 */
export function parseOutputFile(file: Buffer): ParsedOutput {
  const pairs: OutputPair[] = [];
  const problems: OutputProblem[] = [];
  let bytes = file;
  let cut = false;
  if (bytes.length > OUTPUT_FILE_MAX) {
    // The line the cap cuts through is not read either: half a line is not a value.
    bytes = bytes.subarray(0, bytes.subarray(0, OUTPUT_FILE_MAX).lastIndexOf(0x0a) + 1);
    cut = true;
  }
  const lines = bytes.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const text = (i: number) => lines[i]!.replace(/\r$/, '');
  for (let i = 0; i < lines.length; i++) {
    const line = text(i);
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    let name: string;
    let value: string;
    const at = i + 1;
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      name = line.slice(0, eq);
      value = line.slice(eq + 1);
    } else if (heredoc >= 0) {
      name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      let end = i + 1;
      while (end < lines.length && text(end) !== delimiter) end++;
      if (delimiter === '' || end >= lines.length) {
        problems.push({
          line: at,
          text: `${shownInvalid(line)} starts a multi-line value whose closing line ${delimiter ? shownInvalid(delimiter) : '(none given)'} never comes: it and the lines after it were ignored`,
        });
        break;
      }
      value = lines
        .slice(i + 1, end)
        .map((l) => l.replace(/\r$/, ''))
        .join('\n');
      i = end;
    } else {
      problems.push({ line: at, text: `${shownInvalid(line)} is not name=value or name<<DELIMITER: ignored` });
      continue;
    }
    const problem = checkPair(name, value);
    if (problem) problems.push({ line: at, text: problem });
    else pairs.push({ name, value, line: at });
  }
  if (cut)
    problems.unshift({
      text: `holds more than ${OUTPUT_FILE_MAX / 1024} KiB: only the lines within its first ${OUTPUT_FILE_MAX / 1024} KiB were read`,
    });
  return { pairs, problems: capped(problems) };
}

/** Why a name and its value cannot be an output, or undefined. */
function checkPair(name: string, value: string): string | undefined {
  if (!OUTPUT_NAME.test(name))
    return `${shownInvalid(name)} is not an output name (letters, digits, _ and -, at most 64 characters): ignored`;
  const size = Buffer.byteLength(value);
  if (size > OUTPUT_VALUE_MAX)
    return `the value of ${name} is longer than ${OUTPUT_VALUE_MAX / 1024} KiB (${size} bytes): left out, not cut`;
  if (CONTROL.test(value)) return `the value of ${name} holds a control character: ignored`;
  return undefined;
}

/** At most MAX_PROBLEMS problems, then how many more there were. */
function capped(problems: OutputProblem[]): OutputProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const more = problems.length - MAX_PROBLEMS + 1;
  return [...problems.slice(0, MAX_PROBLEMS - 1), { text: `and ${more} more problems like these` }];
}
