import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DIST } from '../support/action.js';

const read = (path: string) => readFileSync(new URL(path, `file://${DIST}`), 'utf8');
/** A bundle's code: its entry and the chunks it loads on demand. */
const code = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');

describe('bundles', () => {
  test('the CLI bundle carries no GitHub API client (@actions/github, octokit)', () => {
    const licenses = read('./cli/licenses.txt');
    expect(licenses).not.toMatch(/@actions\/github|octokit/i);
    expect(code(join(dirname(DIST), 'cli'))).not.toMatch(/createDeployment|@octokit|api\.github\.com/);
  });

  test('the action bundle has it (github-deployment)', () => {
    expect(read('./licenses.txt')).toMatch(/@actions\/github/);
    expect(code(dirname(DIST))).toContain('createDeployment');
  });
});
