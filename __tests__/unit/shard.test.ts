import { parseShard, shardHosts } from '../../src/fleet/shard.js';

describe('shard K/N', () => {
  test('N contiguous slices in config order, sizes within one of each other, every host in exactly one', () => {
    const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7'];
    const slices = [1, 2, 3].map((index) => shardHosts(hosts, { index, count: 3 }));
    expect(slices).toEqual([
      ['h1', 'h2', 'h3'],
      ['h4', 'h5'],
      ['h6', 'h7'],
    ]);
    expect(slices.flat()).toEqual(hosts);
    expect(shardHosts(['a'], { index: 2, count: 2 })).toEqual([]);
  });

  test('parse: K/N with 1 ≤ K ≤ N, else a message naming the input', () => {
    expect(parseShard('2/8', 'input shard')).toEqual({ index: 2, count: 8 });
    expect(parseShard('', 'input shard')).toBeUndefined();
    for (const bad of ['0/2', '3/2', '2', 'a/b', '1/0'])
      expect(() => parseShard(bad, 'input shard')).toThrow(`input shard: "${bad}" is not a shard`);
  });
});
