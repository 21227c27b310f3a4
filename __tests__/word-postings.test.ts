import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFlexIndex, exportFlex, flexMapChunks } from '../src/format/flex';
import type { FlexMapEntry } from '../src/format/flex-index';
import { compareKeys, WordPostings, WordPostingsBuilder, wordsFromExport } from '../src/format/word-postings';
import { FlexShards } from '../src/query/word-postings';
import { encodeWordFile, WordFile } from '../src/segment/word-file';

/**
 * The word postings that queries use (merged from the shards' FlexSearch exports, written
 * to a file, read back by position) must answer exactly what FlexSearch's own search over
 * the shard indexes answers: the same documents in the same order (shard by shard, most
 * prominent slot first), since ranking reads that order as its prior.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zhsearch-words-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write `bytes` as a word file and open it. */
function fileOf(bytes: Buffer, name = 'words.bin'): WordFile {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return WordFile.open(path);
}

/**
 * Terms whose UTF-16 order differs from their code-point order (supplementary-plane
 * characters against U+E000–U+FFFF), so the file's byte order is exercised.
 */
const EXOTIC = ['𠀀𠀁字', '\uff71\uff72\uff73', '\ue000词语', '词语\ud87e\udc00', '词语\uffe5', 'ａｂｃ'];

function randomShards(seed: number): Array<{ terms: string[][] }> {
  let s = seed;
  const rand = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  const vocab = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? `word${i}` : `词语${String.fromCharCode(0x4e00 + i)}`)).concat(EXOTIC);
  return [40, 1, 75, 0, 33].map((docs) => ({
    terms: Array.from({ length: docs }, () => {
      const picked = new Set<string>();
      const n = rand(25);
      for (let i = 0; i < n; i++) picked.add(vocab[rand(vocab.length)]);
      return [...picked];
    }),
  }));
}

test('the word file lists the same documents, in the same order, as FlexSearch searching each shard', async () => {
  const shards = randomShards(11).map(({ terms }) => {
    const flex = createFlexIndex();
    terms.forEach((t, id) => {
      if (t.length) flex.add(id, t as unknown as string);
    });
    return { flex, size: terms.length };
  });
  const parts: WordPostings[] = [];
  const live: Array<{ flex: (typeof shards)[number]['flex']; offset: number; size: number }> = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const [k, shard] of shards.entries()) {
    parts.push(wordsFromExport(await exportFlex(shard.flex), shard.size, `shard ${k}`));
    live.push({ flex: shard.flex, offset, size: shard.size });
    offsets.push(offset);
    offset += shard.size;
  }
  const merged = WordPostings.merge(parts, offsets, offset);
  const file = fileOf(encodeWordFile(merged));
  const flex = new FlexShards(live);
  const all = new Set(randomShards(11).flatMap((s) => s.terms.flat()));
  expect(all.size).toBeGreaterThan(40);
  for (const term of EXOTIC) expect(all).toContain(term);
  for (const term of all) {
    const want = Array.from(flex.lookup(term));
    expect(want.length).toBeGreaterThan(0);
    expect(Array.from(merged.lookup(term))).toEqual(want);
    expect(Array.from(file.lookup(term))).toEqual(want);
    expect(Array.from(file.lookup(term))).toEqual(want); // from its cache
  }
  for (const absent of ['absent', '', '词', '词语', 'word', '\uffff', '𠀀']) expect(Array.from(file.lookup(absent))).toEqual([]);
  const postings = randomShards(11).reduce((n, s) => n + s.terms.reduce((m, t) => m + t.length, 0), 0);
  expect(file.size).toEqual({ terms: all.size, postings });
  // An incremental build cuts the merged postings back into the shards' parts.
  const again = file.readAll().split(shards.map((s) => s.size));
  expect(again.map((p) => [p.keys, Array.from(p.offsets), Array.from(p.docs)])).toEqual(
    parts.map((p) => [p.keys, Array.from(p.offsets), Array.from(p.docs)]),
  );
  file.close();
});

test('an empty store makes a valid file with no terms', () => {
  const file = fileOf(encodeWordFile(WordPostings.merge([new WordPostingsBuilder(0, 'x').finish()], [0], 0)), 'empty.bin');
  expect(file.size).toEqual({ terms: 0, postings: 0 });
  expect(Array.from(file.lookup('word'))).toEqual([]);
  file.close();
});

test('documents numbered past 65,535 are stored whole', () => {
  const a = new WordPostingsBuilder(70_000, 'a');
  a.addEntries([['big', [[69_999, 3], null, [65_536]]]]);
  const b = new WordPostingsBuilder(2, 'b');
  b.addEntries([['big', [[1]]]]);
  const file = fileOf(encodeWordFile(WordPostings.merge([a.finish(), b.finish()], [0, 70_000], 70_002)), 'wide.bin');
  expect(Array.from(file.lookup('big'))).toEqual([69_999, 3, 65_536, 70_001]);
  file.close();
});

test('term order is code-point order, which is the byte order of UTF-8', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 5 }), fc.string({ unit: 'binary', maxLength: 5 }), (a, b) => {
      expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
    }),
    { numRuns: 2000, seed: 7 },
  );
});

test('reading a map chunk in place gives what parsing it would, whatever the terms', () => {
  const entry = fc.tuple(
    fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: fc.constantFrom('"', '\\', 'a', '中', '\n'), maxLength: 16 })),
    fc.array(fc.option(fc.array(fc.nat(49), { maxLength: 4 }), { nil: null }), { maxLength: 9 }),
  );
  fc.assert(
    fc.property(fc.uniqueArray(entry, { selector: (e) => e[0], maxLength: 12 }), fc.boolean(), (entries, spaced) => {
      const json = spaced ? JSON.stringify(entries, null, 1) : JSON.stringify(entries);
      const inPlace = new WordPostingsBuilder(50, 'x');
      inPlace.addJson(json);
      const parsed = new WordPostingsBuilder(50, 'x');
      parsed.addEntries(JSON.parse(json) as FlexMapEntry[]);
      const a = inPlace.finish();
      const b = parsed.finish();
      expect(a.keys).toEqual(b.keys);
      for (const [term, slots] of entries) {
        const want = slots.flatMap((s) => s ?? []);
        expect(Array.from(a.lookup(term))).toEqual(want);
        expect(Array.from(b.lookup(term))).toEqual(want);
      }
      expect(a.size).toEqual(b.size);
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('a word index naming a document outside its shard, or cut short, is refused, naming the file', () => {
  const builder = (): WordPostingsBuilder => new WordPostingsBuilder(5, 'idx/shard-3.flex.gz');
  expect(() => builder().addEntries([['word', [[0, 7]]]])).toThrow(/idx\/shard-3\.flex\.gz.*document 7/);
  expect(() => builder().addJson('[["word",[[0,7]]]]')).toThrow(/idx\/shard-3\.flex\.gz.*document 7/);
  expect(() => builder().addJson('[["a",[[1,')).toThrow(/shard-3\.flex\.gz: malformed/);
  expect(() => builder().addJson('[["a",[[1,x]]]]')).toThrow(/shard-3\.flex\.gz: malformed/);
  expect(() => flexMapChunks('1.map', 'idx/shard-4.flex.gz')).toThrow(/shard-4\.flex\.gz: malformed/);
});

test('a damaged word file is refused, naming the file', () => {
  const b = new WordPostingsBuilder(3, 'x');
  b.addEntries([
    ['alpha', [[0, 2]]],
    ['beta', [[1]]],
  ]);
  const good = encodeWordFile(b.finish());
  const path = (name: string): string => join(dir, name);
  const open = (name: string, bytes: Buffer): (() => WordFile) => {
    writeFileSync(path(name), bytes);
    return () => WordFile.open(path(name));
  };
  expect(open('short.bin', good.subarray(0, 20))).toThrow(/short\.bin is damaged: 20 bytes, shorter than its header/);
  expect(open('cut.bin', good.subarray(0, good.length - 1))).toThrow(/cut\.bin is damaged: .*truncated/);
  const magic = Buffer.from(good);
  magic.write('ZHBP', 0, 'latin1');
  expect(open('magic.bin', magic)).toThrow(/magic\.bin is damaged: not a word posting file/);
  const order = Buffer.from(good);
  order.writeUInt32LE(99, 32 + 4); // the first term's end past the second's
  expect(open('order.bin', order)).toThrow(/order\.bin is damaged: dictionary out of order at entry 1/);
  expect(() => WordFile.open(path('missing.bin'))).toThrow(/missing\.bin cannot be opened/);
});
