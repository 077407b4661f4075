import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A module longer than a few screens has more than one concern: split it (ARCHITECTURE.md, "Where to add"). */
const MAX_LINES = 300;
/** Generated from src/remote/sh/*.sh by `npm run shell`. */
const GENERATED = new Set(['src/remote/sh/index.ts']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('module size', () => {
  test(`no file in src/ is over ${MAX_LINES} lines`, () => {
    const long = sources(join(ROOT, 'src'))
      .map((f) => ({ file: relative(ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => !GENERATED.has(f.file) && f.lines > MAX_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});
