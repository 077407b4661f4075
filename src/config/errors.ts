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

/** Collects problems, dropping exact repeats (a top-level default is checked once per environment). */
export class Problems {
  private readonly seen = new Set<string>();
  readonly list: ConfigProblem[] = [];

  add(position: SourcePosition, path: string, message: string): void {
    const problem: ConfigProblem = { ...position, path, message };
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
