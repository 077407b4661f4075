import { parseCliArgs, UsageError } from '../../src/cli/args.js';
import { suffixedReleaseName } from '../../src/releases/name.js';

describe('release-name-exists', () => {
  test('suffix: the first NAME-N from 2 not taken; none when it would break the release-name rule', () => {
    expect(suffixedReleaseName('v1.2.0', new Set(['v1.2.0']))).toBe('v1.2.0-2');
    expect(suffixedReleaseName('v1.2.0', new Set(['v1.2.0', 'v1.2.0-2', 'v1.2.0-4']))).toBe('v1.2.0-3');
    expect(suffixedReleaseName('v1.2.0-2', new Set(['v1.2.0-2']))).toBe('v1.2.0-2-2');
    expect(suffixedReleaseName('x'.repeat(98), new Set())).toBe(`${'x'.repeat(98)}-2`);
    expect(suffixedReleaseName('x'.repeat(99), new Set())).toBeUndefined();
  });

  test('--release-name-exists: fail or suffix, for deploy and redeploy only', () => {
    const parse = (...args: string[]) => parseCliArgs(args);
    expect(parse('deploy', 'production', '--release-name', 'v1', '--release-name-exists', 'suffix')).toMatchObject({
      releaseName: 'v1',
      releaseNameExists: 'suffix',
    });
    expect(parse('redeploy', 'production', '--release-name-exists', 'fail')).toMatchObject({
      releaseNameExists: 'fail',
    });
    expect(parse('deploy', 'production')).not.toHaveProperty('releaseNameExists');
    expect(() => parse('deploy', 'production', '--release-name-exists', 'yes')).toThrow(
      new UsageError('--release-name-exists: "yes" is not one of fail, suffix'),
    );
    expect(() => parse('rollback', 'production', '--release-name-exists', 'suffix')).toThrow(
      new UsageError('--release-name-exists applies to deploy and redeploy, not rollback'),
    );
  });
});
