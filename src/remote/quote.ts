/**
 * The one place that quotes values for the remote shell. Every value interpolated into a script passes through
 * `q`: it becomes one bash word, so spaces, quotes, `$(...)`, backticks and newlines are data, never code.
 * Quoting does not stop option injection: callers pass paths that start with a directory name or `/`, and put
 * `--` before operands where a command takes options.
 */
export function q(value: string | number): string {
  const text = String(value);
  if (text.includes('\0')) throw new Error('a value for the remote shell contains a NUL byte');
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Quotes each value and joins them with spaces: a list of words for a command line. */
export function words(values: readonly string[]): string {
  return values.map(q).join(' ');
}
