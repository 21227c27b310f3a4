import { bigramKey } from '../src/analysis/bigrams';
import { BigramCollector, BigramPostings } from '../src/format/bigram-postings';

function store(docs: Array<Record<string, number>>, firstDoc = 0): BigramPostings {
  const c = new BigramCollector();
  docs.forEach((counts, i) => c.add(firstDoc + i, new Map(Object.entries(counts).map(([k, v]) => [bigramKey(k), v]))));
  return c.finish();
}

const list = (s: BigramPostings, term: string) => {
  const l = s.lookup(bigramKey(term));
  return l ? { docs: [...l.docs], tfs: [...l.tfs] } : null;
};

describe('bigram posting store', () => {
  test('lists every document of a bigram in document order, with its frequency', () => {
    const s = store([{ 政府: 2, 经济: 1 }, { 经济: 3 }, { 政府: 1 }]);
    expect(list(s, '政府')).toEqual({ docs: [0, 2], tfs: [2, 1] });
    expect(list(s, '经济')).toEqual({ docs: [0, 1], tfs: [1, 3] });
    expect(list(s, '香港')).toBeNull();
  });

  test('every list matches a brute-force index of random documents, alone and merged from two or five shards', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const chars = '中国经济发展香港政府人民城市交通地铁';
    const docs = Array.from({ length: 300 }, () => {
      const counts: Record<string, number> = {};
      for (let i = 0; i < 1 + rand(12); i++) {
        const t = chars[rand(chars.length)] + chars[rand(chars.length)];
        counts[t] = (counts[t] ?? 0) + 1 + rand(3);
      }
      return counts;
    });
    const whole = store(docs);
    const merged = BigramPostings.merge([store(docs.slice(0, 120)), store(docs.slice(120))], [0, 120], 300);
    // An odd number of parts of uneven sizes, one of a single document.
    const cuts = [0, 50, 120, 121, 200, 300];
    const starts = cuts.slice(0, -1);
    const fiveWay = BigramPostings.merge(
      starts.map((a, k) => store(docs.slice(a, cuts[k + 1]))),
      starts,
      300,
    );
    for (const a of chars) {
      for (const b of chars) {
        const t = a + b;
        const expected = docs.flatMap((d, i) => (d[t] ? [i] : []));
        const tfs = expected.map((i) => docs[i][t]);
        const want = expected.length > 0 ? { docs: expected, tfs } : null;
        expect(list(whole, t)).toEqual(want);
        expect(list(merged, t)).toEqual(want);
        expect(list(fiveWay, t)).toEqual(want);
      }
    }
  });

  test('frequencies are capped at 255, not wrapped', () => {
    expect(list(store([{ 政府: 1000 }]), '政府')?.tfs).toEqual([255]);
  });

  test('merging shards offsets document numbers and keeps lists sorted', () => {
    const a = store([{ 政府: 1 }, { 经济: 2 }]);
    const b = store([{ 政府: 5 }]);
    const m = BigramPostings.merge([a, b], [0, 2], 3);
    expect(list(m, '政府')).toEqual({ docs: [0, 2], tfs: [1, 5] });
    expect(list(m, '经济')).toEqual({ docs: [1], tfs: [2] });
  });

  test('indexes with 65,536 or more documents use 32-bit document numbers', () => {
    const small = BigramPostings.merge([store([{ 政府: 1 }]), store([{ 政府: 1 }])], [0, 65534], 65535);
    expect(small.docs.BYTES_PER_ELEMENT).toBe(2);
    const big = BigramPostings.merge([store([{ 政府: 1 }]), store([{ 政府: 1 }])], [0, 70000], 70001);
    expect(big.docs.BYTES_PER_ELEMENT).toBe(4);
  });
});
