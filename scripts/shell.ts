// npm run shell: writes src/remote/sh/index.ts from the shell files beside it (see shell-text.ts).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { shellModule } from './shell-text.js';

const dir = resolve(process.cwd(), 'src/remote/sh'); // npm runs scripts at the package root
writeFileSync(resolve(dir, 'index.ts'), shellModule(dir));
process.stdout.write(`wrote ${resolve(dir, 'index.ts')}\n`);
