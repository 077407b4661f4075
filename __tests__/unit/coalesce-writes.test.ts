import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { coalesceWrites } from '../../src/coalesce-writes.js';

/** A stream that records each system-call-sized write it is asked to make. */
function recorder(): { stream: Writable; calls: string[][] } {
  const calls: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      calls.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      done();
    },
  });
  return { stream, calls };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('coalesceWrites', () => {
  test('a burst of writes within one tick leaves as one write, in order', async () => {
    const { stream, calls } = recorder();
    coalesceWrites(stream);
    for (const line of ['▶ lock\n', '✓ lock (2 ms)\n', '▶ inspect\n']) stream.write(line);
    expect(calls).toEqual([]);
    await tick();
    expect(calls).toEqual([['▶ lock\n✓ lock (2 ms)\n▶ inspect\n']]);
  });

  test('text joined while held keeps its place among writes it cannot join (bytes, a callback)', async () => {
    const { stream, calls } = recorder();
    coalesceWrites(stream);
    let done = false;
    stream.write('one\n');
    stream.write('two\n');
    stream.write(Buffer.from('bytes\n'));
    stream.write('three\n', () => {
      done = true;
    });
    stream.write('four\n');
    await tick();
    expect(calls).toEqual([['one\ntwo\n', 'bytes\n', 'three\n', 'four\n']]);
    expect(done).toBe(true);
  });

  test('with turn, the writes of several ticks in one turn of the event loop leave as one write', async () => {
    const { stream, calls } = recorder();
    coalesceWrites(stream, { turn: true });
    stream.write('web1: ▶ lock\n');
    await Promise.resolve();
    process.nextTick(() => stream.write('web2: ▶ lock\n'));
    await new Promise((r) => process.nextTick(r));
    expect(calls).toEqual([]);
    await tick();
    expect(calls).toEqual([['web1: ▶ lock\nweb2: ▶ lock\n']]);
  });

  test('with gapMs, writes that keep coming leave at most once per gap; a write after a quiet spell is not held', async () => {
    const { stream, calls } = recorder();
    coalesceWrites(stream, { turn: true, gapMs: 60 });
    stream.write('web1: ▶ lock\n');
    await tick();
    expect(calls).toEqual([['web1: ▶ lock\n']]);
    // Lines in the next turns, within the gap: held together until it has passed.
    stream.write('web2: ▶ lock\n');
    await tick();
    stream.write('web3: ▶ lock\n');
    await tick();
    expect(calls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(calls).toEqual([['web1: ▶ lock\n'], ['web2: ▶ lock\nweb3: ▶ lock\n']]);
    // After a quiet spell longer than the gap, a line leaves at the turn's end.
    await new Promise((r) => setTimeout(r, 80));
    stream.write('web1: ✓ lock\n');
    await tick();
    expect(calls).toHaveLength(3);
  });

  test('writes in different ticks leave separately, without waiting for more', async () => {
    const { stream, calls } = recorder();
    coalesceWrites(stream);
    stream.write('one\n');
    await tick();
    stream.write('two\n');
    await tick();
    expect(calls.flat()).toEqual(['one\n', 'two\n']);
    expect(calls).toHaveLength(2);
  });

  test('a write to a stream ordered after it first releases what is held: lines keep their order across streams', async () => {
    const log: string[] = [];
    const sink = (name: string) =>
      new Writable({
        write(chunk: Buffer, _enc, done) {
          log.push(`${name}:${chunk.toString()}`);
          done();
        },
      });
    const out = sink('out');
    const err = sink('err');
    coalesceWrites(out, { orderedBefore: [err] });
    out.write('▶ migrate\n');
    err.write('warning: slow\n');
    out.write('✓ migrate\n');
    await tick();
    expect(log).toEqual(['out:▶ migrate\n', 'err:warning: slow\n', 'out:✓ migrate\n']);
  });

  test.each([
    ['process.exit() in the same tick', 'process.exit(3)', 3],
    ['an uncaught exception', "throw new Error('boom')", 1],
    ['a later exit listener', "process.on('exit', () => process.stdout.write('line 99\\n')); process.exit(4)", 4],
  ])('with flushOnExit, lines written just before %s are not lost', (_what, end, code) => {
    // The function is self-contained: its compiled source runs as is in a child whose stdout is a pipe.
    const script = `const coalesceWrites = ${coalesceWrites.toString()};
coalesceWrites(process.stdout, { flushOnExit: true });
for (let i = 0; i < ${end.includes('line 99') ? 99 : 100}; i++) process.stdout.write('line ' + i + '\\n');
${end};`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(code);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(Array.from({ length: 100 }, (_, i) => `line ${i}`));
  });

  test('with gapMs, lines held for the gap when the process runs out of work are written as it exits', () => {
    const script = `const coalesceWrites = ${coalesceWrites.toString()};
coalesceWrites(process.stdout, { flushOnExit: true, turn: true, gapMs: 5000 });
process.stdout.write('first\\n');
setImmediate(() => setImmediate(() => process.stdout.write('held for the gap\\n')));`;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('first\nheld for the gap\n');
    // The gap's timer does not keep the process up.
    expect(Date.now() - t0).toBeLessThan(4000);
  });
});
