/**
 * Where progress goes: the Actions log (via @actions/core) or a terminal (the CLI). Deep modules take a Log and
 * never import @actions/core themselves.
 */
export interface Log {
  /**
   * A terminal (the CLI), not the Actions log: commands it runs are not echoed as `[command]…` lines, and their
   * output goes through `output` (so `--quiet` hides it).
   */
  readonly terminal?: boolean;
  /** Our own text. */
  info(message: string): void;
  /**
   * Text a host sent (hook output, login banners, stderr, a failed step's output tail): shown as it is, and never
   * read as a workflow command by a CI runner (see workflow-commands.ts).
   */
  output(text: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /**
   * A status line for `key` (a host's upload progress) that replaces its previous text; `undefined` ends it. Only a
   * terminal implements it, redrawing the line in place; without it, callers print a plain line now and then.
   */
  live?(key: string, text: string | undefined): void;
  /**
   * A collapsible section in the Actions log around `fn`; a heading on a terminal. Sections never nest (the Actions
   * log cannot show a group in a group): inside one, `title` is a plain line.
   */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Opens a section (see group) that lasts until endGroup or the next startGroup: a phase of the run. */
  startGroup(title: string): void;
  /** Closes the open section, if any: what follows is visible without unfolding anything. */
  endGroup(): void;
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The visible line after a phase's section: `stage: 3/3 hosts, 1.2 s`, `stage: failed on web2 (2/3 hosts ok),
 * 1.2 s`. `failed` says where (`on web2`, `in build hook "test"`); `unit` counts what the phase ran on (`host`,
 * `command`).
 */
export function phaseLine(
  title: string,
  outcome: { total: number; ok: number; ms: number; failed?: string; cancelled?: boolean; unit?: string },
): string {
  const unit = outcome.unit ?? 'host';
  const of = `${outcome.ok}/${outcome.total} ${unit}${outcome.total === 1 ? '' : 's'}`;
  const how = outcome.cancelled
    ? `cancelled (${of} done)`
    : outcome.failed !== undefined
      ? `failed ${outcome.failed} (${of} ok)`
      : of;
  return `${title}: ${how}, ${seconds(outcome.ms)}`;
}
