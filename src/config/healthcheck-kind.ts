/** The `healthcheck:` mapping: a URL requested from the runner or a command run on the host, with retry settings. */
import type { JsonObject, KeySpec, KeySpecs, Kind } from './kind.js';
import { objectSchema } from './kind.js';
import { text, urlProblem } from './kinds.js';
import { readMapping } from './mapping.js';
import type { HealthcheckConfig } from './types.js';

/** The placeholder in a healthcheck URL replaced by each host's host name. */
export const HOST_PLACEHOLDER = '{host}';

/** The keys of `healthcheck:`; those with a default are always in the result. */
export interface HealthcheckKeys extends KeySpecs {
  url: KeySpec<string>;
  command: KeySpec<string>;
  expect_status: KeySpec<number> & { default: number };
  timeout: KeySpec<number> & { default: number };
  retries: KeySpec<number> & { default: number };
  interval: KeySpec<number> & { default: number };
}

/** An http(s) URL that may contain `{host}` (checked with `{host}` replaced by `example.com`). */
export const healthcheckUrl: Kind<string> = text({
  label: 'http(s) URL, `{host}` allowed',
  check: (v) => {
    const other = /\{[^}]*\}/.exec(v.replaceAll(HOST_PLACEHOLDER, ''));
    if (other)
      return `unknown placeholder \`${other[0]}\`: only \`${HOST_PLACEHOLDER}\` is replaced (by each host's host name)`;
    return urlProblem(v.replaceAll(HOST_PLACEHOLDER, 'example.com')) === undefined
      ? undefined
      : `must be an http:// or https:// URL, \`${HOST_PLACEHOLDER}\` allowed (got ${JSON.stringify(v)})`;
  },
  schema: { pattern: '^https?://' },
});

export function healthcheck(keys: HealthcheckKeys): Kind<HealthcheckConfig> {
  const schema: JsonObject = {
    ...objectSchema(keys),
    oneOf: [
      { required: ['url'], not: { required: ['command'] } },
      { required: ['command'], not: { anyOf: [{ required: ['url'] }, { required: ['expect_status'] }] } },
    ],
  };
  return {
    label: 'mapping with `url` or `command`',
    jsonSchema: schema,
    read(node, at) {
      const mapping = readMapping(node, at, keys);
      if (!mapping) return undefined;
      const written = mapping.keys;
      const where = at.keyPosition ?? mapping.position;
      if (written.url && written.command) {
        return at.problemAt(
          where,
          'takes either `url` (requested from the runner) or `command` (run on the host), not both',
        );
      }
      if (!written.url && !written.command) {
        return at.problemAt(where, 'needs `url` (requested from the runner) or `command` (run on the host)');
      }
      if (written.command && written.expect_status) {
        return at
          .child('expect_status')
          .problemAt(
            written.expect_status,
            '`expect_status` is only meaningful with `url`; a `command` passes when it exits 0',
          );
      }
      const { values } = mapping;
      // A written key without a value was bad (and reported): give no config rather than one with a default.
      if (Object.keys(written).some((k) => values[k] === undefined)) return undefined;
      return {
        ...(values.url === undefined ? {} : { url: values.url }),
        ...(values.command === undefined ? {} : { command: values.command }),
        expectStatus: values.expect_status ?? keys.expect_status.default,
        timeoutMs: values.timeout ?? keys.timeout.default,
        retries: values.retries ?? keys.retries.default,
        intervalMs: values.interval ?? keys.interval.default,
        position: where,
      };
    },
    toJson(check) {
      const out: JsonObject =
        check.url === undefined
          ? { command: check.command ?? '' }
          : { url: check.url, expect_status: check.expectStatus };
      return {
        ...out,
        timeout: keys.timeout.kind.toJson(check.timeoutMs),
        retries: check.retries,
        interval: keys.interval.kind.toJson(check.intervalMs),
      };
    },
  };
}
