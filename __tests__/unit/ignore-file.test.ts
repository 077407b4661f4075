import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { excluder } from '../../src/artifact/exclude.js';
import { parseIgnoreFile, shipExcluder } from '../../src/artifact/ignore-file.js';
import { ConfigError, formatProblem } from '../../src/config/index.js';
import { load, yaml } from '../config/helpers.js';
import { tempDir } from '../support/temp-dirs.js';

/** Which of `paths` (files unless they end in `/`) the test excludes. */
const excludedBy = (test: (p: string, d: boolean) => boolean, paths: string[]) =>
  paths.filter((p) => (p.endsWith('/') ? test(p.slice(0, -1), true) : test(p, false)));

const config = (extra: string[]) =>
  load(yaml('environments:', '  production:', '    hosts: [deploy@web1]', '    deploy_path: /var/www/app', ...extra));

describe('an exclude_from file', () => {
  test('comments, blank lines and surrounding white space are skipped; escapes start a pattern with # or !', () => {
    const { rules, problems } = parseIgnoreFile(
      '\uFEFF# build caches\n\nnode_modules/\r\n  *.log  \n\\#notes\n\\!bang\n!keep.log\n',
      '/src/.deployignore',
    );
    expect(problems).toEqual([]);
    expect(rules).toEqual([
      { pattern: 'node_modules/', negated: false },
      { pattern: '*.log', negated: false },
      { pattern: '#notes', negated: false },
      { pattern: '!bang', negated: false },
      { pattern: 'keep.log', negated: true },
    ]);
  });

  test('!pattern ships what an earlier line excluded; the last matching line decides', () => {
    const { rules } = parseIgnoreFile('*.log\n!keep.log\nstorage/keep.log\n', 'f');
    const test = excluder([], rules);
    expect(excludedBy(test, ['a.log', 'keep.log', 'x/keep.log', 'storage/keep.log', 'app.php'])).toEqual([
      'a.log',
      'storage/keep.log',
    ]);
  });

  test('anchoring and directories as in `exclude`: a leading / anchors, a trailing / matches directories only', () => {
    const { rules } = parseIgnoreFile('/build\ntmp/\n', 'f');
    const test = excluder([], rules);
    expect(excludedBy(test, ['build/', 'src/build/', 'tmp/', 'a/tmp/', 'tmp'])).toEqual(['build/', 'tmp/', 'a/tmp/']);
  });

  test('a negation cannot bring back what `exclude` or .git excludes', () => {
    const { rules } = parseIgnoreFile('!secret.txt\n!.git\n', 'f');
    const test = excluder(['secret.txt'], rules);
    expect(excludedBy(test, ['secret.txt', '.git/', 'other.txt'])).toEqual(['secret.txt', '.git/']);
  });

  test("rsync's + and - prefixes and a lone ! are refused, at their line", () => {
    const { problems } = parseIgnoreFile('ok\n+ keep\n- drop\n!\n', '/src/.deployignore');
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^\/src\/.deployignore:2:1: `\+ keep`: rsync's `\+ `\/`- ` prefixes are not supported/),
      expect.stringMatching(/^\/src\/.deployignore:3:1: `- drop`: rsync's/),
      '/src/.deployignore:4:1: a line with `!` alone names nothing; write `!pattern`',
    ]);
  });

  test('read from the source directory; a missing one is a config error at the `exclude_from` key', async () => {
    const source = tempDir('da-ignore-');
    const c = config(['    exclude: ["*.tmp"]', '    exclude_from: .deployignore']);
    expect(c.excludeFrom).toMatchObject({ value: '.deployignore', path: 'environments.production.exclude_from' });
    const missing = await shipExcluder(c, source).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).message).toBe(
      `deploy.yml:6:19: environments.production.exclude_from: \`.deployignore\` does not exist in the source directory ${source}: create it, or correct or remove \`exclude_from\``,
    );
    mkdirSync(join(source, 'dir'));
    const dir = await shipExcluder({ ...c, excludeFrom: { ...c.excludeFrom!, value: 'dir' } }, source).catch(
      (e: unknown) => e,
    );
    expect((dir as Error).message).toContain('`dir` is a directory');
    writeFileSync(join(source, '.deployignore'), 'docs/\n');
    const test = await shipExcluder(c, source);
    expect(excludedBy(test, ['docs/', 'a.tmp', 'app.php', '.deployignore'])).toEqual(['docs/', 'a.tmp']);
    writeFileSync(join(source, '.deployignore'), 'docs/\n+ x\n');
    const bad = await shipExcluder(c, source).catch((e: unknown) => e);
    expect((bad as ConfigError).problems).toMatchObject([{ file: join(source, '.deployignore'), line: 2 }]);
  });

  test('no exclude_from: only `exclude`', async () => {
    const test = await shipExcluder(config(['    exclude: ["*.tmp"]']), '/nonexistent');
    expect(excludedBy(test, ['a.tmp', '.deployignore'])).toEqual(['a.tmp']);
  });
});
