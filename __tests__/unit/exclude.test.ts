import { excluder } from '../../src/artifact/exclude.js';

/** Which of `paths` (files unless they end in `/`) the patterns exclude. */
function excluded(patterns: string[], paths: string[]): string[] {
  const test = excluder(patterns);
  return paths.filter((p) => (p.endsWith('/') ? test(p.slice(0, -1), true) : test(p, false)));
}

describe('excluder', () => {
  test('.git is always excluded, at any depth, as a dir or a gitfile; lookalikes are not', () => {
    const paths = [
      '.git/',
      'vendor/pkg/.git/',
      'vendor/pkg/.git',
      '.gitignore',
      '.github/',
      '.gitattributes',
      'my.git',
      'git/',
    ];
    expect(excluded([], paths)).toEqual(['.git/', 'vendor/pkg/.git/', 'vendor/pkg/.git']);
  });

  test('a pattern without a slash matches a name at any depth, whole names only', () => {
    const paths = ['tests/', 'src/tests/', 'a/b/tests', 'mytests/', 'tests2/', 'src/mytests/', 'tests.txt'];
    expect(excluded(['tests'], paths)).toEqual(['tests/', 'src/tests/', 'a/b/tests']);
  });

  test('*.log matches log files anywhere, * never crosses a slash', () => {
    const paths = ['a.log', 'storage/logs/laravel.log', 'a.log.gz', 'log', 'x.logs'];
    expect(excluded(['*.log'], paths)).toEqual(['a.log', 'storage/logs/laravel.log']);
    expect(excluded(['src/*.ts'], ['src/a.ts', 'src/sub/b.ts', 'src/.ts'])).toEqual(['src/a.ts', 'src/.ts']);
  });

  test('a leading / anchors to the source root', () => {
    const paths = ['build/', 'src/build/', 'build', 'buildx/'];
    expect(excluded(['/build'], paths)).toEqual(['build/', 'build']);
  });

  test('a pattern with an inner slash is anchored to the root', () => {
    const paths = [
      'node_modules/.cache/',
      'a/node_modules/.cache/',
      'node_modules/',
      'node_modules/.cache2/',
      'node_modules/x/.cache/',
    ];
    expect(excluded(['node_modules/.cache'], paths)).toEqual(['node_modules/.cache/']);
    expect(excluded(['docs/internal'], ['docs/internal', 'site/docs/internal', 'docs/internals'])).toEqual([
      'docs/internal',
    ]);
  });

  test('a trailing / matches directories only', () => {
    expect(excluded(['cache/'], ['cache/', 'cache', 'a/cache/', 'a/cache'])).toEqual(['cache/', 'a/cache/']);
    expect(excluded(['/tmp/'], ['tmp/', 'tmp', 'x/tmp/'])).toEqual(['tmp/']);
  });

  test('** crosses directories', () => {
    const paths = ['docs/a.md', 'docs/x/y/a.md', 'docs/x/a.txt', 'a.md', 'other/docs/a.md'];
    expect(excluded(['docs/**/*.md'], paths)).toEqual(['docs/a.md', 'docs/x/y/a.md']);
    expect(excluded(['**/fixtures'], ['fixtures', 'a/b/fixtures', 'a/fixturesx'])).toEqual([
      'fixtures',
      'a/b/fixtures',
    ]);
    expect(excluded(['assets/**'], ['assets/a', 'assets/b/c', 'assetsx/a'])).toEqual(['assets/a', 'assets/b/c']);
  });

  test('? is exactly one character, never a slash', () => {
    expect(excluded(['file?.txt'], ['file1.txt', 'fileA.txt', 'file.txt', 'file12.txt'])).toEqual([
      'file1.txt',
      'fileA.txt',
    ]);
    expect(excluded(['a?b'], ['a/b', 'axb'])).toEqual(['axb']);
    expect(excluded(['src/a?b'], ['src/a/b', 'src/axb'])).toEqual(['src/axb']);
  });

  test('[abc] and [0-9] classes, and [!…] negation', () => {
    expect(excluded(['[abc].txt'], ['a.txt', 'c.txt', 'd.txt', 'ab.txt'])).toEqual(['a.txt', 'c.txt']);
    expect(excluded(['v[0-9]'], ['v1', 'v9', 'vx', 'v10'])).toEqual(['v1', 'v9']);
    expect(excluded(['[!a]x'], ['ax', 'bx', 'x'])).toEqual(['bx']);
  });

  test('regex characters in patterns are literal', () => {
    expect(excluded(['a.b'], ['a.b', 'axb'])).toEqual(['a.b']);
    expect(excluded(['(x)+'], ['(x)+', 'xx'])).toEqual(['(x)+']);
    expect(excluded(['$HOME'], ['$HOME', 'HOME'])).toEqual(['$HOME']);
    expect(excluded(['a[b'], ['a[b', 'ab'])).toEqual(['a[b']);
  });

  test('several patterns: any one excludes', () => {
    const test = excluder(['tests', '*.log', '/.env.local']);
    expect(test('tests', true)).toBe(true);
    expect(test('x/y.log', false)).toBe(true);
    expect(test('.env.local', false)).toBe(true);
    expect(test('config/.env.local', false)).toBe(false);
    expect(test('src/index.ts', false)).toBe(false);
  });

  test('no patterns: only .git', () => {
    const test = excluder([]);
    expect(test('src', true)).toBe(false);
    expect(test('README.md', false)).toBe(false);
  });
});
