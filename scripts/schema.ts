// npm run schema: writes deploy.schema.json at the repository root from the config's one key definition
// (src/config/schema.ts). A test fails when the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { schemaText } from '../src/config/jsonschema.js';

const target = resolve(process.cwd(), 'deploy.schema.json'); // npm runs scripts at the package root
writeFileSync(target, schemaText());
process.stdout.write(`wrote ${target}\n`);
