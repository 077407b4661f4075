import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A deterministic pseudo-random generator (mulberry32), so every run generates the same app. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface AppShape {
  /** Small source-like files under vendor/ and app/. */
  files: number;
  /** Bytes of all small files together (roughly). */
  smallBytes: number;
  /** Sizes of large binary-ish assets under public/build/. */
  assets: number[];
}

/** Half-compressible text: words drawn from a small vocabulary plus random identifiers, like real code. */
function text(random: () => number, bytes: number): string {
  const words = [
    'function',
    'return',
    'class',
    'public',
    'static',
    '$this->',
    'array(',
    'namespace',
    'use',
    '=>',
    '{',
    '}',
    ';',
    'if',
    'else',
    'new',
  ];
  let out = '';
  while (out.length < bytes) {
    out += random() < 0.7 ? words[Math.floor(random() * words.length)] : Math.floor(random() * 1e9).toString(36);
    out += random() < 0.1 ? '\n' : ' ';
  }
  return out.slice(0, bytes);
}

/** Writes the app into `root` and returns its total size in bytes. */
export function generateApp(root: string, shape: AppShape, seed = 42): number {
  const random = rng(seed);
  let total = 0;
  const write = (path: string, body: string | Buffer) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), body);
    total += Buffer.byteLength(body);
  };
  const avg = Math.max(1, Math.floor(shape.smallBytes / shape.files));
  for (let i = 0; i < shape.files; i++) {
    const dir = i % 10 < 8 ? `vendor/pkg${i % 97}/src/sub${i % 13}` : `app/Module${i % 31}`;
    write(`${dir}/File${i}.php`, `<?php\n${text(random, Math.floor(avg * (0.5 + random())))}\n`);
  }
  shape.assets.forEach((size, i) => {
    const buf = Buffer.alloc(size);
    for (let j = 0; j < size; j += 4) buf.writeUInt32LE(Math.floor(random() * 4294967296), Math.min(j, size - 4));
    write(`public/build/asset${i}.bin`, buf);
  });
  write('storage/logs/.gitkeep', '');
  write('.env', 'APP_ENV=production\n');
  write('VERSION', 'v1\n');
  return total;
}
