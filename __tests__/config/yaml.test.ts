import { ConfigError, loadConfig, MAX_ALIAS_COUNT } from '../../src/config/index.js';
import { env, problem, problems, yaml } from './helpers.js';

describe('YAML syntax', () => {
  it('reports tabs used for indentation', () => {
    expect(problem('environments:\n\tproduction: {}\n')).toMatchObject({
      file: 'deploy.yml',
      line: 2,
      column: 1,
      path: '',
      message: 'tabs are not allowed for indentation; indent with spaces',
    });
  });

  it('reports bad indentation', () => {
    const found = problems(
      yaml('environments:', '  production:', '    hosts: [local]', '   deploy_path: /var/www/app'),
    );
    expect(found[0]).toMatchObject({ line: 4, path: '' });
    expect(found[0].message).toMatch(/^YAML: /);
  });

  it('reports an unclosed flow sequence', () => {
    expect(problems(env('shared_dirs: [a, b'))[0].message).toMatch(/^YAML: /);
  });

  it('reports an unterminated quote', () => {
    expect(problems(env('url: "https://x'))[0].message).toMatch(/^YAML: Missing closing "quote/);
  });

  it('reports duplicate keys at the second one', () => {
    expect(problem(env('keep_releases: 3', 'keep_releases: 4'))).toMatchObject({
      line: 6,
      column: 5,
      message: 'duplicate key: each key may appear only once in a mapping',
    });
  });

  it('reports duplicate environments', () => {
    expect(problem(`${env()}  production:\n    hosts: [local]\n`)).toMatchObject({
      line: 5,
      column: 3,
      message: expect.stringMatching(/duplicate key/),
    });
  });

  it('reports several documents in one file', () => {
    expect(problem(`${env()}---\nname: x\n`).message).toMatch(/single YAML document/);
  });

  it('reports unresolved tags', () => {
    expect(problem(env('url: !secret x')).message).toMatch(/^YAML: Unresolved tag: !secret/);
  });

  it('reports an alias without an anchor', () => {
    expect(problem(env('build: *steps'))).toMatchObject({
      line: 5,
      column: 12,
      message: 'unknown alias `*steps` (no anchor `&steps` before it)',
    });
  });

  it(`refuses a "billion laughs" document (over ${MAX_ALIAS_COUNT} alias expansions) quickly`, () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [name, prev] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
      ['g', 'f'],
      ['h', 'g'],
      ['i', 'h'],
    ]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = Date.now();
    const found = problems(`${lines.join('\n')}\n${env()}`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(found).toEqual([
      {
        file: 'deploy.yml',
        line: 2,
        column: 8,
        path: '',
        message: `too many alias expansions (over ${MAX_ALIAS_COUNT}): refusing a possible "billion laughs" document`,
      },
    ]);
  });

  it('allows a modest number of aliases', () => {
    const text = yaml('x: &h [deploy@a.example.com]', ...env().trimEnd().split('\n'));
    expect(problems(text).map((p) => p.message)).toEqual(['unknown key']);
  });

  it('never throws anything but ConfigError, whatever the input', () => {
    const inputs = [
      '',
      '~',
      '[',
      ']',
      '{',
      '"',
      "'",
      ':',
      '- - -',
      '? ? ?',
      '!!binary x',
      '&a *a',
      'a: *a',
      '%YAML 1.1\n---\na: 1',
      '\0',
      '\uFEFF',
      '@',
      '`',
      'environments: !!map {}',
      'environments: {p: {hosts: !!set {a}}}',
    ];
    for (const text of inputs) {
      try {
        loadConfig({ file: 'x.yml', environment: 'p', text });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        continue;
      }
      throw new Error(`loaded: ${JSON.stringify(text)}`);
    }
  });
});

describe('positions', () => {
  it('points at keys for unknown keys and at values for bad values (1-based)', () => {
    const text = yaml(
      'environments:',
      '  production:',
      '    hosts:',
      '      - deploy@a.example.com',
      '    deploy_path: /var/www/app',
      '    # a comment',
      '',
      '    keep_releases:   0',
      '    shraed_dirs: []',
    );
    expect(problems(text).map((p) => `${p.line}:${p.column}`)).toEqual(['8:22', '9:5']);
  });

  it('points into flow collections', () => {
    expect(problem(env('writable_dirs: [ok, /abs]'))).toMatchObject({
      line: 5,
      column: 25,
      path: 'environments.production.writable_dirs[1]',
    });
  });

  it('counts columns in characters on lines with multi-byte text', () => {
    expect(problem(env('env: { GREETING: "héllo" , "ÄB": x }'))).toMatchObject({ line: 5, column: 32 });
  });

  it('uses the file name as given', () => {
    try {
      loadConfig({ file: 'config/deploy.yml', environment: 'production', text: env('keep_releases: 0') });
    } catch (error) {
      expect((error as ConfigError).problems[0].file).toBe('config/deploy.yml');
      expect((error as ConfigError).message.startsWith('config/deploy.yml:5:20: ')).toBe(true);
    }
    expect.assertions(2);
  });
});
