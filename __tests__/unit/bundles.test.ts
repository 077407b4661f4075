import { readFileSync } from 'node:fs';
import { DIST } from '../support/action.js';

const read = (path: string) => readFileSync(new URL(path, `file://${DIST}`), 'utf8');

describe('bundles', () => {
  test('the CLI bundle carries no GitHub API client (@actions/github, octokit)', () => {
    const licenses = read('./cli/licenses.txt');
    const code = read('./cli/index.js');
    expect(licenses).not.toMatch(/@actions\/github|octokit/i);
    expect(code).not.toMatch(/createDeployment|@octokit|api\.github\.com/);
  });

  test('the action bundle has it (github-deployment)', () => {
    expect(read('./licenses.txt')).toMatch(/@actions\/github/);
    expect(read('./index.js')).toContain('createDeployment');
  });
});
