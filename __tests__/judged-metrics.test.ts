import { dcg, mean, ndcgAt, pairedPermutationTest, precisionAt, unjudgedAt } from '../scripts/judged/metrics';

const j = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));
const LOG2_3 = Math.log2(3);

describe('judged evaluation metrics', () => {
  test('DCG uses linear gains and a log2(rank + 1) discount', () => {
    expect(dcg([2, 1, 0])).toBeCloseTo(2 + 1 / LOG2_3, 10);
    expect(dcg([0, 0, 2])).toBeCloseTo(2 / 2, 10);
    expect(dcg([])).toBe(0);
  });

  test('nDCG@10 takes its ideal from every judged post, returned or not', () => {
    // Ideal: 2, 2, 1 (d is relevant but was not returned); run: a=1, b=2, c=0.
    const ideal = 2 + 2 / LOG2_3 + 1 / 2;
    const got = 1 + 2 / LOG2_3;
    expect(ndcgAt(['a', 'b', 'c'], j({ a: 1, b: 2, c: 0, d: 2 }))).toBeCloseTo(got / ideal, 10);
    expect(ndcgAt(['d', 'b', 'a'], j({ a: 1, b: 2, c: 0, d: 2 }))).toBeCloseTo(1, 10);
  });

  test('unjudged posts count as not relevant and are listed', () => {
    expect(ndcgAt(['x', 'a'], j({ a: 2 }))).toBeCloseTo(1 / LOG2_3, 10);
    expect(unjudgedAt(['x', 'a', 'y'], j({ a: 2 }))).toEqual(['x', 'y']);
  });

  test('nDCG is undefined (null) for a query with no relevant judged post', () => {
    expect(ndcgAt(['a'], j({ a: 0, b: 0 }))).toBeNull();
    expect(ndcgAt(['a'], j({}))).toBeNull();
  });

  test('only the first k ranks count', () => {
    const ranked = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'r'];
    expect(ndcgAt(ranked, j({ r: 2 }), 10)).toBe(0);
    expect(precisionAt(['r', 'n1', 'n2', 'n3', 'n4', 'r2'], j({ r: 1, r2: 2 }), 5)).toBeCloseTo(0.2, 10);
  });

  test('P@5 counts grade >= 1 and treats missing ranks as misses', () => {
    expect(precisionAt(['a', 'b', 'c'], j({ a: 1, b: 0, c: 2 }))).toBeCloseTo(2 / 5, 10);
    expect(precisionAt(['a', 'b', 'c'], j({ a: 1, b: 0, c: 2 }), 5, 2)).toBeCloseTo(1 / 5, 10);
  });

  test('mean of nothing is NaN, not 0', () => {
    expect(mean([])).toBeNaN();
    expect(mean([0.5, 1])).toBeCloseTo(0.75, 10);
  });

  test('paired permutation test: exact for few pairs', () => {
    // Every difference +1: of the 8 sign patterns only all-plus and all-minus reach |3|.
    expect(pairedPermutationTest([1, 1, 1], [0, 0, 0])).toBeCloseTo(2 / 8, 10);
    // Identical scores: every pattern ties the observed 0.
    expect(pairedPermutationTest([0.3, 0.5], [0.3, 0.5])).toBe(1);
    // Differences +1 and −1 cancel: every pattern is at least as extreme as 0.
    expect(pairedPermutationTest([1, 0], [0, 1])).toBe(1);
  });

  test('paired permutation test: sampled for many pairs, small only for a consistent gap', () => {
    const n = 40;
    const better = Array.from({ length: n }, (_, i) => 0.6 + (i % 5) * 0.01);
    const worse = better.map((x) => x - 0.1);
    expect(pairedPermutationTest(better, worse, 20_000)).toBeLessThan(0.001);
    const mixed = better.map((x, i) => (i % 2 === 0 ? x - 0.1 : x + 0.1));
    expect(pairedPermutationTest(better, mixed, 20_000)).toBeGreaterThan(0.5);
    expect(() => pairedPermutationTest([1], [1, 2])).toThrow(/1 scores against 2/);
  });
});
