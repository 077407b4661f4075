/**
 * What is masked, in one rule for the action (core.setSecret) and the CLI (its masked output). Every value that
 * came through `${NAME}` is masked, except values that cannot be secrets and would blank the log: shorter than 4
 * characters, `true`/`false`, or a plain number. Under-masking is the worse error, so nothing else is exempt.
 */

const BOOLEAN = /^(?:true|false)$/i;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Whether a `${NAME}` value (or one line of it) could be a secret and is therefore masked. */
export function couldBeSecret(value: string): boolean {
  const text = value.trim();
  return text.length >= 4 && !BOOLEAN.test(text) && !PLAIN_NUMBER.test(text);
}

export interface PieceOptions {
  /** Credentials (a private key, a passphrase, a token): mask the whole value whatever it is. */
  credential?: boolean;
}

/**
 * The strings to mask for some secret values: each value as it is, and each line of it trimmed (a log is read
 * line by line, so no line of a multi-line key may reach it). Values and lines that cannot be secrets are left out.
 */
export function secretPieces(values: readonly string[], options: PieceOptions = {}): string[] {
  const keep = (text: string) => (options.credential ? text.trim() !== '' : couldBeSecret(text));
  const pieces = new Set<string>();
  for (const value of values) {
    if (!keep(value)) continue;
    pieces.add(value);
    for (const line of value.split(/\r?\n/)) {
      const text = line.trim();
      if (text.length >= 4 && keep(text)) pieces.add(text);
    }
  }
  return [...pieces];
}
