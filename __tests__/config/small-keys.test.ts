import { load, problem, yaml } from './helpers.js';

const env = (...extra: string[]) =>
  yaml('environments:', '  production:', '    hosts: [deploy@web1]', '    deploy_path: /x/y', ...extra);

describe('exclude_from and rollback', () => {
  test('exclude_from must be a file path relative to the source directory', () => {
    const at = (v: string) => problem(env(`    exclude_from: ${v}`)).message;
    expect(at('/etc/ignore')).toBe('must be relative to the source directory (got "/etc/ignore")');
    expect(at('conf/')).toBe('must name a file, not a directory (got "conf/")');
    expect(at('"a\\\\b"')).toBe('must use `/` as separator, not `\\`');
    expect(at('[a]')).toMatch(/^must be a string/);
    expect(load(env('    exclude_from: ../.deployignore')).excludeFrom?.value).toBe('../.deployignore');
    expect(load(env())).not.toHaveProperty('excludeFrom');
  });

  test('rollback hooks are read as activate hooks are: strings or mappings with run and name; once is refused', () => {
    const c = load(
      env('    rollback:', '      - php artisan queue:restart', '      - { name: purge, run: ./purge-cdn }'),
    );
    expect(c.rollback).toMatchObject([
      { run: 'php artisan queue:restart', once: false },
      { run: './purge-cdn', name: 'purge', once: false },
    ]);
    expect(load(env()).rollback).toEqual([]);
    const once = problem(env('    rollback:', '      - { run: x, once: true }'));
    expect(once).toMatchObject({ path: 'environments.production.rollback[0].once' });
    expect(once.message).toContain('`once` is only meaningful for deploy hooks');
  });
});
