import type { DocTable } from './doctable';
import type { MatchResult } from './execute';
import type { QueryPlan } from './plan';
import { scoreDoc } from './score';

/** A ranked document. */
export interface Ranked {
  doc: number;
  score: number;
}

/**
 * Exact BM25F scoring reads each candidate's text, so for frequent words only the
 * best {@link EXACT_CANDIDATES} by a cheap prior (title match + the term's prominence
 * order in the index) are scored exactly; the rest follow in prior order.
 */
export const EXACT_CANDIDATES = 100;

/** Order matches by relevance or date and return at least the first `need` of them. */
export function rankDocs(table: DocTable, matched: MatchResult, plan: QueryPlan, sort: 'relevance' | 'date', need: number): Ranked[] {
  const docs = matched.docs;
  if (docs.length === 0) return [];
  const units = plan.highlight;
  const wholes = plan.groups.flat().flatMap((c) => (c.whole ? [c.whole] : []));
  const realWord = wordMask(table, units, matched);
  const exact = (d: number): number => scoreDoc(table, d, units, matched.units, wholes, realWord);
  const newer = (a: number, b: number): number => dateOf(table, b) - dateOf(table, a) || a - b;

  if (sort === 'date') {
    return [...docs]
      .sort(newer)
      .slice(0, need)
      .map((doc) => ({ doc, score: exact(doc) }));
  }
  let pool = docs;
  let rest: number[] = [];
  const budget = Math.max(EXACT_CANDIDATES, need);
  if (docs.length > budget) {
    const prior = new Float64Array(table.size);
    for (const u of units) {
      const order = matched.units.get(u)?.order;
      if (order) for (let i = 0; i < order.length; i++) prior[order[i]] += 1 - i / order.length;
    }
    for (const d of docs) for (const u of units) if (table.ntitle[d].includes(u)) prior[d] += 2;
    const byPrior = (a: number, b: number): number => prior[b] - prior[a] || newer(a, b);
    if (need <= budget) {
      pool = topK(docs, budget, byPrior);
    } else {
      const sorted = [...docs].sort(byPrior);
      pool = sorted.slice(0, budget);
      rest = sorted.slice(budget, need);
    }
  }
  const scored = pool.map((doc) => ({ doc, score: exact(doc) }));
  scored.sort((a, b) => b.score - a.score || newer(a.doc, b.doc));
  return scored.concat(rest.map((doc) => ({ doc, score: 0 })));
}

/** The first `k` of `xs` under `cmp`, in order, without sorting all of them (bounded insertion). */
export function topK(xs: readonly number[], k: number, cmp: (a: number, b: number) => number): number[] {
  const top: number[] = [];
  for (const x of xs) {
    if (top.length === k && cmp(x, top[k - 1]) >= 0) continue;
    let i = top.length < k ? top.length : k - 1;
    if (top.length < k) top.push(x);
    while (i > 0 && cmp(x, top[i - 1]) < 0) {
      top[i] = top[i - 1];
      i--;
    }
    top[i] = x;
  }
  return top;
}

/** Bit k set for documents where unit k is a jieba word (units of 3+ characters only). */
function wordMask(table: DocTable, units: readonly string[], matched: MatchResult): Uint8Array | null {
  let mask: Uint8Array | null = null;
  units.slice(0, 8).forEach((u, k) => {
    const docs = matched.units.get(u)?.wordDocs;
    if (!docs) return;
    mask ??= new Uint8Array(table.size);
    for (let i = 0; i < docs.length; i++) mask[docs[i]] |= 1 << k;
  });
  return mask;
}

function dateOf(table: DocTable, d: number): number {
  const t = table.dateMs[d];
  return Number.isNaN(t) ? -8.64e15 : t;
}
