/**
 * The inputs of stage / switch / discard as attacker-chosen text (see __tests__/hardening/stage-attacks.test.ts for
 * the same through dist/index.js against real hosts): each bad value is refused with where it came from, in one line.
 */
import { parseCliArgs, UsageError } from '../../src/cli/args.js';
import { parseShard } from '../../src/fleet/shard.js';
import { checkReleaseName } from '../../src/releases/name.js';
import { problem, yaml } from '../config/helpers.js';

const BAD_NAMES = [
  '../../etc',
  'a/b',
  '.deploy',
  '..',
  '.',
  '$(touch x)',
  'x;touch y',
  'ok\n::set-output name=release::x',
  '-rf',
  'a'.repeat(300),
  'ｒun-1',
  'run\u200b-1',
  '',
];

describe('release names from job outputs', () => {
  test('each is refused in one line that names its source, the value quoted and cut', () => {
    for (const name of BAD_NAMES) {
      let message = '';
      try {
        checkReleaseName(name, 'input release');
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^input release: ".*" is not a valid release name: use letters, digits/);
      expect(message).not.toContain('\n');
      expect(message.length).toBeLessThan(250);
    }
    expect(checkReleaseName('v1.2.3', 'input release')).toBe('v1.2.3');
  });

  test('the CLI refuses a bad --release / --release-name before anything else runs, naming the option', () => {
    for (const [command, option] of [
      ['switch', '--release'],
      ['discard', '--release'],
      ['rollback', '--release'],
      ['stage', '--release-name'],
      ['deploy', '--release-name'],
    ] as const) {
      for (const name of ['../../etc', 'ok\n::error::x', '-rf']) {
        const run = () => parseCliArgs([command, 'production', `${option}=${name}`]);
        expect(run).toThrow(UsageError);
        expect(run).toThrow(`${option}: ${JSON.stringify(name)} is not a valid release name`);
      }
      expect(parseCliArgs([command, 'production', option, 'v1.2.3'])).toMatchObject({ releaseName: 'v1.2.3' });
    }
  });
});

describe('shard', () => {
  test('out of range, malformed or huge: a clear input error in one line', () => {
    for (const bad of [
      '0/4',
      '5/4',
      '1/0',
      'a/b',
      '1/4/2',
      '99999/99999',
      '1001/1001',
      '-1/4',
      '1.5/4',
      '2/8\n::error::x',
    ]) {
      let message = '';
      try {
        parseShard(bad, 'input shard');
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe(
        `input shard: ${JSON.stringify(bad)} is not a shard: write K/N with 1 ≤ K ≤ N ≤ 1000 (e.g. 2/8: the second job of a matrix of 8)`,
      );
    }
    expect(parseShard('1000/1000', 'input shard')).toEqual({ index: 1000, count: 1000 });
    expect(() => parseShard('1'.repeat(5000), 'input shard')).toThrow(/^input shard: "1{40}…" is not a shard/);
  });
});

const env = (...lines: string[]) =>
  yaml(
    'name: shop',
    'environments:',
    '  production:',
    '    hosts: [{ host: example.com, user: deploy }]',
    '    deploy_path: /srv/shop',
    ...lines,
  );

describe('stage config keys', () => {
  test('stage_ttl: zero, negative, unknown units or beyond 30 days are config errors at the key', () => {
    for (const bad of ['0', '-1', '1000y', '721h', '1.5h', '2h30m', '"soon"']) {
      const p = problem(env(`    stage_ttl: ${bad}`));
      expect({ bad, line: p.line, path: p.path }).toEqual({
        bad,
        line: 6,
        path: 'environments.production.stage_ttl',
      });
    }
  });

  test('preview_link: never a path, a parent, or one of the layout names', () => {
    for (const bad of ['../x', 'current', 'releases', 'shared', 'shared/x', '.deploy', '/tmp/x', 'a b', '-x']) {
      const p = problem(env(`    preview_link: ${JSON.stringify(bad)}`));
      expect({ bad, line: p.line, path: p.path }).toEqual({
        bad,
        line: 6,
        path: 'environments.production.preview_link',
      });
    }
  });
});
