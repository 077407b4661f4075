/**
 * A job summary as GitHub shows it: rendered with a GitHub-flavoured Markdown renderer (marked, GFM), then read
 * the way a person reads it: its text (what shows as text, not as code), its links, its tables.
 */
import { Lexer, marked, type Token, type Tokens } from 'marked';

export interface RenderedTable {
  head: string[];
  rows: string[][];
}

export interface RenderedSummary {
  html: string;
  /** Everything shown as text, code included, one line per block. */
  text: string;
  tables: RenderedTable[];
  /** What a reader would see that the summary did not mean to show: raw Markdown, raw HTML, e-mail links, bad tables. */
  problems: string[];
}

/** The HTML blocks the summary means to use: a folded section and its end. */
const ALLOWED_HTML = /^(<details><summary>[^<>]*<\/summary>|<\/details>)$/;
/** Markdown or HTML that shows as such when it reaches text: bold marks, backticks, cell bars, tags, escapes. */
const RAW_IN_TEXT: [RegExp, string][] = [
  [/\*\*/, 'bold marks (**)'],
  [/`/, 'a backtick'],
  [/\|/, 'a table bar (|)'],
  [/<\/?[a-z][^>]*>/i, 'an HTML tag'],
  [/\\[!-/:-@[-`{-~]/, 'a backslash escape'],
];

/** The text of inline tokens as shown (code spans as their text). */
function inlineText(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((t) => {
      const withTokens = t as Token & { tokens?: Token[]; text?: string };
      if (withTokens.tokens?.length) return inlineText(withTokens.tokens);
      if (t.type === 'br') return ' ';
      return decode(withTokens.text ?? '');
    })
    .join('');
}

function decode(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Splits a GFM table line into its cells on bars that are not escaped. */
function cellsOf(line: string): number {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return body.split(/(?<!\\)\|/).length;
}

export function renderSummaryMarkdown(md: string): RenderedSummary {
  const tokens = new Lexer({ gfm: true }).lex(md);
  const problems: string[] = [];
  const tables: RenderedTable[] = [];
  const lines: string[] = [];

  const walk = (list: Token[], where: string) => {
    for (const t of list) {
      const tok = t as Token & { tokens?: Token[]; text?: string; raw: string };
      switch (t.type) {
        case 'html':
          if (!ALLOWED_HTML.test(tok.raw.trim()))
            problems.push(`raw HTML ${JSON.stringify(tok.raw.trim())} in ${where}`);
          break;
        case 'link': {
          const link = t as Tokens.Link;
          if (link.href.startsWith('mailto:')) problems.push(`an e-mail link ${JSON.stringify(link.raw)} in ${where}`);
          walk(link.tokens, where);
          break;
        }
        case 'em':
          if (tok.raw.startsWith('*')) problems.push(`text in italics ${JSON.stringify(tok.raw)} in ${where}`);
          walk(tok.tokens ?? [], where);
          break;
        case 'del':
          problems.push(`struck-through text ${JSON.stringify(tok.raw)} in ${where}`);
          break;
        case 'codespan':
        case 'code':
          break;
        case 'table': {
          const table = t as Tokens.Table;
          const rawLines = table.raw.trim().split('\n');
          const width = cellsOf(rawLines[0]!);
          rawLines.forEach((line, i) => {
            if (cellsOf(line) !== width)
              problems.push(`table row ${i + 1} has ${cellsOf(line)} cells, its head ${width}: ${line}`);
          });
          for (const cell of table.header) walk(cell.tokens, 'a table head');
          for (const row of table.rows) for (const cell of row) walk(cell.tokens, 'a table cell');
          tables.push({
            head: table.header.map((c) => inlineText(c.tokens)),
            rows: table.rows.map((r) => r.map((c) => inlineText(c.tokens))),
          });
          break;
        }
        case 'list':
          for (const item of (t as Tokens.List).items) walk(item.tokens, 'a list item');
          break;
        case 'text':
        case 'escape':
          if (tok.tokens?.length) walk(tok.tokens, where);
          else if (t.type === 'text')
            for (const [re, what] of RAW_IN_TEXT)
              if (re.test(decode(tok.text ?? ''))) problems.push(`${what} shows in ${where}: ${tok.text}`);
          break;
        default:
          if (tok.tokens) walk(tok.tokens, t.type === 'paragraph' ? 'a paragraph' : `a ${t.type}`);
      }
    }
  };
  walk(tokens, 'the summary');
  for (const t of tokens) {
    const tok = t as Token & { tokens?: Token[]; text?: string };
    if (t.type === 'table') {
      const table = tables.shift()!;
      tables.push(table);
      lines.push(table.head.join(' | '), ...table.rows.map((r) => r.join(' | ')));
    } else if (t.type === 'list') lines.push(...(t as Tokens.List).items.map((i) => `- ${inlineText(i.tokens)}`));
    else if (t.type === 'code') lines.push(tok.text ?? '');
    else if (tok.tokens) lines.push(inlineText(tok.tokens));
  }
  return { html: marked.parse(md, { gfm: true, async: false }), text: lines.join('\n'), tables, problems };
}

/** The table whose head starts with these columns. */
export function tableWith(r: RenderedSummary, ...head: string[]): RenderedTable | undefined {
  return r.tables.find((t) => head.every((h, i) => t.head[i] === h));
}
