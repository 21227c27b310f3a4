import type { DocTable } from './doctable';
import type { MatchResult } from './execute';
import type { QueryPlan } from './plan';
import { Scorer } from './score';

/** A ranked document. */
export interface Ranked {
  doc: number;
  score: number;
}

/**
 * Full scoring (word discounts, proximity and phrase bonuses, counted frequencies for
 * Latin words) reads each candidate's text, so for frequent words only the best
 * {@link EXACT_CANDIDATES} by the index-only prior (Scorer.prior) are scored fully;
 * the rest follow in prior order. A single Chinese word needs no text at all.
 */
export const EXACT_CANDIDATES = 100;
/**
 * Scoring reads each candidate's text once per query unit: a query of many units scores
 * fewer candidates fully, so that (units × candidates) stays under this.
 */
const EXACT_UNIT_READS = 600;

/** Order matches by relevance or date and return at least the first `need` of them. */
export function rankDocs(table: DocTable, matched: MatchResult, plan: QueryPlan, sort: 'relevance' | 'date', need: number): Ranked[] {
  return ranker(table, matched, plan, sort)(need);
}

/**
 * {@link rankDocs} for one query, asked for several depths: collapsing duplicate groups
 * asks for 4, 16, 64 … times a page. The scorer, the prior and the exactly scored pool
 * do not depend on the depth, so they are computed once (on the first call that needs
 * them): on an archive where most posts have duplicates, recomputing them for every
 * depth was most of a query's ranking time.
 */
export function ranker(table: DocTable, matched: MatchResult, plan: QueryPlan, sort: 'relevance' | 'date'): (need: number) => Ranked[] {
  const docs = matched.docs;
  if (docs.length === 0) return () => [];
  const scorer = new Scorer(table, plan, matched);
  const newer = (a: number, b: number): number => dateOf(table, b) - dateOf(table, a) || a - b;
  if (sort === 'date') return (need) => topOrAll(docs, need, newer).map((doc) => ({ doc, score: scorer.score(doc) }));
  const exact = Math.max(10, Math.min(EXACT_CANDIDATES, Math.floor(EXACT_UNIT_READS / Math.max(1, plan.highlight.length))));
  if (!scorer.priorIsExact && docs.length <= exact) {
    let all: Ranked[] | null = null;
    return () => (all ??= exactOrder(docs, scorer, newer));
  }
  let prior: Float64Array | null = null;
  let pool: Ranked[] | null = null;
  return (need) => {
    prior ??= scorer.prior(docs);
    const p = prior;
    const byPrior = (a: number, b: number): number => p[b] - p[a] || newer(a, b);
    if (scorer.priorIsExact) return topOrAll(docs, need, byPrior, p).map((doc) => ({ doc, score: p[doc] }));
    // The exact pool has a fixed size (not `need`) so that every page is cut from one order;
    // the first `exact` under a total order are the same however many are taken.
    const byPriorAll = topOrAll(docs, Math.max(need, exact), byPrior, p);
    pool ??= exactOrder(byPriorAll.slice(0, exact), scorer, newer);
    return pool.concat(byPriorAll.slice(exact, need).map((doc) => ({ doc, score: p[doc] })));
  };
}

function exactOrder(docs: ArrayLike<number>, scorer: Scorer, newer: (a: number, b: number) => number): Ranked[] {
  const scored = Array.from(docs, (doc) => ({ doc, score: scorer.score(doc) }));
  return scored.sort((a, b) => b.score - a.score || newer(a.doc, b.doc));
}

/**
 * The first `need` matches under `cmp`, in order: a bounded heap unless most of them are
 * wanted. `key`, when given, is what `cmp` orders by first (higher first; ties go to `cmp`).
 */
function topOrAll(docs: ArrayLike<number>, need: number, cmp: (a: number, b: number) => number, key?: Float64Array): number[] {
  return need * 2 < docs.length ? topK(docs, need, cmp, key) : Array.from(docs).sort(cmp).slice(0, need);
}

/**
 * The first `k` of `xs` under `cmp` (a total order: every comparator here ends in the
 * document number), in order, in O(n log k) with a heap whose root is the worst kept.
 * Collapsing duplicate groups asks for 4, 16, 64 … times a page until it has a page of
 * distinct stories; sorting every match for each was most of a frequent word's time on
 * an archive of 57 k posts. With `key` (see {@link topOrAll}), a match whose key is below
 * the worst kept one is passed over without calling `cmp`: that is almost every match of a
 * frequent word once the heap is full.
 */
function topK(xs: ArrayLike<number>, k: number, cmp: (a: number, b: number) => number, key?: Float64Array): number[] {
  const heap: number[] = [];
  const worse = (i: number, j: number): boolean => cmp(heap[i], heap[j]) > 0;
  const swap = (i: number, j: number): void => {
    const t = heap[i];
    heap[i] = heap[j];
    heap[j] = t;
  };
  for (let n = 0; n < xs.length; n++) {
    const x = xs[n];
    if (key && heap.length === k && k > 0 && key[x] < key[heap[0]]) continue;
    if (heap.length < k) {
      heap.push(x);
      for (let i = heap.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (k > 0 && cmp(x, heap[0]) < 0) {
      heap[0] = x;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && worse(l, m)) m = l;
        if (r < heap.length && worse(r, m)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
  }
  return heap.sort(cmp);
}

function dateOf(table: DocTable, d: number): number {
  const t = table.dateMs[d];
  return Number.isNaN(t) ? -8.64e15 : t;
}
