import { ENVIRONMENT_KEYS } from '../../src/config/index.js';
import { toJsonSchema } from '../../src/config/index.js';
import type { JsonObject, JsonValue } from '../../src/config/kind.js';
import { load, problems, yaml } from './helpers.js';

const schema = toJsonSchema();

function object(value: JsonValue | undefined): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`not an object: ${JSON.stringify(value)}`);
  return value;
}

const topProperties = object(schema.properties);
const environmentSchema = object(object(schema.$defs).environment);
const environmentProperties = object(environmentSchema.properties);
const hostVariants = object(object(environmentProperties.hosts).items).oneOf as JsonValue[];
const hostProperties = object(object(hostVariants[1]).properties);
/** The mapping variant of a hook list's items. */
const hookMapping = (key: string) => object((object(object(environmentProperties[key]).items).oneOf as JsonValue[])[1]);
const deployHookProperties = object(hookMapping('deploy').properties);
const buildHookProperties = object(hookMapping('build').properties);
const activateHookProperties = object(hookMapping('activate').properties);
const healthcheckSchema = object(environmentProperties.healthcheck);
const healthcheckProperties = object(healthcheckSchema.properties);

const nested = [
  hostProperties,
  deployHookProperties,
  buildHookProperties,
  activateHookProperties,
  healthcheckProperties,
];
const allNames = [...new Set([topProperties, environmentProperties, ...nested].flatMap((p) => Object.keys(p)))];

type Level = 'top' | 'environment' | 'host' | 'deploy hook' | 'build hook' | 'activate hook' | 'healthcheck';

/** Whether the validator accepts `key` at a level (any problem about the value is fine, "unknown key" is not). */
function accepted(level: Level, name: string): boolean {
  const environment = (line: string) =>
    yaml('environments:', '  production:', '    hosts: [local]', '    deploy_path: /srv/app', `    ${line}`);
  const text =
    level === 'top'
      ? yaml(`${name}: ~`, 'environments: { production: { hosts: [local], deploy_path: /srv/app } }')
      : level === 'environment'
        ? environment(`${name}: ~`)
        : level === 'host'
          ? yaml(
              'environments:',
              '  production:',
              '    deploy_path: /srv/app',
              '    hosts:',
              `      - { host: local, ${name}: ~ }`,
            )
          : level === 'healthcheck'
            ? environment(`healthcheck: { ${name}: ~ }`)
            : environment(`${level.split(' ')[0]}: [{ ${name}: ~ }]`);
  let found: ReturnType<typeof problems>;
  try {
    found = problems(text);
  } catch {
    return true; // loaded without any problem
  }
  return !found.some(
    (p) => p.path.endsWith(name) && /^unknown key|only allowed at the top level|only meaningful for/.test(p.message),
  );
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
    ['deploy hook', () => deployHookProperties],
    ['build hook', () => buildHookProperties],
    ['activate hook', () => activateHookProperties],
    ['healthcheck', () => healthcheckProperties],
  ] as const)('lists exactly the keys the validator accepts at the %s level', (level, properties) => {
    const listed = Object.keys(properties()).sort();
    const candidates = [...allNames, ...allNames.map((n) => `${n}x`), 'x-defaults', 'extends', 'Hosts'];
    expect(candidates.filter((name) => accepted(level, name)).sort()).toEqual(listed);
  });

  it('lets every environment key be a top-level default', () => {
    for (const name of Object.keys(environmentProperties))
      expect(topProperties[name]).toEqual(environmentProperties[name]);
  });

  it('describes every key', () => {
    for (const properties of [topProperties, environmentProperties, ...nested]) {
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
      // Durations are milliseconds in the config (`hookTimeoutMs`) and written as `30m` in the schema.
      const key = ENVIRONMENT_KEYS[name as keyof typeof ENVIRONMENT_KEYS];
      const record = config as unknown as Record<string, unknown>;
      const actual: unknown =
        camel(name) in record ? record[camel(name)] : key.kind.toJson(record[`${camel(name)}Ms`] as never);
      expect([name, actual]).toEqual([name, object(property).default]);
    }
  });

  it('publishes the healthcheck defaults the loader applies', () => {
    const config = load(
      yaml(
        'environments:',
        '  production:',
        '    hosts: [local]',
        '    deploy_path: /srv/app',
        '    healthcheck: { url: "https://{host}/" }',
      ),
    );
    const defaults = (name: string) => object(healthcheckProperties[name]).default;
    expect(defaults('expect_status')).toBe(config.healthcheck?.expectStatus);
    expect(defaults('retries')).toBe(config.healthcheck?.retries);
    expect(defaults('timeout')).toBe('30s');
    expect(defaults('interval')).toBe('2s');
    expect(config.healthcheck).toMatchObject({ timeoutMs: 30_000, intervalMs: 2000 });
    // A written default reads back as the same value.
    const written = load(
      yaml(
        'environments:',
        '  production:',
        '    hosts: [local]',
        '    deploy_path: /srv/app',
        `    healthcheck: { url: "https://{host}/", timeout: ${String(defaults('timeout'))}, interval: ${String(defaults('interval'))} }`,
      ),
    );
    expect(written.healthcheck).toEqual(config.healthcheck);
    expect(object(deployHookProperties.once).default).toBe(false);
    expect(object(hostProperties.labels).default).toEqual([]);
  });

  it('describes hooks as strings or mappings with a required `run`', () => {
    for (const key of ['build', 'deploy', 'activate']) {
      const items = object(object(environmentProperties[key]).items);
      expect(items.oneOf).toEqual([
        { type: 'string', minLength: 1, pattern: '\\S' },
        expect.objectContaining({ type: 'object', additionalProperties: false, required: ['run'] }),
      ]);
    }
  });

  it('describes the healthcheck as exactly one of `url` and `command`, `expect_status` only with `url`', () => {
    expect(healthcheckSchema).toMatchObject({ type: 'object', additionalProperties: false });
    expect(healthcheckSchema).not.toHaveProperty('required');
    expect(healthcheckSchema.oneOf).toEqual([
      { required: ['url'], not: { required: ['command'] } },
      { required: ['command'], not: { anyOf: [{ required: ['url'] }, { required: ['expect_status'] }] } },
    ]);
    expect(healthcheckProperties.expect_status).toMatchObject({
      type: 'integer',
      minimum: 100,
      maximum: 599,
      default: 200,
    });
    expect(healthcheckProperties.retries).toMatchObject({ type: 'integer', minimum: 0, default: 5 });
    expect(healthcheckProperties.timeout).toMatchObject({
      oneOf: [
        { type: 'string', pattern: '^[0-9]+(ms|s|m|h)?$' },
        { type: 'integer', minimum: 1, maximum: 600 },
      ],
    });
    expect(healthcheckProperties.interval).toMatchObject({
      oneOf: [expect.anything(), { type: 'integer', minimum: 0, maximum: 600 }],
    });
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('gives each kind of value a JSON type', () => {
    expect(environmentProperties.keep_releases).toMatchObject({ type: 'integer', minimum: 1, default: 5 });
    expect(environmentProperties.writable_mode).toMatchObject({
      type: 'string',
      enum: ['acl', 'chmod', 'chown', 'chgrp', 'skip'],
    });
    expect(environmentProperties.shared_dirs).toMatchObject({ type: 'array', items: { type: 'string' }, default: [] });
    expect(environmentProperties.env).toMatchObject({ type: 'object', default: {} });
    expect(environmentProperties.hosts).toMatchObject({ type: 'array', minItems: 1 });
    // A port is an integer, or `${NAME}` (expanded from the step's environment).
    expect(hostProperties.port).toMatchObject({
      anyOf: [
        { type: 'integer', minimum: 1, maximum: 65535 },
        { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}' },
      ],
      default: 22,
    });
    expect(hostProperties.labels).toMatchObject({
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
      uniqueItems: true,
    });
    expect(environmentProperties.strategy).toMatchObject({
      type: 'string',
      enum: ['all-at-once', 'rolling'],
      default: 'all-at-once',
    });
    expect(environmentProperties.max_parallel).toMatchObject({ type: 'integer', minimum: 1, default: 10 });
    expect(environmentProperties.batch_size).toMatchObject({ type: 'integer', minimum: 1, default: 1 });
    expect(environmentProperties.activate).toMatchObject({ type: 'array', default: [] });
    expect(environmentProperties.healthcheck).not.toHaveProperty('default');
  });
});
