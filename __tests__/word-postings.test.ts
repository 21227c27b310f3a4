import { createFlexIndex, exportFlex, flexMapEntries } from '../src/indexer/flex';
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
    builder.addShard(flexMapEntries(await exportFlex(shard.flex), `shard ${k}`), offset, shard.size, `shard ${k}`);
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

test('a word index naming a document outside its shard is refused, naming the file', () => {
  const builder = PackedWordPostings.builder();
  expect(() => builder.addShard([['word', [[0, 7]]]], 0, 5, 'idx/shard-3.flex.gz')).toThrow(/idx\/shard-3\.flex\.gz.*document 7/);
  expect(() => flexMapEntries('1.map\t[["a",', 'idx/shard-4.flex.gz')).toThrow(/shard-4\.flex\.gz: malformed/);
});
