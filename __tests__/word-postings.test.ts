import fc from 'fast-check';
import { createFlexIndex, exportFlex, flexMapChunks } from '../src/format/flex';
import type { FlexMapEntry } from '../src/format/flex-index';
import { FlexShards, PackedWordPostings } from '../src/query/word-postings';

/**
 * The packed word postings that queries use must answer exactly what FlexSearch's own
 * search over the shard indexes answers: the same documents in the same order (shard by
 * shard, most prominent slot first), since ranking reads that order as its prior.
 */

function randomShards(seed: number): Array<{ terms: string[][] }> {
  let s = seed;
  const rand = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  const vocab = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `word${i}` : `词语${String.fromCharCode(0x4e00 + i)}`));
  return [40, 1, 75, 0, 33].map((docs) => ({
    terms: Array.from({ length: docs }, () => {
      const picked = new Set<string>();
      const n = rand(25);
      for (let i = 0; i < n; i++) picked.add(vocab[rand(vocab.length)]);
      return [...picked];
    }),
  }));
}

test('packed postings list the same documents, in the same order, as FlexSearch searching each shard', async () => {
  const shards = randomShards(11).map(({ terms }) => {
    const flex = createFlexIndex();
    terms.forEach((t, id) => {
      if (t.length) flex.add(id, t as unknown as string);
    });
    return { flex, size: terms.length };
  });
  const builder = PackedWordPostings.builder();
  const live: Array<{ flex: (typeof shards)[number]['flex']; offset: number; size: number }> = [];
  let offset = 0;
  for (const [k, shard] of shards.entries()) {
    for (const chunk of flexMapChunks(await exportFlex(shard.flex), `shard ${k}`))
      builder.addShardJson(chunk, offset, shard.size, `shard ${k}`);
    live.push({ flex: shard.flex, offset, size: shard.size });
    offset += shard.size;
  }
  const packed = builder.finish();
  const flex = new FlexShards(live);
  const all = new Set(randomShards(11).flatMap((s) => s.terms.flat()));
  expect(all.size).toBeGreaterThan(40);
  for (const term of all) {
    const got = Array.from(packed.lookup(term));
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(Array.from(flex.lookup(term)));
  }
  expect(Array.from(packed.lookup('absent'))).toEqual([]);
  expect(packed.size.postings).toBe(randomShards(11).reduce((n, s) => n + s.terms.reduce((m, t) => m + t.length, 0), 0));
});

test('reading a map chunk in place gives what parsing it would, whatever the terms', () => {
  const entry = fc.tuple(
    fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: fc.constantFrom('"', '\\', 'a', '中', '\n'), maxLength: 16 })),
    fc.array(fc.option(fc.array(fc.nat(49), { maxLength: 4 }), { nil: null }), { maxLength: 9 }),
  );
  fc.assert(
    fc.property(fc.uniqueArray(entry, { selector: (e) => e[0], maxLength: 12 }), fc.boolean(), (entries, spaced) => {
      const json = spaced ? JSON.stringify(entries, null, 1) : JSON.stringify(entries);
      const inPlace = PackedWordPostings.builder();
      inPlace.addShardJson(json, 100, 50, 'x');
      const parsed = PackedWordPostings.builder();
      parsed.addShard(JSON.parse(json) as FlexMapEntry[], 100, 50, 'x');
      const a = inPlace.finish();
      const b = parsed.finish();
      for (const [term] of entries) expect(Array.from(a.lookup(term))).toEqual(Array.from(b.lookup(term)));
      expect(a.size).toEqual(b.size);
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('a word index naming a document outside its shard, or cut short, is refused, naming the file', () => {
  const builder = PackedWordPostings.builder();
  expect(() => builder.addShard([['word', [[0, 7]]]], 0, 5, 'idx/shard-3.flex.gz')).toThrow(/idx\/shard-3\.flex\.gz.*document 7/);
  expect(() => builder.addShardJson('[["word",[[0,7]]]]', 0, 5, 'idx/shard-3.flex.gz')).toThrow(/idx\/shard-3\.flex\.gz.*document 7/);
  expect(() => builder.addShardJson('[["a",[[1,', 0, 5, 'idx/shard-4.flex.gz')).toThrow(/shard-4\.flex\.gz: malformed/);
  expect(() => builder.addShardJson('[["a",[[1,x]]]]', 0, 5, 'idx/shard-4.flex.gz')).toThrow(/shard-4\.flex\.gz: malformed/);
  expect(() => flexMapChunks('1.map', 'idx/shard-4.flex.gz')).toThrow(/shard-4\.flex\.gz: malformed/);
});
