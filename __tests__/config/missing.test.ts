import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingConfigMessage, nearConfigName } from '../../src/config/missing.js';
import { tempDir } from '../support/temp-dirs.js';

/** A directory holding `files` (a path with `/` makes its directory). */
function dirWith(...files: string[]): string {
  const dir = tempDir('da-missing-');
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), 'x: 1\n');
  }
  return dir;
}

describe('nearConfigName: the file probably meant', () => {
  test.each([
    [['deploy.yaml'], 'deploy.yaml'],
    [['.deploy.yml'], '.deploy.yml'],
    [['Deploy.yml'], 'Deploy.yml'],
    [['DEPLOY.YAML'], 'DEPLOY.YAML'],
    [['deplyo.yml'], 'deplyo.yml'],
    [['deploy/deploy.yml'], 'deploy/deploy.yml'],
    [['config/deploy.yaml'], 'config/deploy.yaml'],
    [['README.md', 'docker-compose.yml', 'package.json'], undefined],
    [['deploy.json'], undefined],
    [[], undefined],
  ])('%j → %s', (files, expected) => {
    expect(nearConfigName(dirWith(...files), 'deploy.yml')).toBe(expected);
  });

  test('a name in the directory itself wins over one in a subdirectory', () => {
    expect(nearConfigName(dirWith('deploy/deploy.yml', 'deploy.yaml'), 'deploy.yml')).toBe('deploy.yaml');
  });

  test('a directory that cannot be read has no suggestion', () => {
    expect(nearConfigName(join(tmpdir(), 'da-no-such-dir-x'), 'deploy.yml')).toBeUndefined();
  });
});

describe('missingConfigMessage', () => {
  test('the action: the directory searched, a checkout and the config input; a near name when there is one', () => {
    const empty = dirWith();
    const none = missingConfigMessage(join(empty, 'deploy.yml'));
    expect(none).toBe(
      `no deploy.yml in ${empty}: is the repository checked out (actions/checkout in a step before this one)? If the file has another name or place, set the \`config\` input to its path in the workspace`,
    );
    const near = dirWith('deploy.yaml');
    expect(missingConfigMessage(join(near, 'deploy.yml'))).toContain(
      `no deploy.yml in ${near}; did you mean deploy.yaml (in that directory)? Set the \`config\` input`,
    );
  });

  test('the CLI: --config, never Actions vocabulary; the suggested path is relative to where the user is', () => {
    const dir = dirWith('deploy/deploy.yml');
    const cli = missingConfigMessage(join(dir, 'deploy.yml'), 'cli');
    expect(cli).toBe(`no deploy.yml in ${dir}; did you mean deploy/deploy.yml? Pass --config ${dir}/deploy/deploy.yml`);
    expect(missingConfigMessage(join(dirWith(), 'x.yml'), 'cli')).toMatch(
      /; run from the directory that holds it, or pass --config FILE$/,
    );
    for (const m of [cli, missingConfigMessage(join(dirWith(), 'x.yml'), 'cli')])
      expect(m).not.toMatch(/input|checkout/);
  });

  test('a directory that does not exist is named as such', () => {
    const gone = join(dirWith(), 'nope');
    expect(missingConfigMessage(join(gone, 'deploy.yml'), 'cli')).toBe(
      `the directory ${gone} does not exist; pass --config FILE with the path of the deploy config`,
    );
    expect(missingConfigMessage(join(gone, 'deploy.yml'))).toMatch(/does not exist: is the repository checked out/);
  });
});
