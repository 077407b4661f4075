import { editDistance, suggestKey } from '../../src/config/suggest.js';
import { ENVIRONMENT_KEYS } from '../../src/config/index.js';

const keys = Object.keys(ENVIRONMENT_KEYS);

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions as one', () => {
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('abc', 'abcd')).toBe(1);
    expect(editDistance('abc', 'ab')).toBe(1);
    expect(editDistance('abc', 'abd')).toBe(1);
    expect(editDistance('abc', 'acb')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('suggestKey', () => {
  it.each([
    ['shared_dir', 'shared_dirs'],
    ['shraed_dirs', 'shared_dirs'],
    ['sharedDirs', 'shared_dirs'],
    ['SHARED-DIRS', 'shared_dirs'],
    ['deployPath', 'deploy_path'],
    ['keepReleases', 'keep_releases'],
    ['host', 'hosts'],
    ['envs', 'env'],
    ['writable_mod', 'writable_mode'],
  ])('%s → %s', (typo, expected) => {
    expect(suggestKey(typo, keys)).toBe(expected);
  });

  it.each(['colour', 'releases_to_keep', 'x', 'ab'])('suggests nothing for %s', (typo) => {
    expect(suggestKey(typo, keys)).toBeUndefined();
  });
});
