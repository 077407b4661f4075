/**
 * The reference tables against their sources: the README's Inputs and Outputs tables against action.yml, the
 * config reference tables (docs/config.md) against deploy.schema.json. A missing or extra row fails, naming it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readDoc, ROOT } from '../support/docs.js';

const README = 'README.md';
const CONFIG = 'docs/config.md';
type Obj = Record<string, unknown>;
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, Obj>;
  outputs: Record<string, Obj>;
};
const schema = JSON.parse(readFileSync(join(ROOT, 'deploy.schema.json'), 'utf8')) as Obj;

/** The rows of the first table under `heading` (exact heading line) in `file`, each split into trimmed cells. */
function table(file: string, heading: string): string[][] {
  const lines = readDoc(file).split('\n');
  const at = lines.indexOf(heading);
  if (at < 0) throw new Error(`${file} has no heading ${heading}`);
  const start = lines.findIndex((l, i) => i > at && l.startsWith('|'));
  const next = lines.findIndex((l, i) => i > at && /^#{1,3} /.test(l));
  if (start < 0 || (next >= 0 && start > next)) throw new Error(`no table under ${heading}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** The names in a table's first column (written as `name`). */
const names = (file: string, heading: string) =>
  table(file, heading).map((r) => /^`([^`]+)`/.exec(r[0] ?? '')?.[1] ?? `(not a code span: ${r[0]})`);

function diff(documented: string[], actual: string[]) {
  return {
    missing: actual.filter((n) => !documented.includes(n)),
    extra: documented.filter((n) => !actual.includes(n)),
    duplicated: documented.filter((n, i) => documented.indexOf(n) !== i),
  };
}
const none = { missing: [], extra: [], duplicated: [] };

const obj = (v: unknown) => v as Obj;
const props = (v: unknown) => Object.keys(obj(obj(v)['properties']));
const env = obj(obj(schema['$defs'])['environment']);
const envProps = obj(env['properties']);

describe('reference tables', () => {
  test('Inputs: exactly the inputs of action.yml, with their defaults', () => {
    expect(diff(names(README, '## Inputs'), Object.keys(action.inputs))).toEqual(none);
    for (const row of table(README, '## Inputs')) {
      const name = /^`([^`]+)`/.exec(row[0]!)![1]!;
      const def = action.inputs[name]?.['default'];
      if (typeof def === 'string') expect([name, row[1]]).toEqual([name, `\`${def}\``]);
    }
  });

  test('Outputs: exactly the outputs of action.yml', () => {
    expect(diff(names(README, '## Outputs'), Object.keys(action.outputs))).toEqual(none);
  });

  test.each([
    ['## Top-level keys', () => props(schema).filter((k) => !(k in envProps))],
    ['## Environment keys', () => Object.keys(envProps)],
    ['## Host entries', () => props((obj(obj(envProps['hosts'])['items'])['oneOf'] as unknown[])[1])],
    ['## Hook mappings', () => props((obj(obj(envProps['deploy'])['items'])['oneOf'] as unknown[])[1])],
    ['## Health check keys', () => props(envProps['healthcheck'])],
    ['## Maintenance keys', () => props(envProps['maintenance'])],
    ['## File entries', () => props(obj(envProps['files'])['items'])],
  ])(`${CONFIG} %s: exactly the keys of deploy.schema.json`, (heading, keys) => {
    expect(diff(names(CONFIG, heading), keys())).toEqual(none);
  });

  test('the checks notice a missing row', () => {
    expect(diff(['a', 'b'], ['a', 'c'])).toEqual({ missing: ['c'], extra: ['b'], duplicated: [] });
  });
});
