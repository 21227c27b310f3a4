import { rng } from '../lib/random';

/**
 * Scoring of a judged evaluation: graded judgments (0 not relevant, 1 partly, 2 highly)
 * against ranked lists. Unjudged documents count as grade 0; callers report how many
 * there were, since they make a run look worse than it may be.
 */

/** Grades of one query: document id → grade. */
export type Judgments = ReadonlyMap<string, number>;

/** DCG of gains in rank order: linear gain, log2(rank + 1) discount. */
export function dcg(gains: readonly number[]): number {
  let sum = 0;
  gains.forEach((g, i) => {
    sum += g / Math.log2(i + 2);
  });
  return sum;
}

/**
 * nDCG@k of a ranked list. The ideal ranking is built from every judged document of
 * the query (not only those the run returned), so a run that misses the best documents
 * is penalised. Null when the query has no document graded above 0 (nDCG undefined).
 */
export function ndcgAt(ranked: readonly string[], judged: Judgments, k = 10): number | null {
  const ideal = [...judged.values()]
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, k);
  const idcg = dcg(ideal);
  if (idcg === 0) return null;
  return dcg(ranked.slice(0, k).map((id) => judged.get(id) ?? 0)) / idcg;
}

/** Precision@k: the share of the first k ranks holding a document graded at least `minGrade`; an empty rank counts as not relevant. */
export function precisionAt(ranked: readonly string[], judged: Judgments, k = 5, minGrade = 1): number {
  let hits = 0;
  for (const id of ranked.slice(0, k)) if ((judged.get(id) ?? 0) >= minGrade) hits++;
  return hits / k;
}

/** Documents among the first k of a ranked list that have no judgment. */
export function unjudgedAt(ranked: readonly string[], judged: Judgments, k = 10): string[] {
  return ranked.slice(0, k).filter((id) => !judged.has(id));
}

/** Arithmetic mean (NaN for none). */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Two-sided paired permutation (sign-flip) test of mean(a) − mean(b) over the same
 * queries: under the null hypothesis each query's difference is as likely to have either
 * sign. Exact (every sign pattern) up to 20 pairs, else `rounds` seeded random
 * patterns; returns the p-value, with the observed pattern counted as one of the draws.
 */
export function pairedPermutationTest(a: readonly number[], b: readonly number[], rounds = 100_000, seed = 16): number {
  if (a.length !== b.length) throw new Error(`paired test: ${a.length} scores against ${b.length}`);
  const diffs = a.map((x, i) => x - b[i]);
  const n = diffs.length;
  if (n === 0) return 1;
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0));
  // A tolerance so that sign patterns tying the observed sum are counted despite rounding.
  const atLeast = (sum: number): boolean => Math.abs(sum) >= observed - 1e-12;
  if (n <= 20) {
    let count = 0;
    const total = 2 ** n;
    for (let mask = 0; mask < total; mask++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += mask & (1 << i) ? -diffs[i] : diffs[i];
      if (atLeast(sum)) count++;
    }
    return count / total;
  }
  const rand = rng(seed);
  let count = 1;
  for (let r = 0; r < rounds; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += rand() < 0.5 ? -diffs[i] : diffs[i];
    if (atLeast(sum)) count++;
  }
  return count / (rounds + 1);
}
