/**
 * The repository's Markdown documentation, for the tests that check it: README.md, ARCHITECTURE.md and docs/*.md,
 * their ```yaml blocks, their headings' anchors (as GitHub makes them) and their relative links.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');

/** The documentation files, as paths relative to the repository root. */
export function docFiles(): string[] {
  const docs = existsSync(join(ROOT, 'docs'))
    ? readdirSync(join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .sort()
    : [];
  return ['README.md', 'ARCHITECTURE.md', ...docs.map((f) => `docs/${f}`)].filter((f) => existsSync(join(ROOT, f)));
}

export function readDoc(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

/** A file's ```yaml blocks, dedented to the fence's indentation. */
export function yamlBlocks(text: string): string[] {
  return [...text.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
    body!
      .split('\n')
      .map((l) => l.slice(indent!.length))
      .join('\n'),
  );
}

/** The lines of a Markdown text outside fenced code blocks, with their 0-based line numbers. */
function prose(text: string): [string, number][] {
  let fenced = false;
  return text.split('\n').flatMap((line, i): [string, number][] => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return [];
    }
    return fenced ? [] : [[line, i]];
  });
}

/** GitHub's anchor for a heading: lower case, code spans' backticks and punctuation dropped, spaces as dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a file's headings (a repeated heading gets `-1`, `-2`, … as on GitHub). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [line] of prose(text)) {
    const m = /^#{1,6} +(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The relative links of a file (`[text](target)` outside code), with their line numbers (1-based). */
export function relativeLinks(text: string): { target: string; line: number }[] {
  return prose(text).flatMap(([line, i]) =>
    [...line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!)
      .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t))
      .map((target) => ({ target, line: i + 1 })),
  );
}
