/**
 * Colour for the terminal output of the CLI, decided per stream: on when the stream is a terminal (and TERM is not
 * `dumb`), off when NO_COLOR is set to anything non-empty (no-color.org), forced on by FORCE_COLOR (`0`/`false`
 * force it off). The escape codes come from node's own util.styleText; the decision is ours, because styleText's
 * own check (Node 22 and later) looks at process.stdout whatever stream the text is for, and Node 20 has none.
 */
import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];

export interface Style {
  /** Whether this stream gets colour at all. */
  readonly colour: boolean;
  /** `✓` and what succeeded. */
  ok(text: string): string;
  /** `✗` and `error:`. */
  fail(text: string): string;
  /** `warning:`. */
  warn(text: string): string;
  /** Headings: a run's title, the outcome's headline and sections. */
  heading(text: string): string;
  /** Less important text: `debug:`. */
  dim(text: string): string;
}

/** Whether text for `stream` is coloured, by the environment's conventions (see the module comment). */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR']) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

export function style(colour: boolean): Style {
  const paint = (format: Format) => (text: string) =>
    colour && text ? styleText(format, text, { validateStream: false }) : text;
  return {
    colour,
    ok: paint('green'),
    fail: paint('red'),
    warn: paint('yellow'),
    heading: paint('bold'),
    dim: paint('dim'),
  };
}

/** The style for text written to `stream`. */
export const styleFor = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style =>
  style(wantsColour(stream, env));

/** No colour (a stream that is not a terminal, or tests). */
export const PLAIN: Style = style(false);

/**
 * A progress line's status mark in colour: `✓ …` green, `✗ …` red, also after a fleet's `[host] ` prefix. Only the
 * mark and the step's name are coloured, never text a host sent (that goes through Log.output, unstyled).
 */
export function statusLine(line: string, s: Style): string {
  if (!s.colour) return line;
  const m = /^(\[[^\]\n]*\] )?([✓✗]) /.exec(line);
  if (!m) return line;
  const paint = m[2] === '✓' ? s.ok : s.fail;
  return `${m[1] ?? ''}${paint(m[2]!)}${line.slice(m[0].length - 1)}`;
}
