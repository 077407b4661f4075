// ssh2's bundled poly1305 (emscripten) reads the CommonJS globals __dirname/__filename, which do not exist in an
// ES module. ncc inlines it into dist/index.js, so define them before anything else loads (ncc issue 749).
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';

const g = globalThis as { __filename?: string; __dirname?: string };
g.__filename ??= fileURLToPath(import.meta.url);
g.__dirname ??= dirname(g.__filename);
