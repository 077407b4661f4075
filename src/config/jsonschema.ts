/** deploy.yml's JSON Schema (draft 2020-12), generated from the same key specs the validator uses. */
import { objectSchema, type JsonObject } from './kind.js';
import { ENVIRONMENT_KEYS, TOP_LEVEL_KEYS, TOP_LEVEL_ONLY_KEYS } from './schema.js';

export function toJsonSchema(): JsonObject {
  // `hosts` is required per environment, but may be inherited from the top level: the validator checks it.
  const environment = objectSchema(ENVIRONMENT_KEYS, {});
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'deploy-action configuration (deploy.yml)',
    description:
      "Every environment key may also be written at the top level as a default for all environments; an environment's own value replaces it.",
    ...objectSchema(TOP_LEVEL_KEYS, TOP_LEVEL_ONLY_KEYS),
    $defs: {
      environment: {
        description: 'Settings of one environment.',
        ...environment,
      },
    },
  };
}

/** The text of the published deploy.schema.json (`npm run schema`): two-space JSON and a final newline. */
export function schemaText(): string {
  return `${JSON.stringify(toJsonSchema(), null, 2)}\n`;
}
