import { isCjk } from '../analysis/normalize';
import type { DocTable } from './doctable';
import type { ClausePlan, QueryPlan, Unit } from './plan';

/**
 * Boolean matching: which documents satisfy a plan. Posting lists give candidates;
 * units that are not exactly one term are verified against the stored normalized text,
 * so results are exactly "contains every unit", never an approximation.
 */

/** Filters applied to matches (all optional, combined with AND). */
export interface MatchFilters {
  categories?: readonly string[];
  tags?: readonly string[];
  author?: string;
  /** Inclusive epoch-ms bounds on the post date; posts without a date fail a date filter. */
  fromMs?: number;
  toMs?: number;
}

/** Per-unit statistics gathered while matching, reused for scoring. */
export interface UnitStats {
  /** Documents containing the unit (estimated for verified units). */
  df: number;
  /** The unit's index terms (bigrams and Latin runs), for the ranking prior. */
  terms: readonly string[];
  /**
   * For a unit retrieved by a word term (Latin), that posting list in FlexSearch's
   * prominence order, the basis of its ranking prior; null otherwise.
   */
  order: ArrayLike<number> | null;
  /** Documents where jieba cut the unit as a word (3+ characters only): real-word matches. */
  wordDocs: ArrayLike<number> | null;
}

/** The matching documents and what scoring needs to know about them. */
export interface MatchResult {
  docs: number[];
  units: Map<string, UnitStats>;
}

/** Reusable marker array: set operations in O(n) without allocating sets. */
class Marks {
  private stamp: Uint32Array;
  private epoch = 0;
  constructor(size: number) {
    this.stamp = new Uint32Array(size);
  }
  next(): number {
    this.epoch++;
    if (this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    return this.epoch;
  }
  mark(ids: ArrayLike<number>, e: number): void {
    for (let i = 0; i < ids.length; i++) this.stamp[ids[i]] = e;
  }
  has(id: number, e: number): boolean {
    return this.stamp[id] === e;
  }
}

const marksByTable = new WeakMap<DocTable, Marks>();

/** Find every document that matches `plan` and passes `filters`. */
export function matchPlan(table: DocTable, plan: QueryPlan, filters: MatchFilters): MatchResult {
  let marks = marksByTable.get(table);
  if (!marks) {
    marks = new Marks(table.size);
    marksByTable.set(table, marks);
  }
  const m = marks;
  const units = new Map<string, UnitStats>();
  let current: number[] | null = null;
  // Narrow groups in order of their estimated size so verification work shrinks fast.
  const groups = [...plan.groups].sort((a, b) => estimate(table, a) - estimate(table, b));
  for (const group of groups) {
    let union: number[] = [];
    for (const clause of group) {
      const docs = matchClause(table, clause, current, units, m);
      union = unionInto(union, docs, m);
    }
    current = union;
    if (current.length === 0) break;
  }
  let docs = current ?? [];
  for (const clause of plan.excluded) {
    if (docs.length === 0) break;
    const bad = matchClause(table, clause, docs, new Map(), m);
    if (bad.length === 0) continue;
    const e = m.next();
    m.mark(bad, e);
    docs = docs.filter((d) => !m.has(d, e));
  }
  return { docs: applyFilters(table, docs, filters), units };
}

/** Upper bound on a group's matches: per clause, its rarest unit's posting count. */
function estimate(table: DocTable, group: ClausePlan[]): number {
  let sum = 0;
  for (const c of group) sum += Math.min(table.size, ...c.units.map((u) => unitCost(table, u)));
  return sum;
}

function unionInto(a: number[], b: number[], m: Marks): number[] {
  if (a.length === 0) return b;
  const e = m.next();
  m.mark(a, e);
  for (const d of b) if (!m.has(d, e)) a.push(d);
  return a;
}

/** Documents (within `within`, when given) whose chosen field contains every unit of the clause. */
function matchClause(table: DocTable, clause: ClausePlan, within: number[] | null, stats: Map<string, UnitStats>, m: Marks): number[] {
  let docs = within;
  // Indexed units first, rarest first; units without terms are checked by scanning last.
  const units = [...clause.units].sort((a, b) => unitCost(table, a) - unitCost(table, b));
  for (const unit of units) {
    docs = matchUnit(table, unit, clause.field, docs, stats, m);
    if (docs.length === 0) return docs;
  }
  return docs ?? [];
}

function unitCost(table: DocTable, u: Unit): number {
  if (u.terms.length === 0) return Number.MAX_SAFE_INTEGER;
  let best = Number.MAX_SAFE_INTEGER;
  for (const t of u.terms) best = Math.min(best, table.postings(t).length);
  return best;
}

function matchUnit(
  table: DocTable,
  unit: Unit,
  field: 'all' | 'title',
  within: number[] | null,
  stats: Map<string, UnitStats>,
  m: Marks,
): number[] {
  let candidates: number[];
  let order: ArrayLike<number> | null = null;
  /** Documents holding all of the unit's terms, before narrowing to `within`: a df bound. */
  let withTerms = table.size;
  if (unit.terms.length > 0) {
    const lists = unit.terms.map((t) => table.postings(t)).sort((a, b) => a.length - b.length);
    const rarest = lists[0];
    if (lists.length === 1 && !isBigram(unit.terms[0])) order = rarest;
    candidates = Array.from(rarest);
    for (let k = 1; k < lists.length && candidates.length > 0; k++) {
      const e = m.next();
      m.mark(lists[k], e);
      candidates = candidates.filter((d) => m.has(d, e));
    }
    withTerms = candidates.length;
    if (within) {
      const e = m.next();
      m.mark(within, e);
      candidates = candidates.filter((d) => m.has(d, e));
    }
  } else {
    candidates = within ? within.slice() : Array.from({ length: table.size }, (_, i) => i);
  }
  // Documents where jieba indexed the unit as a word contain it for sure; only the rest need reading.
  const wordDocs = unit.word ? table.postings(unit.text) : null;
  const verify = !unit.exact || unit.terms.length === 0 || field === 'title';
  if (verify) {
    const u = unit.text;
    let known = -1;
    if (wordDocs && wordDocs.length > 0 && field === 'all') {
      known = m.next();
      m.mark(wordDocs, known);
    }
    candidates = candidates.filter((d) =>
      field === 'title' ? table.ntitle[d].includes(u) : m.has(d, known) || table.ntitle[d].includes(u) || table.ntext[d].includes(u),
    );
  }
  // Exact where cheap; when narrowed by other clauses, the unverified term count (an upper bound).
  const df = within ? withTerms : candidates.length;
  const prev = stats.get(unit.text);
  if (!prev || field === 'all') stats.set(unit.text, { df: Math.max(df, 1), terms: unit.terms, order, wordDocs });
  return candidates;
}

/** True for a two-character CJK term, which lives in the bigram store. */
export function isBigram(term: string): boolean {
  return term.length === 2 && isCjk(term.charCodeAt(0)) && isCjk(term.charCodeAt(1));
}

function applyFilters(table: DocTable, docs: number[], f: MatchFilters): number[] {
  const cats = f.categories && f.categories.length > 0 ? new Set(f.categories) : null;
  const tags = f.tags && f.tags.length > 0 ? new Set(f.tags) : null;
  const author = f.author ?? null;
  const from = f.fromMs ?? null;
  const to = f.toMs ?? null;
  if (!cats && !tags && author === null && from === null && to === null) return docs;
  return docs.filter((d) => {
    const p = table.posts[d];
    if (cats && !p.categories.some((c) => cats.has(c))) return false;
    if (tags && !p.tags.some((t) => tags.has(t))) return false;
    if (author !== null && p.author !== author) return false;
    if (from !== null || to !== null) {
      const t = table.dateMs[d];
      if (Number.isNaN(t)) return false;
      if (from !== null && t < from) return false;
      if (to !== null && t > to) return false;
    }
    return true;
  });
}
