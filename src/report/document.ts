/**
 * What a command tells about its run beyond the outcome (a dry run's plan, a releases listing), as data: the job
 * summary renders it as Markdown (markdown.ts), the CLI as terminal text (text.ts). Text in it is plain; each
 * renderer escapes or marks it for its own medium.
 */

/** Inline text: plain, a code span, or strong (the live release in a table). */
export type Span = string | { code: string } | { strong: string };
/** One span, or several in a row. */
export type Inline = Span | Span[];

export type Block =
  /** A section's title; level 2 sits under level 1. */
  | { kind: 'heading'; level: 1 | 2; text: Inline }
  | { kind: 'paragraph'; text: Inline }
  | { kind: 'list'; items: Inline[] }
  | { kind: 'table'; head: string[]; rows: Inline[][] }
  /** Something the reader must not miss (the hosts disagree). */
  | { kind: 'warning'; text: Inline };

export const heading = (text: Inline, level: 1 | 2 = 1): Block => ({ kind: 'heading', level, text });
export const paragraph = (text: Inline): Block => ({ kind: 'paragraph', text });
export const list = (items: Inline[]): Block => ({ kind: 'list', items });
export const table = (head: string[], rows: Inline[][]): Block => ({ kind: 'table', head, rows });
export const warning = (text: Inline): Block => ({ kind: 'warning', text });

/** The spans of an inline, in order. */
export function spans(text: Inline): Span[] {
  return Array.isArray(text) ? text : [text];
}

/** An inline's text without marks. */
export function plain(text: Inline): string {
  return spans(text)
    .map((s) => (typeof s === 'string' ? s : 'code' in s ? s.code : s.strong))
    .join('');
}

/**
 * A message's text with its `backtick` parts as code spans: the small inline syntax messages use to mark a name,
 * a path or a command. An unpaired backtick stays plain text.
 */
export function ticks(text: string): Inline {
  const out: Span[] = [];
  const re = /`([^`]+)`/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) out.push(text.slice(at, m.index));
    out.push({ code: m[1]! });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
