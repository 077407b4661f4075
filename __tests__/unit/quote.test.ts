import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { q, words } from '../../src/remote/quote.js';
import { tempDir } from '../support/temp-dirs.js';

const TRICKY = [
  '',
  'plain',
  'with space',
  '  leading and trailing  ',
  "it's",
  "''",
  "'",
  'say "hi"',
  '"',
  '$(touch x)',
  '`touch y`',
  '${IFS}$HOME$0$$',
  'a\nb',
  '\n',
  'line1\n\nline3\n',
  'tab\there',
  'a; touch z',
  'a && touch z2 || touch z3',
  'a | tee z4',
  '> z5',
  '< /etc/passwd',
  '*',
  '*.ts',
  '?',
  '[a-z]',
  '[a-z]*',
  's*',
  '{a,b}',
  '~',
  '~root',
  '#comment',
  '!!',
  '\\',
  'back\\slash\\n',
  'ünïcødé ✓ 日本語 😀',
  '-n',
  '-e',
  '--help',
  '-',
  'a=b',
  'x=$(touch w)',
  'mixed \'single\' and "double" and `tick` and $(sub)',
  '\x01\x1b[31mred\x7f',
  '%s%d',
  '\r\n',
];

describe('q: every value becomes one bash word carrying exactly its text', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tempDir('da-quote-');
    // A file for an unquoted `*` or `[a-z]*` to expand to: globbing would show in the output.
    writeFileSync(join(cwd, 'sentinel'), '');
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  test('printf %s of q(value) prints the value and runs nothing, for all tricky values in one bash', () => {
    // One bash run for all values (fast): each value is printed between NUL separators.
    const script = TRICKY.map((s) => `printf '%s\\0' ${q(s)}`).join('\n');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', script], { cwd, encoding: 'buffer' });
    expect(r.status).toBe(0);
    expect(r.stderr.toString()).toBe('');
    const printed = r.stdout.toString('utf8').split('\0');
    expect(printed.pop()).toBe('');
    expect(printed).toEqual(TRICKY);
    expect(readdirSync(cwd)).toEqual(['sentinel']);
  });

  test.each(TRICKY.map((s) => [JSON.stringify(s), s]))('bash -c "printf %%s q(%s)" round-trips', (_label, s) => {
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', `printf '%s' ${q(s)}`], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(s);
    expect(readdirSync(cwd)).toEqual(['sentinel']);
  });

  test('each value is exactly one word (never split or globbed away, the empty string included)', () => {
    const script = `set -- ${words(TRICKY)}; echo "$#"`;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', script], { cwd, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(String(TRICKY.length));
    expect(readdirSync(cwd)).toEqual(['sentinel']);
  });

  test('words joins quoted values with spaces and round-trips through "$@"', () => {
    const values = ['a b', "c'd", '', '$(touch v)', '-x'];
    expect(words(values)).toBe(values.map(q).join(' '));
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', `printf '<%s>' ${words(values)}`], {
      cwd,
      encoding: 'utf8',
    });
    expect(r.stdout).toBe(values.map((v) => `<${v}>`).join(''));
    expect(words([])).toBe('');
    expect(readdirSync(cwd)).toEqual(['sentinel']);
  });

  test('numbers are quoted as their decimal text', () => {
    expect(q(42)).toBe('42');
    expect(q(-1)).toBe('-1');
  });

  test('plain words are left readable (no needless quotes in logged scripts)', () => {
    expect(q('releases/20240101120000')).toBe('releases/20240101120000');
    expect(q('www-data')).toBe('www-data');
  });

  test('a NUL byte is rejected, not silently truncated', () => {
    expect(() => q('a\0b')).toThrow(/NUL/);
    expect(() => q('\0')).toThrow(/NUL/);
    expect(() => words(['ok', 'bad\0'])).toThrow(/NUL/);
  });
});
