// npm run preview: writes every kind of job summary as an HTML page, rendered with GitHub-flavoured Markdown (marked)
// and a small GitHub-like stylesheet, into .tmp/preview/ (open index.html). The kinds built from reports come from
// __tests__/support/summary-samples.ts; the summaries of real runs, when the rendered-summary test has written them
// (.tmp/summaries/*.md, by `npx jest __tests__/e2e/summary-rendered.test.ts`), are added beside them.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { marked } from 'marked';
import { renderSummary } from '../src/report/summary.js';
import { SAMPLE_REPORTS } from '../__tests__/support/summary-samples.js';

const root = process.cwd(); // npm runs scripts at the package root
const out = resolve(root, '.tmp/preview');
const real = resolve(root, '.tmp/summaries');

const STYLE = `
body { margin: 0; background: #f6f8fa; color: #1f2328;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main { max-width: 920px; margin: 24px auto; padding: 16px 32px 24px; background: #fff;
  border: 1px solid #d1d9e0; border-radius: 6px; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0b3; padding-bottom: .3em; margin: 16px 0; }
h3 { font-size: 1.25em; margin: 24px 0 16px; }
h4 { font-size: 1em; margin: 24px 0 16px; }
table { border-collapse: collapse; margin: 0 0 16px; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
th { font-weight: 600; }
tr:nth-child(2n) { background: #f6f8fa; }
code { font: 85% ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, monospace; background: #818b981f;
  padding: .2em .4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; }
pre code { background: none; padding: 0; font-size: 85%; }
details { margin: 0 0 16px; }
summary { cursor: pointer; }
blockquote { margin: 0 0 16px; padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
a { color: #0969da; text-decoration: none; }
p, ul { margin: 0 0 16px; }
nav { max-width: 920px; margin: 24px auto 0; }
`;

const esc = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><nav><a href="index.html">← every summary</a></nav><main>
${body}
</main></body></html>
`;
}

const summaries: [string, string, string][] = Object.entries(SAMPLE_REPORTS).map(([kind, make]) => [
  kind,
  'built from a report',
  renderSummary(make()),
]);
if (existsSync(real)) {
  for (const file of readdirSync(real)
    .filter((f) => f.endsWith('.md'))
    .sort())
    summaries.push([file.replace(/\.md$/, ''), 'from a real run', readFileSync(join(real, file), 'utf8')]);
}

mkdirSync(out, { recursive: true });
for (const [kind, , md] of summaries)
  writeFileSync(join(out, `${kind}.html`), page(kind, marked.parse(md, { gfm: true, async: false })));
const items = summaries.map(([kind, from]) => `<li><a href="${esc(kind)}.html">${esc(kind)}</a> (${from})</li>`);
const note = existsSync(real)
  ? ''
  : '<p>Run <code>npx jest __tests__/e2e/summary-rendered.test.ts</code> first to add the summaries of real runs.</p>';
writeFileSync(
  join(out, 'index.html'),
  page('Job summaries', `<h2>Job summaries, as GitHub renders them</h2>${note}<ul>${items.join('')}</ul>`),
);
process.stdout.write(`wrote ${summaries.length} summaries: open ${join(out, 'index.html')}\n`);
