/** A report's blocks as terminal text (the CLI's outcome, the Actions log): headings bare, tables aligned. */
import { type Block, plain } from './document.js';

/** Control characters (a host's text may hold any) as one space: a line stays one line on a terminal. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');

const width = (text: string) => [...text].length;

/** Rows padded into aligned columns, a rule under the head. */
function aligned(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - width(c))))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function textBlocks(blocks: Block[]): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    const text = (t: Parameters<typeof plain>[0]) => oneLine(plain(t));
    if (b.kind === 'heading') {
      if (out.length && out.at(-1) !== '') out.push('');
      out.push(`${text(b.text)}:`);
    } else if (b.kind === 'paragraph') out.push(`  ${text(b.text)}`);
    else if (b.kind === 'warning') out.push(`  ! ${text(b.text)}`);
    else if (b.kind === 'list') out.push(...b.items.map((i) => `  - ${text(i)}`));
    else
      out.push(
        ...aligned(
          b.head,
          b.rows.map((r) => r.map(text)),
        ).map((l) => `  ${l}`),
      );
  }
  return out;
}
