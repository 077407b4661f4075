/** Markdown for the job summary: escaping (a host's text included) and the rendering of a report's blocks. */
import { type Block, type Inline, spans } from './document.js';

/** Line breaks (any that Markdown or a browser honours) and other control characters as one space. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/**
 * Escapes text (a host's included) for a Markdown table cell or line: no emphasis, link, HTML, heading or table
 * cell break can come out of it, and it stays on one line. `@` is escaped too: GitHub would link `deploy@web1.example.com`
 * as an e-mail address.
 */
export function md(text: string): string {
  return oneLine(text).replace(/[|\\`*_<>[\]#&~!@]/g, (c) => `\\${c}`);
}

/** Text inside an HTML element of the summary (`<summary>`): HTML-escaped, one line (Markdown escapes would show). */
export function html(text: string): string {
  return oneLine(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Text as a Markdown code span: a fence longer than any run of backticks inside, no escapes (they would show). In a
 * table cell (`cell`), a `|` is escaped: GFM ends the cell at a bare one even inside a code span.
 */
export function code(text: string, cell = false): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const body = oneLine(text);
  return `${fence} ${cell ? body.replace(/\|/g, '\\|') : body} ${fence}`;
}

export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Lines inside a ``` fence that cannot close it early, each cut to `chars`. */
export function fenced(lines: string[], chars: number): string[] {
  return ['```', ...lines.map((l) => cut(oneLine(l), chars).replace(/```/g, "'''")), '```'];
}

/** Inline text as Markdown: plain parts escaped, code as code spans, strong in `**` (`cell`: in a table cell). */
export function inline(text: Inline, cell = false): string {
  return spans(text)
    .map((s) => (typeof s === 'string' ? md(s) : 'code' in s ? code(s.code, cell) : `**${md(s.strong)}**`))
    .join('');
}

/** A report's blocks as Markdown lines (headings under the summary's `##` title). */
export function markdownBlocks(blocks: Block[]): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'heading') out.push(`${b.level === 1 ? '###' : '####'} ${inline(b.text)}`, '');
    else if (b.kind === 'paragraph') out.push(inline(b.text), '');
    else if (b.kind === 'warning') out.push(`> ⚠️ ${inline(b.text)}`, '');
    else if (b.kind === 'list') out.push(...b.items.map((i) => `- ${inline(i)}`), '');
    else {
      out.push(`| ${b.head.map(md).join(' | ')} |`, `|${b.head.map(() => '---|').join('')}`);
      for (const row of b.rows) out.push(`| ${row.map((c) => inline(c, true)).join(' | ')} |`);
      out.push('');
    }
  }
  return out;
}
