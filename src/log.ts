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
   * Progress of something long, per key (e.g. a host's upload): on a terminal a live line that rewrites itself
   * (undefined: remove the key's entry); elsewhere each call is a plain line, so the caller limits how often it
   * calls. Optional: without it, log the progress with `info`.
   */
  progress?(key: string, text: string | undefined): void;
  /** A collapsible section in the Actions log; a heading on a terminal. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}
