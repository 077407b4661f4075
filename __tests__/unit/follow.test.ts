import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { archiveReader, followFile, framed, joinSmall } from '../../src/artifact/follow.js';
import { tempDir } from '../support/temp-dirs.js';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

describe('following an archive while it is written', () => {
  test('reads everything written, including what comes after reading started, and stops when the writer is done', async () => {
    const path = join(tempDir('da-follow-'), 'a');
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
    const path = join(tempDir('da-follow-'), 'a');
    const content = Buffer.alloc(700 << 10, 7);
    writeFileSync(path, content);
    const chunks: Buffer[] = [];
    for await (const c of followFile(path, Promise.resolve(), 256 << 10)) chunks.push(Buffer.from(c));
    expect(chunks.map((c) => c.length)).toEqual([64 << 10, 128 << 10, 256 << 10, (700 - 64 - 128 - 256) << 10]);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  test('a failing writer fails the reader', async () => {
    const path = join(tempDir('da-follow-'), 'a');
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

  test("a small build's payload goes as one piece (one SSH packet); a large chunk goes as it is, never copied", async () => {
    const pieces = async (gen: AsyncIterable<Buffer>) => {
      const out: Buffer[] = [];
      for await (const piece of gen) out.push(piece);
      return out;
    };
    async function* payload(archive: Buffer[]) {
      yield* framed(archive);
      yield* framed([Buffer.from('manifest')]);
    }
    const small = await pieces(joinSmall(payload([Buffer.from('abc'), Buffer.from('de')]), 64));
    expect(small.map(String)).toEqual(['3\nabc2\nde0\n8\nmanifest0\n']);
    const big = Buffer.alloc(100, 1);
    const mixed = await pieces(joinSmall(payload([Buffer.from('abc'), big, Buffer.from('z')]), 64));
    expect(mixed.map((p) => (p === big ? 'BIG' : String(p)))).toEqual(['3\nabc100\n', 'BIG', '1\nz0\n8\nmanifest0\n']);
    // Held pieces never grow past the bound: they go before a piece that would take them over it.
    const many = await pieces(joinSmall(payload(Array.from({ length: 20 }, () => Buffer.alloc(10, 2))), 64));
    expect(
      Buffer.concat(many).equals(
        Buffer.concat(await pieces(payload(Array.from({ length: 20 }, () => Buffer.alloc(10, 2))))),
      ),
    ).toBe(true);
    expect(Math.max(...many.map((p) => p.length))).toBeLessThanOrEqual(64);
  });
});

describe('one archive for a fleet', () => {
  test('once the archive is whole and small, every host gets the same bytes from one read, in whole chunks', async () => {
    const path = join(tempDir('da-follow-'), 'a');
    const content = Buffer.alloc(700 << 10, 7);
    writeFileSync(path, content);
    const done = Promise.resolve({ bytes: content.length });
    const reader = archiveReader(path, done, 1 << 20, 512 << 10);
    await done;
    const hosts = await Promise.all(
      [1, 2, 3].map(async () => {
        const chunks: Buffer[] = [];
        for await (const c of reader()) chunks.push(c);
        return chunks;
      }),
    );
    for (const chunks of hosts) {
      expect(chunks.map((c) => c.length)).toEqual([512 << 10, 188 << 10]);
      expect(Buffer.concat(chunks).equals(content)).toBe(true);
    }
    // One read: every host's chunk is a view of the same bytes (followFile reads into a buffer of its own per host).
    expect(hosts[1]![0]!.buffer).toBe(hosts[0]![0]!.buffer);
    expect(hosts[2]![1]!.buffer).toBe(hosts[0]![1]!.buffer);
  });

  test('a reader started while the archive is written, or a large archive, follows the file', async () => {
    const path = join(tempDir('da-follow-'), 'a');
    let finish!: (a: { bytes: number }) => void;
    const done = new Promise<{ bytes: number }>((r) => (finish = r));
    const early = archiveReader(path, done, 1 << 20);
    const reading = collect(early());
    writeFileSync(path, 'written while read');
    finish({ bytes: 18 });
    expect((await reading).toString()).toBe('written while read');
    const big = archiveReader(path, Promise.resolve({ bytes: 18 }), 4);
    await Promise.resolve();
    const [a, b] = [[] as Buffer[], [] as Buffer[]];
    for await (const c of big()) a.push(c);
    for await (const c of big()) b.push(c);
    expect(Buffer.concat(a).toString()).toBe('written while read');
    expect(a[0]!.buffer).not.toBe(b[0]!.buffer);
  });
});
