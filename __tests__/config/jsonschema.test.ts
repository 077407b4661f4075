import { toJsonSchema } from '../../src/config/index.js';
import type { JsonObject, JsonValue } from '../../src/config/kind.js';
import { load, problems, yaml } from './helpers.js';

const schema = toJsonSchema();

function object(value: JsonValue | undefined): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return value;
}

const topProperties = object(schema.properties);
const environmentSchema = object(object(schema.$defs).environment);
const environmentProperties = object(environmentSchema.properties);
const hostVariants = object(object(environmentProperties.hosts).items).oneOf as JsonValue[];
const hostProperties = object(object(hostVariants[1]).properties);

const allNames = [...new Set([...Object.keys(topProperties), ...Object.keys(environmentProperties), ...Object.keys(hostProperties)])];

/** Whether the validator accepts `key` at a level (any problem about the value is fine, "unknown key" is not). */
function accepted(level: 'top' | 'environment' | 'host', name: string): boolean {
  const text =
    level === 'top'
      ? yaml(`${name}: ~`, 'environments: { production: { hosts: [local], deploy_path: /srv/app } }')
      : level === 'environment'
        ? yaml('environments:', '  production:', '    hosts: [local]', '    deploy_path: /srv/app', `    ${name}: ~`)
        : yaml('environments:', '  production:', '    deploy_path: /srv/app', '    hosts:', `      - { host: local, ${name}: ~ }`);
  let found;
  try {
    found = problems(text);
  } catch {
    return true; // loaded without any problem
  }
  return !found.some((p) => p.path.endsWith(name) && /^unknown key|only allowed at the top level/.test(p.message));
}

describe('toJsonSchema', () => {
  it('is a draft 2020-12 schema that refuses unknown keys at every level', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['environments']);
    expect(environmentSchema.additionalProperties).toBe(false);
    expect(object(hostVariants[1]).additionalProperties).toBe(false);
    expect(object(topProperties.environments).additionalProperties).toEqual({ $ref: '#/$defs/environment' });
  });

  it.each([
    ['top', () => topProperties],
    ['environment', () => environmentProperties],
    ['host', () => hostProperties],
  ] as const)('lists exactly the keys the validator accepts at the %s level', (level, properties) => {
    const listed = Object.keys(properties()).sort();
    const candidates = [...allNames, ...allNames.map((n) => `${n}x`), 'x-defaults', 'extends', 'Hosts'];
    expect(candidates.filter((name) => accepted(level, name)).sort()).toEqual(listed);
  });

  it('lets every environment key be a top-level default', () => {
    for (const name of Object.keys(environmentProperties)) expect(topProperties[name]).toEqual(environmentProperties[name]);
  });

  it('describes every key', () => {
    for (const properties of [topProperties, environmentProperties, hostProperties]) {
      for (const [name, property] of Object.entries(properties)) {
        const description = object(property).description;
        expect([name, typeof description === 'string' && description.length > 10]).toEqual([name, true]);
      }
    }
  });

  it('publishes the defaults the loader applies', () => {
    const config = load(yaml('environments:', '  production:', '    hosts: [local]', '    deploy_path: /srv/app'));
    const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const defaults = Object.entries(environmentProperties).filter(([, p]) => 'default' in object(p));
    expect(defaults.length).toBeGreaterThan(10);
    for (const [name, property] of defaults) {
      const actual: unknown = (config as unknown as Record<string, unknown>)[camel(name)];
      expect([name, actual]).toEqual([name, object(property).default]);
    }
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('gives each kind of value a JSON type', () => {
    expect(environmentProperties.keep_releases).toMatchObject({ type: 'integer', minimum: 1, default: 5 });
    expect(environmentProperties.writable_mode).toMatchObject({ type: 'string', enum: ['acl', 'chmod', 'chown', 'chgrp', 'skip'] });
    expect(environmentProperties.shared_dirs).toMatchObject({ type: 'array', items: { type: 'string' }, default: [] });
    expect(environmentProperties.env).toMatchObject({ type: 'object', default: {} });
    expect(environmentProperties.hosts).toMatchObject({ type: 'array', minItems: 1 });
    expect(hostProperties.port).toMatchObject({ type: 'integer', minimum: 1, maximum: 65535, default: 22 });
  });
});
