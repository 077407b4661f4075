import { describe, expect, test } from '@jest/globals';
import { heading, list, paragraph, table, warning } from '../../src/report/document.js';
import { markdownBlocks } from '../../src/report/markdown.js';
import { textBlocks } from '../../src/report/text.js';

// A releases listing as a command records it: data, rendered twice, neither renderer reading the other's output.
const listing = [
  heading('Releases'),
  warning('The hosts disagree: different sets of releases.'),
  heading('web1', 2),
  table(
    ['Release', 'Created', 'Commit', 'Actor', 'Status'],
    [
      [{ strong: '20261206120000' }, '2026-12-06T12:00:00Z', '0123456789ab', 'mona', '🟢 live'],
      ['20261205110000', '2026-12-05T11:00:00Z', 'fedcba987654', '*evil*|<b>x</b>', 'previous'],
    ],
  ),
  heading('web2', 2),
  paragraph('Nothing deployed yet.'),
];

describe('report blocks', () => {
  test('as Markdown: headings under the summary title, tables, the live release strong, host text escaped', () => {
    const md = markdownBlocks(listing).join('\n');
    expect(md).toContain('### Releases');
    expect(md).toContain('#### web1');
    expect(md).toContain('> ⚠️ The hosts disagree: different sets of releases.');
    expect(md).toContain('| Release | Created | Commit | Actor | Status |');
    expect(md).toContain('|---|---|---|---|---|');
    expect(md).toContain('| **20261206120000** | 2026-12-06T12:00:00Z | 0123456789ab | mona | 🟢 live |');
    // An actor name cannot end a cell, add emphasis or HTML.
    expect(md).toContain('| \\*evil\\*\\|\\<b\\>x\\</b\\> | previous |');
  });

  test('as text: no Markdown at all, columns aligned under a rule, a heading per host', () => {
    const text = textBlocks(listing);
    // No Markdown of ours; the host's own text as it is (nothing to escape on a terminal).
    expect(text.join('\n')).not.toMatch(/\*\*|^#|\|---|^>|\\/m);
    expect(text.join('\n')).toContain('  *evil*|<b>x</b>  previous');
    expect(text[0]).toBe('Releases:');
    const head = text.findIndex((l) => l.startsWith('  Release '));
    expect(text[head]).toMatch(/^ {2}Release {9}Created {15}Commit {8}Actor {12}Status$/);
    expect(text[head + 1]).toMatch(/^ {2}-{14} {2}-{20} {2}-{12} {2}-{15} {2}-{8}$/);
    expect(text[head + 2]).toBe('  20261206120000  2026-12-06T12:00:00Z  0123456789ab  mona             🟢 live');
    expect(text).toContain('web2:');
    expect(text).toContain('  Nothing deployed yet.');
  });

  test('text keeps a host value on one line: control characters become a space', () => {
    const text = textBlocks([list(['Lock: held by\nrun 7\r\u001b[31m'])]);
    expect(text).toEqual(['  - Lock: held by run 7 [31m']);
  });

  test('code spans: a fence longer than any backtick run inside, in Markdown; bare in text', () => {
    const blocks = [paragraph(['run ', { code: 'echo `date`' }, ' again'])];
    expect(markdownBlocks(blocks)[0]).toBe('run `` echo `date` `` again');
    expect(textBlocks(blocks)[0]).toBe('  run echo `date` again');
  });
});
