// Over 300 lines: candidate lookup, verification against the text and the cost budget are one matching loop.
import { INDEXED_WORDS } from '../analysis/indexed-words';
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
  /**
   * Document numbers. A typed array, not number[]: on an archive of tens of thousands of
   * posts a frequent word matches more documents than a JS array holds in V8's ordinary
   * heap pages, and copying its postings into one cost more than ranking them.
   */
  docs: Uint32Array;
  units: Map<string, UnitStats>;
  /**
   * Per document (indexed by document number), bit i set when the document matches
   * group i of the plan; null when every match matches every group.
   */
  masks: Uint32Array | null;
  /** True when the cost budget stopped matching early: `docs` is then a subset. */
  truncated: boolean;
}

/**
 * Characters of stored text one query may read while verifying candidates, plus one per
 * posting entry walked: a few milliseconds of string search on one core. Beyond it matching
 * stops and the answer is flagged truncated, so that no query can hold a core for long.
 */
export const QUERY_COST_BUDGET = 6_000_000;

/**
 * The budget of a query with at most one unit that has no posting list (a lone Chinese
 * character is found only by scanning the text): one full scan of an archive of about
 * 30 M characters, so that such a query stays exact there. Queries with several such
 * units (characters OR-ed together) keep {@link QUERY_COST_BUDGET}.
 */
export const SINGLE_SCAN_BUDGET = 32_000_000;

/** The budget for `plan`: {@link SINGLE_SCAN_BUDGET} when at most one of its units must be found by scanning. */
export function budgetFor(plan: QueryPlan, base: number): number {
  let scans = 0;
  for (const clause of [...plan.groups.flat(), ...plan.excluded]) {
    for (const u of clause.units) if (u.terms.length === 0) scans++;
  }
  return scans <= 1 ? Math.max(base, SINGLE_SCAN_BUDGET) : base;
}

/** What looking into one document costs beyond the characters read, in the same units. */
const READ_OVERHEAD = 64;

/** The work one query may still do (see {@link QUERY_COST_BUDGET}). */
export class Budget {
  private left: number;
  /** True once a spend was refused. */
  exhausted = false;
  constructor(limit: number = QUERY_COST_BUDGET) {
    this.left = limit;
  }
  /** Spend `n`; false (and exhausted from then on) when the budget cannot cover it. */
  spend(n: number): boolean {
    if (this.exhausted) return false;
    this.left -= n;
    if (this.left < 0) this.exhausted = true;
    return !this.exhausted;
  }
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

/**
 * Find every document that matches `plan` and passes `filters`: all `required` groups,
 * at least `minShould` of the `should` groups, none of the excluded clauses. `bonus`
 * groups are only marked in the masks.
 */
export function matchPlan(table: DocTable, plan: QueryPlan, filters: MatchFilters, budget: Budget = new Budget()): MatchResult {
  let marks = marksByTable.get(table);
  if (!marks) {
    marks = new Marks(table.size);
    marksByTable.set(table, marks);
  }
  const m = marks;
  const units = new Map<string, UnitStats>();
  const groupDocs = (i: number, within: Uint32Array | null): Uint32Array => {
    let union: Uint32Array = NO_DOCS;
    for (const clause of plan.groups[i]) union = unionInto(union, matchClause(table, clause, within, units, m, budget), m);
    return union;
  };
  const roles = plan.roles;
  const indexes = plan.groups.map((_, i) => i);
  let current: Uint32Array | null = null;
  // Narrow required groups in order of their estimated size so verification work shrinks fast.
  const required = indexes
    .filter((i) => roles[i] === 'required')
    .sort((a, b) => estimate(table, plan.groups[a]) - estimate(table, plan.groups[b]));
  for (const i of required) {
    current = groupDocs(i, current);
    if (current.length === 0) break;
  }
  const should = indexes.filter((i) => roles[i] === 'should');
  const bonus = indexes.filter((i) => roles[i] === 'bonus');
  const masks = should.length + bonus.length > 0 ? new Uint32Array(table.size) : null;
  let docs: Uint32Array = current ?? NO_DOCS;
  if (masks && should.length > 0 && !(current && current.length === 0)) {
    // Candidates: the union of the groups' matches, kept when enough groups agree.
    const count = new Uint8Array(table.size);
    const lists = should.map((i) => groupDocs(i, current));
    const seen = new Uint32Array(lists.reduce((n, l) => n + l.length, 0));
    let n = 0;
    lists.forEach((found, j) => {
      const bit = 1 << should[j];
      for (let k = 0; k < found.length; k++) {
        const d = found[k];
        if (count[d]++ === 0) seen[n++] = d;
        masks[d] |= bit;
      }
    });
    const need = Math.max(1, plan.minShould);
    // A typed array sorts numerically: document order.
    docs = seen
      .subarray(0, n)
      .filter((d) => count[d] >= need)
      .sort();
  }
  if (masks) {
    let all = 0;
    for (const i of required) all |= 1 << i;
    for (const d of docs) masks[d] |= all;
    for (const i of bonus) for (const d of groupDocs(i, docs)) masks[d] |= 1 << i;
  }
  for (const clause of plan.excluded) {
    if (docs.length === 0) break;
    const bad = matchClause(table, clause, docs, new Map(), m, budget);
    if (bad.length === 0) continue;
    const e = m.next();
    m.mark(bad, e);
    docs = docs.filter((d) => !m.has(d, e));
  }
  return { docs: applyFilters(table, docs, filters), units, masks, truncated: budget.exhausted };
}

/** Upper bound on a group's matches: per clause, its rarest unit's posting count. */
function estimate(table: DocTable, group: ClausePlan[]): number {
  let sum = 0;
  for (const c of group) sum += Math.min(table.size, ...c.units.map((u) => unitCost(table, u)));
  return sum;
}

/** No documents. */
const NO_DOCS = new Uint32Array(0);

/** `a` followed by the documents of `b` not in `a` (`a` when `b` adds none). */
function unionInto(a: Uint32Array, b: Uint32Array, m: Marks): Uint32Array {
  if (a.length === 0) return b;
  const e = m.next();
  m.mark(a, e);
  const extra = b.filter((d) => !m.has(d, e));
  if (extra.length === 0) return a;
  const out = new Uint32Array(a.length + extra.length);
  out.set(a);
  out.set(extra, a.length);
  return out;
}

/** Documents (within `within`, when given) whose chosen field contains every unit of the clause. */
function matchClause(
  table: DocTable,
  clause: ClausePlan,
  within: Uint32Array | null,
  stats: Map<string, UnitStats>,
  m: Marks,
  budget: Budget,
): Uint32Array {
  let docs = within;
  // Indexed units first, rarest first; units without terms are checked by scanning last.
  const units = [...clause.units].sort((a, b) => unitCost(table, a) - unitCost(table, b));
  for (const unit of units) {
    docs = matchUnit(table, unit, clause.field, docs, stats, m, budget);
    if (docs.length === 0) return docs;
  }
  return docs ?? NO_DOCS;
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
  within: Uint32Array | null,
  stats: Map<string, UnitStats>,
  m: Marks,
  budget: Budget,
): Uint32Array {
  let candidates: Uint32Array;
  let order: ArrayLike<number> | null = null;
  /** Documents holding all of the unit's terms, before narrowing to `within`: a df bound. */
  let withTerms = table.size;
  if (unit.terms.length > 0) {
    const lists = unit.terms.map((t) => table.postings(t)).sort((a, b) => a.length - b.length);
    let walked = 0;
    for (const l of lists) walked += l.length;
    if (!budget.spend(walked)) return NO_DOCS;
    const rarest = lists[0];
    if (lists.length === 1 && !isBigram(unit.terms[0])) order = rarest;
    candidates = new Uint32Array(rarest.length);
    candidates.set(rarest);
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
    candidates = within ? within.slice() : allDocs(table.size);
  }
  // Documents where jieba indexed the unit as a word contain it for sure; only the rest need
  // reading. An indexed word's postings are every document that holds it: nothing is read.
  const wordDocs = unit.word ? table.postings(unit.text) : null;
  const verify = !unit.exact || unit.terms.length === 0 || field === 'title';
  if (verify) {
    const u = unit.text;
    let known = -1;
    if (wordDocs && wordDocs.length > 0 && field === 'all') {
      known = m.next();
      m.mark(wordDocs, known);
    }
    const complete = field === 'all' && INDEXED_WORDS.has(u);
    // Reading text is what a query pays for: every document read is charged to the budget.
    candidates = candidates.filter((d) => {
      if (field === 'title') return read(table.ntitle[d], u, budget);
      if (m.has(d, known)) return true;
      return !complete && (read(table.ntitle[d], u, budget) || read(() => table.text(d), u, budget));
    });
  }
  // Exact where cheap; when narrowed by other clauses, the unverified term count (an upper bound).
  const df = within ? withTerms : candidates.length;
  const prev = stats.get(unit.text);
  if (!prev || field === 'all') stats.set(unit.text, { df: Math.max(df, 1), terms: unit.terms, order, wordDocs });
  return candidates;
}

/** Documents 0 … n − 1. */
function allDocs(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** True when document `d`'s title or body contains `needle`; reading is charged to `budget` when given. */
export function containsText(table: DocTable, d: number, needle: string, budget: Budget | null): boolean {
  if (!budget) return table.ntitle[d].includes(needle) || table.text(d).includes(needle);
  return read(table.ntitle[d], needle, budget) || read(() => table.text(d), needle, budget);
}

/**
 * True when `hay` contains `needle`; the characters read are charged to the budget. Nothing
 * is read once it is spent: a body (given as a function) is not even fetched from disk.
 */
function read(hay: string | (() => string), needle: string, budget: Budget): boolean {
  if (budget.exhausted) return false;
  const text = typeof hay === 'string' ? hay : hay();
  const at = text.indexOf(needle);
  budget.spend(READ_OVERHEAD + (at < 0 ? text.length : at + needle.length));
  return at >= 0;
}

/** True for a two-character CJK term, which lives in the bigram store. */
export function isBigram(term: string): boolean {
  return term.length === 2 && isCjk(term.charCodeAt(0)) && isCjk(term.charCodeAt(1));
}

function applyFilters(table: DocTable, docs: Uint32Array, f: MatchFilters): Uint32Array {
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

/**
 * True when a run (four characters) occurs whole, but in under half of the documents that
 * hold all of its jieba parts: readers then write the idea apart as often as together,
 * and matching the parts finds the rest. Estimated from posting lists alone (the run's
 * bigrams together stand for the run). A run found nowhere is more likely a slip or a
 * name: it stays whole, keeping its did-you-mean, unless `splitUnfound` (asked once the
 * query has found nothing and has no correction). Where few documents hold the run's
 * bigrams, their text is read to tell whether the run occurs at all; `reads` (shared by
 * the runs of one query) bounds how many documents that reads.
 */
export function rareRun(
  table: DocTable,
  run: string,
  parts: readonly string[],
  splitUnfound = false,
  reads: { left: number } = { left: RUN_CHECK_DOCS },
): boolean {
  const holding = andDocs(table, bigramsOf([run]));
  let together = holding.length;
  // The bigrams may all occur, apart, in posts that never hold the run (代一 of 一代一代 and
  // 一路 elsewhere, for the slip 一代一路).
  if (together > 0 && together <= Math.min(RUN_CHECK_DOCS, reads.left)) {
    reads.left -= together;
    let found = false;
    for (let i = 0; i < holding.length && !found; i++) found = containsText(table, holding[i], run, null);
    if (!found) together = 0;
  }
  const apart = andCount(table, bigramsOf(parts));
  return (together > 0 || splitUnfound) && together * 2 < apart;
}

/** Most documents {@link rareRun} reads for one run. */
export const RUN_CHECK_DOCS = 32;

/** A part must be in this many times as many documents as the whole word (and at least {@link MIN_PART_DOCS}). */
const PART_RATIO = 20;
const MIN_PART_DOCS = 2;

/**
 * For a three-character word that jieba made up inside a sentence (为什么说谷歌… gives
 * 说谷歌): its two-character part found in far more documents (谷歌), or null when the
 * word is real or its parts are no more common. `wordDf` is the number of documents in
 * which jieba cut the word itself (vocabulary): above one, the word is real.
 */
export function commonPart(table: DocTable, word: string, wordDf: number): string | null {
  if (word.length !== 3 || wordDf > 1) return null;
  const together = andCount(table, bigramsOf([word]));
  let best: string | null = null;
  let bestDocs = 0;
  for (const part of [word.slice(1), word.slice(0, 2)]) {
    const docs = table.postings(part).length;
    if (docs > bestDocs) [best, bestDocs] = [part, docs];
  }
  return best !== null && bestDocs >= Math.max(MIN_PART_DOCS, together * PART_RATIO) ? best : null;
}

/** Share of the documents holding two words in which they stand together, from which they are one compound. */
const COMPOUND_SHARE = 0.2;
/** ... and the least number of documents holding them together. */
const MIN_COMPOUND_DOCS = 3;

/**
 * True when two words typed next to each other are a compound (社会 + 信用, 中美 + 贸易战):
 * where a document holds both, it often holds them together, as it rarely does for a
 * verb and its object (帮助 + 中国, 屏蔽 + 网站). Estimated from posting lists alone (the
 * joined string's bigrams together stand for it).
 */
export function compound(table: DocTable, a: string, b: string): boolean {
  const together = andCount(table, bigramsOf([a + b]));
  if (together < MIN_COMPOUND_DOCS) return false;
  return together >= COMPOUND_SHARE * andCount(table, bigramsOf([a, b]));
}

function bigramsOf(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) for (let i = 0; i + 1 < w.length; i++) out.push(w.slice(i, i + 2));
  return out;
}

/** Number of documents holding every bigram term (posting lists only, no text read). */
function andCount(table: DocTable, terms: readonly string[]): number {
  return andDocs(table, terms).length;
}

/** Documents holding every bigram term (bigram lists are in document order); must not be modified. */
function andDocs(table: DocTable, terms: readonly string[]): ArrayLike<number> {
  const lists = [...new Set(terms)].map((t) => table.postings(t)).sort((a, b) => a.length - b.length);
  if (lists.length === 0 || lists[0].length === 0) return [];
  let docs: ArrayLike<number> = lists[0];
  for (let k = 1; k < lists.length && docs.length > 0; k++) docs = intersectSorted(docs, lists[k]);
  return docs;
}

/** The common elements of two ascending lists (a merge walk: no set of the longer list is built). */
function intersectSorted(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}
