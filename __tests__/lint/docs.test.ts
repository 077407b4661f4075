/**
 * The documentation's shape: the README stays short (what a Marketplace visitor needs), the reference lives in
 * docs/, ARCHITECTURE.md names every folder of src/, and every relative link of README, ARCHITECTURE.md and
 * docs/*.md resolves, to a file and, with a #anchor, to a heading of that file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { anchors, docFiles, readDoc, relativeLinks, ROOT, slug } from '../support/docs.js';

const README_MAX_LINES = 450;

describe('documentation', () => {
  test('README.md, ARCHITECTURE.md and the reference in docs/ exist', () => {
    expect(docFiles()).toEqual(
      expect.arrayContaining([
        'README.md',
        'ARCHITECTURE.md',
        'docs/config.md',
        'docs/fleets.md',
        'docs/cli.md',
        'docs/operations.md',
        'docs/migrating.md',
        'docs/performance.md',
      ]),
    );
  });

  test(`README.md is under ${README_MAX_LINES} lines`, () => {
    const lines = readDoc('README.md').replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThan(README_MAX_LINES);
  });

  test('ARCHITECTURE.md names every folder of src/', () => {
    const map = readDoc('ARCHITECTURE.md');
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `${e.name}/`);
    expect(folders.filter((f) => !map.includes(`\`${f}\``))).toEqual([]);
  });

  test.each(docFiles().map((f) => [f]))('%s: every relative link resolves (file and #anchor)', (file) => {
    const broken: string[] = [];
    for (const { target, line } of relativeLinks(readDoc(file))) {
      const [path = '', anchor] = target.split('#', 2);
      const to = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
      if (to.startsWith('..') || !existsSync(join(ROOT, to))) {
        broken.push(`${file}:${line}: ${target}: no file ${to}`);
        continue;
      }
      if (anchor !== undefined && to.endsWith('.md') && !anchors(readDoc(to)).has(anchor)) {
        broken.push(`${file}:${line}: ${target}: ${to} has no heading with the anchor #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('the checks find what they are meant to find', () => {
    expect(slug('When a health check or `activate` fails')).toBe('when-a-health-check-or-activate-fails');
    expect(slug('Editor completion (JSON Schema)')).toBe('editor-completion-json-schema');
    expect(slug('Strategy, batches, parallelism')).toBe('strategy-batches-parallelism');
    expect([...anchors('# A\n```sh\n# not a heading\n```\n## A\n')]).toEqual(['a', 'a-1']);
    expect(relativeLinks('[a](docs/x.md#y) [b](https://e.org) `[c](z.md)`\n```\n[d](w.md)\n```\n[e](#f)')).toEqual([
      { target: 'docs/x.md#y', line: 1 },
      { target: '#f', line: 5 },
    ]);
  });
});
