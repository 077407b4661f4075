/** Config problems: where they are, what is wrong, and the one error type bad input may raise. */

export interface SourcePosition {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface ConfigProblem extends SourcePosition {
  /** Dotted key path, e.g. `environments.production.keep_releases` ('' for the file as a whole). */
  path: string;
  message: string;
}

/** `deploy.yml:12:5: environments.production.keep_releases: must be an integer >= 1 (got 0)` */
export function formatProblem(p: ConfigProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** The only error thrown for bad configuration input. Carries every problem found, not just the first. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Longest quoted value a message repeats in full; longer ones are cut (a 100 KB value must not flood the log). */
const MAX_QUOTED = 80;
const MAX_MESSAGE = 1000;

/** Cuts long quoted values (`"xxxx…" (100000 characters)`) and, failing that, the message itself. */
export function shorten(message: string): string {
  const cut = message.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) =>
    quoted.length <= MAX_QUOTED + 2 ? quoted : `${quoted.slice(0, MAX_QUOTED + 1)}…" (${quoted.length - 2} characters)`,
  );
  return cut.length <= MAX_MESSAGE ? cut : `${cut.slice(0, MAX_MESSAGE)}… (message cut)`;
}

/** Collects problems, dropping exact repeats (a top-level default is checked once per environment). */
export class Problems {
  private readonly seen = new Set<string>();
  readonly list: ConfigProblem[] = [];

  add(position: SourcePosition, path: string, message: string): void {
    const problem: ConfigProblem = { ...position, path, message: shorten(message) };
    const id = formatProblem(problem);
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.list.push(problem);
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Throws a ConfigError with the problems in file order, if there are any. */
  throwIfAny(): void {
    if (this.empty) return;
    const sorted = [...this.list].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
    );
    throw new ConfigError(sorted);
  }
}
