import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followFile, framed } from '../../src/artifact/follow.js';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

describe('following an archive while it is written', () => {
  test('reads everything written, including what comes after reading started, and stops when the writer is done', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'da-follow-')), 'a');
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const reading = collect(followFile(path, done, 4));
    await new Promise((r) => setTimeout(r, 20)); // the file does not exist yet
    writeFileSync(path, 'hello ');
    await new Promise((r) => setTimeout(r, 20));
    appendFileSync(path, 'world, written later');
    finish();
    expect((await reading).toString()).toBe('hello world, written later');
  });

  test('chunks grow from 64 KiB up to the chunk size and never exceed it; together they are the file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'da-follow-')), 'a');
    const content = Buffer.alloc(700 << 10, 7);
    writeFileSync(path, content);
    const chunks: Buffer[] = [];
    for await (const c of followFile(path, Promise.resolve(), 256 << 10)) chunks.push(Buffer.from(c));
    expect(chunks.map((c) => c.length)).toEqual([64 << 10, 128 << 10, 256 << 10, (700 - 64 - 128 - 256) << 10]);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  test('a failing writer fails the reader', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'da-follow-')), 'a');
    writeFileSync(path, 'partial');
    await expect(collect(followFile(path, Promise.reject(new Error('tar failed'))))).rejects.toThrow('tar failed');
  });

  test('framing: <length>\\n<bytes> per chunk, empty chunks skipped, 0\\n at the end', async () => {
    async function* chunks() {
      yield Buffer.from('abc');
      yield Buffer.alloc(0);
      yield Buffer.from('de');
    }
    expect((await collect(framed(chunks()))).toString()).toBe('3\nabc2\nde0\n');
  });
});
