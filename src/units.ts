/** Counts and sizes as a person reads them: "1 file", "3 files", "812 B", "4.2 KiB", "25 MiB". */

/** `n` and the noun, singular for 1 (`plural` when adding an `s` is wrong: "directory", "directories"). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** Bytes in B, KiB or MiB, with three significant digits at most (never "0.00 MiB"). */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / 1024 / 1024, 'MiB'];
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits).replace(/\.0$/, '')} ${unit}`;
}
