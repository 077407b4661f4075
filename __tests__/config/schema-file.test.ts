/**
 * The published deploy.schema.json: it is what `npm run schema` writes, it accepts every example config of the
 * repository (and the documentation's), and it refuses configs the validator refuses.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { schemaText } from '../../src/config/jsonschema.js';
import { docFiles, readDoc, yamlBlocks } from '../support/docs.js';
import { env, load, problems, yaml } from './helpers.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const published = readFileSync(join(ROOT, 'deploy.schema.json'), 'utf8');

// ajv is CommonJS: the default import is module.exports, whose `default` is the class.
const ajv = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
// The one format the schema uses; ajv-formats would be a second dependency for it.
ajv.addFormat('uri', (s: string) => URL.canParse(s));
const validate = ajv.compile(JSON.parse(published) as object);

function check(text: string): string[] {
  return validate(parse(text)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** deploy configs in the repository: examples/**\/*.yml that have `environments:` (workflows do not). */
function exampleConfigs(dir = join(ROOT, 'examples')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return exampleConfigs(path);
    return /\.ya?ml$/.test(e.name) && /^environments:/m.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

/** The ```yaml blocks of README.md and docs/*.md that are whole deploy configs (a top-level `environments:`), dedented. */
function readmeConfigs(): string[] {
  return docFiles()
    .flatMap((f) => yamlBlocks(readDoc(f)))
    .filter((b) => /^environments:/m.test(b));
}

describe('deploy.schema.json', () => {
  test('is what `npm run schema` generates from the key definitions (run it after changing src/config/schema.ts)', () => {
    expect(published).toBe(schemaText());
  });

  const examples = exampleConfigs();
  test('there are example configs to check', () => {
    expect(examples.map((p) => p.slice(ROOT.length + 1)).sort()).toEqual(
      expect.arrayContaining([
        'examples/configs/laravel.yml',
        'examples/configs/static-site.yml',
        'examples/demo/deploy.yml',
      ]),
    );
  });

  test.each(examples.map((p) => [p.slice(ROOT.length + 1), p]))('accepts %s (and so does the validator)', (_, path) => {
    const text = readFileSync(path, 'utf8');
    expect(check(text)).toEqual([]);
    const doc = parse(text) as { environments: Record<string, unknown> };
    // Every ${NAME} the file references, set (the loader reads only the environment's own keys).
    const env = Object.fromEntries([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [m[1]!, 'x']));
    for (const name of Object.keys(doc.environments)) expect(() => load(text, name, env)).not.toThrow();
  });

  test('accepts the deploy.yml snippets of the README and docs/', () => {
    const snippets = readmeConfigs();
    expect(snippets.length).toBeGreaterThanOrEqual(2);
    for (const s of snippets) expect([s, check(s)]).toEqual([s, []]);
  });

  // Configs the validator refuses (from __tests__/config/validate.test.ts) that a JSON Schema can express.
  const host = (entry: string) =>
    yaml('environments:', '  production:', '    deploy_path: /var/www/app', '    hosts:', `      - ${entry}`);
  const refused: [string, string][] = [
    ['an unknown key (a typo)', env('keep_relases: 3')],
    [
      'an unknown top-level key',
      yaml('keep_releses: 3', 'environments: { production: { hosts: [deploy@a], deploy_path: /srv/app } }'),
    ],
    ['keep_releases: 0', env('keep_releases: 0')],
    ['keep_releases: three', env('keep_releases: three')],
    ['writable_use_sudo: "true"', env('writable_use_sudo: "true"')],
    ['writable_recursive: yes', env('writable_recursive: yes')],
    ['shared_dirs: storage (not a list)', env('shared_dirs: storage')],
    ['build: make (not a list)', env('build: make')],
    ['deploy: [[a]]', env('deploy: [[a]]')],
    ['env: [A]', env('env: [A]')],
    ['env: { A: [1] }', env('env: { A: [1] }')],
    ['writable_mode: ACL', env('writable_mode: ACL')],
    ['writable_chmod_mode: "79"', env('writable_chmod_mode: "79"')],
    ['url: 42', env('url: 42')],
    ['http_user: "-oProxy"', env('http_user: "-oProxy"')],
    ['`name` inside an environment', env('name: shop')],
    ['`once` on a build hook', env('build: [{ run: make, once: true }]')],
    ['a missing `environments`', yaml('name: shop')],
    ['an empty environments mapping', yaml('environments: {}')],
    ['an empty hosts list', yaml('environments:', '  production:', '    hosts: []', '    deploy_path: /var/www/app')],
    ['a host mapping without `host`', host('{ user: deploy }')],
    ['a host with port 70000', host('{ host: a.example.com, user: deploy, port: 70000 }')],
    ['a host with an unknown key', host('{ host: a.example.com, usr: deploy }')],
    ['an empty command', env('deploy: [""]')],
    ['a health check with both url and command', env('healthcheck: { url: "https://{host}/", command: "true" }')],
    ['`on` on a build hook', env('build: [{ run: make, on: label=web }]')],
    ['`on: role=web`', env('deploy: [{ run: m, on: role=web }]')],
    ['`once: 1`', env('deploy: [{ run: m, once: 1 }]')],
    ['a host `vars` value from `${NAME}`', host('{ host: a.example.com, user: deploy, vars: { T: "${T}" } }')],
    ['a host `env` name starting with DEPLOY_', host('{ host: a.example.com, user: deploy, env: { DEPLOY_X: 1 } }')],
  ];

  test.each(refused)('refuses %s, as the validator does', (_, text) => {
    expect(problems(text).length).toBeGreaterThan(0);
    expect(check(text)).not.toEqual([]);
  });
});
