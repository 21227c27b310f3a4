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
export const EXACT_CANDIDATES = 300;

/** Order matches by relevance or date and return at least the first `need` of them. */
export function rankDocs(table: DocTable, matched: MatchResult, plan: QueryPlan, sort: 'relevance' | 'date', need: number): Ranked[] {
  const docs = matched.docs;
  if (docs.length === 0) return [];
  const units = plan.highlight;
  const wholes = plan.groups.flat().flatMap((c) => (c.whole ? [c.whole] : []));
  const exact = (d: number): number => scoreDoc(table, d, units, matched.units, wholes);
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
    const prior = new Map<number, number>();
    for (const d of docs) {
      let p = 0;
      for (const u of units) {
        if (table.ntitle[d].includes(u)) p += 2;
        p += matched.units.get(u)?.prior?.get(d) ?? 0;
      }
      prior.set(d, p);
    }
    const byPrior = [...docs].sort((a, b) => prior.get(b)! - prior.get(a)! || newer(a, b));
    pool = byPrior.slice(0, budget);
    rest = byPrior.slice(budget, need);
  }
  const scored = pool.map((doc) => ({ doc, score: exact(doc) }));
  scored.sort((a, b) => b.score - a.score || newer(a.doc, b.doc));
  return scored.concat(rest.map((doc) => ({ doc, score: 0 })));
}

function dateOf(table: DocTable, d: number): number {
  const t = table.dateMs[d];
  return Number.isNaN(t) ? -8.64e15 : t;
}
