import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bigramKey } from '../src/analysis/bigrams';
import { BigramCollector, BigramPostings } from '../src/format/bigram-postings';
import { BigramFile, encodeBigramFile, encodeBigramPieces, type BigramPiece } from '../src/segment/bigram-file';
import { tempDir } from './helpers/corpus';

/**
 * An incremental build writes the bigram files from the previous file's byte ranges and
 * the rebuilt shards' stores; the bytes must be those of a full build's merge.
 */

const CHARS = '中国经济发展香港政府人民城市交通地铁';

function randomDocs(n: number, seed: number, chars = CHARS): Array<Map<number, number>> {
  let s = seed;
  const rand = (m: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % m;
  };
  return Array.from({ length: n }, () => {
    const counts = new Map<number, number>();
    // Some documents have no bigram at all.
    const terms = rand(10) === 0 ? 0 : 1 + rand(12);
    for (let i = 0; i < terms; i++) {
      const key = bigramKey(chars[rand(chars.length)] + chars[rand(chars.length)]);
      counts.set(key, (counts.get(key) ?? 0) + 1 + rand(300));
    }
    return counts;
  });
}

function store(docs: ReadonlyArray<Map<number, number>>): BigramPostings {
  const c = new BigramCollector();
  docs.forEach((counts, i) => c.add(i, counts));
  return c.finish();
}

/** Shard sizes → first document of each shard. */
const startsOf = (sizes: readonly number[]): number[] => sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));

describe('bigram file splicing', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  function fileOf(name: string, s: BigramPostings): BigramFile {
    const path = join(dir.dir, name);
    writeFileSync(path, encodeBigramFile(s));
    return BigramFile.open(path);
  }

  test.each([
    ['short lists', CHARS, 1],
    ['long lists', '中国', 8],
  ])('kept shards copied from the old file plus rebuilt ones give the bytes of a full merge (%s)', (_, chars, scale) => {
    // Old index: six shards (one empty); shards 1 and 4 are removed, 2 is rebuilt, and two new ones appear.
    const oldSizes = [40, 25, 30, 0, 50, 35].map((n) => n * scale);
    const docs = randomDocs(oldSizes.reduce((a, b) => a + b, 0), 11, chars);
    const oldStarts = startsOf(oldSizes);
    const shardDocs = oldSizes.map((n, k) => docs.slice(oldStarts[k], oldStarts[k] + n));
    const old = fileOf(`old-${scale}.bin`, store(docs));
    const rebuilt = randomDocs(28 * scale, 12, chars);
    const fresh1 = randomDocs(17 * scale, 13, chars);
    const fresh2 = randomDocs(1, 14, chars);
    // New shard order: old 0, rebuilt 2, fresh1, old 3 (empty), old 5, fresh2.
    const newShards: Array<{ old: number } | { docs: Array<Map<number, number>> }> = [
      { old: 0 },
      { docs: rebuilt },
      { docs: fresh1 },
      { old: 3 },
      { old: 5 },
      { docs: fresh2 },
    ];
    const sizes = newShards.map((s) => ('old' in s ? oldSizes[s.old] : s.docs.length));
    const starts = startsOf(sizes);
    const total = sizes.reduce((a, b) => a + b, 0);
    const parts = newShards.map((s) => store('old' in s ? shardDocs[s.old] : s.docs));
    const expected = encodeBigramFile(BigramPostings.merge(parts, starts, total));
    const pieces: BigramPiece[] = newShards.map((s, k) =>
      'old' in s
        ? { kind: 'file', file: old, from: oldStarts[s.old], to: oldStarts[s.old] + oldSizes[s.old], shift: starts[k] - oldStarts[s.old] }
        : { kind: 'store', store: parts[k], shift: starts[k] },
    );
    expect(encodeBigramPieces(pieces, total).equals(expected)).toBe(true);
    old.close();
  });

  test('a full build from stores alone, and a growth past 65,535 documents, match the merge too', () => {
    const a = store(randomDocs(60, 21));
    const b = store(randomDocs(45, 22));
    expect(encodeBigramPieces([{ kind: 'store', store: a, shift: 0 }, { kind: 'store', store: b, shift: 60 }], 105).equals(
      encodeBigramFile(BigramPostings.merge([a, b], [0, 60], 105)),
    )).toBe(true);
    // The old file has 16-bit document numbers; shifted past 65,535 they need 32 bits.
    const old = fileOf('small.bin', a);
    const wide = encodeBigramPieces(
      [
        { kind: 'store', store: b, shift: 0 },
        { kind: 'file', file: old, from: 0, to: 60, shift: 70_000 },
      ],
      70_060,
    );
    expect(wide.equals(encodeBigramFile(BigramPostings.merge([b, a], [0, 70_000], 70_060)))).toBe(true);
    expect(wide.readUInt32LE(16)).toBe(4);
    old.close();
  });

  test('an index left with no document writes an empty store', () => {
    const old = fileOf('gone.bin', store(randomDocs(10, 31)));
    const out = encodeBigramPieces([], 0);
    expect(out.equals(encodeBigramFile(BigramPostings.merge([store([])], [0], 0)))).toBe(true);
    old.close();
  });
});
