// Over 300 lines: BM25, the prior, proximity and phrase bonuses are the one relevance score and are tuned together.
import { TITLE_TF_WEIGHT, type BigramList } from '../format/bigram-postings';
import type { DocTable } from './doctable';
import type { MatchResult } from './execute';
import { INTENT_WORD_WEIGHT, QUESTION_WORD_WEIGHT, SYNONYM_WEIGHT, type QueryPlan } from './plan';

/**
 * Relevance: BM25 on the body plus {@link TITLE_BOOST} times BM25 on the title (each
 * field saturates and length-normalizes on its own, so a word in a short title counts
 * even in a long article), a small discount for matches that are not whole jieba
 * words, and bonuses when the query words stand close together or as the typed phrase,
 * and when the title holds every query word.
 *
 * Body frequencies come from the bigram store where a unit is made of bigrams (exact
 * for two characters; for longer units the smallest of their bigrams' frequencies,
 * which equals the unit's own except in contrived text) and are counted in the stored
 * text otherwise (Latin words, lone characters). Titles are short: counted directly.
 */

export const K1 = 1.2;
export const LENGTH_NORMALIZATION = 0.75;
/** The stored bigram frequency counts a title occurrence this many times (see TITLE_TF_WEIGHT). */
const STORED_TITLE_WEIGHT = TITLE_TF_WEIGHT;
/**
 * Weight of the title field's BM25 against the body's. Equal weight: the title is
 * already its own saturating field, stored title frequencies count a title occurrence
 * {@link STORED_TITLE_WEIGHT} times, and the all-in-title bonus rewards naming an article
 * by its title; more weight let a post with one query word in its title outrank posts
 * about the query (judged with `npm run eval:judged`, see docs/relevance-judging.md).
 */
export const TITLE_BOOST = 1;
/**
 * Bonus, in units of the query's summed IDF, when every query word is in the title: the
 * article a reader names by words of its title should beat one that has fewer of them
 * in its title and the rest often in its body, which per-word title BM25 alone, saturating
 * early, let happen. Measure with `npm run bench -- --corpus DIR --others minisearch
 * --known-items 1500` (MRR@10).
 */
export const ALL_IN_TITLE_BONUS = 1;
/** A match inside a longer jieba word (or across two) counts this much of a real-word match. */
export const PARTIAL_WORD_WEIGHT = 0.8;
/**
 * A document's score is multiplied by its coverage raised to this power: coverage is the
 * share of the query's weight (required and optional groups, each weighted by
 * {@link COVERAGE_IDF_POWER}) the document holds, so a post with more of the words of a
 * free-text query beats one that repeats a few of them. Below 1, and with the IDF damped,
 * because one rare word of a question (变慢 in 中国的经济增长为什么变慢了) otherwise held most
 * of the weight, and posts using it in passing outranked posts on the topic that say it
 * otherwise (放缓); judged with `npm run eval:judged` (docs/relevance-judging.md).
 */
export const COVERAGE_POWER = 0.5;
/** Each group's weight in coverage is its IDF raised to this power (see {@link COVERAGE_POWER}). */
export const COVERAGE_IDF_POWER = 0.5;
/**
 * Proximity and the whole typed phrase are looked for in this many leading characters of
 * the body: where an article states its subject, and a bound on the text each scored
 * candidate costs to read.
 */
const PROXIMITY_CHARS = 8000;
/** tf beyond this adds almost nothing under BM25 saturation; stop counting there. */
const MAX_TF = 40;

/** Occurrences of `needle` in `hay`, up to `cap`. */
export function countOccurrences(hay: string, needle: string, cap: number = MAX_TF): number {
  let n = 0;
  let p = hay.indexOf(needle);
  while (p >= 0 && n < cap) {
    n++;
    p = hay.indexOf(needle, p + needle.length);
  }
  return n;
}

/** Inverse document frequency (BM25, always positive). */
export function idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** Per-query scoring state: unit weights and index-derived frequencies, computed once. */
export class Scorer {
  private readonly weights: number[];
  /** Per unit: weighted frequency by document from the bigram store, or null (count in text). */
  private readonly stored: Array<Float32Array | null>;
  /** Per unit (where `stored` is set): frequency in the title, from the title bigram store. */
  private readonly storedTitle: Array<Float32Array | null>;
  /** Per unit: documents where jieba cut it as a word, or null (no distinction). */
  private readonly realWord: Array<Uint8Array | null>;
  /** Per unit: Latin prominence order from FlexSearch, for the prior only. */
  private readonly order: Array<ArrayLike<number> | null>;
  private readonly idfSum: number;
  /** Literal content units (no synonyms, no question words): proximity and title bonuses. */
  private readonly literal: readonly string[];
  /** Per unit: index of the concept (listed term) it stands for; a concept scores its best unit. */
  private readonly concept: number[];
  private readonly best: Float64Array;
  private readonly masks: Uint32Array | null;
  /** Per group: its weight in coverage (0 for bonus groups). */
  private readonly groupWeight: number[];
  private readonly groupWeightSum: number;
  private readonly wholes: readonly string[];
  private readonly wholeWeight: readonly number[];
  private readonly units: readonly string[];

  constructor(
    private readonly table: DocTable,
    plan: QueryPlan,
    matched: MatchResult,
  ) {
    const n = table.size;
    const units = plan.highlight;
    this.units = units;
    const synonyms = plan.synonyms;
    const conceptOf = plan.conceptOf;
    const conceptIds = new Map<string, number>();
    this.concept = units.map((u) => {
      const c = conceptOf.get(u) ?? u;
      let id = conceptIds.get(c);
      if (id === undefined) conceptIds.set(c, (id = conceptIds.size));
      return id;
    });
    this.best = new Float64Array(conceptIds.size);
    // Synonyms take the IDF of the word typed: a post saying 新冠 answers COVID-19 as well as one saying COVID-19.
    const idfOf = (u: string): number => idf(n, matched.units.get(u)?.df ?? 1);
    this.weights = units.map((u) => {
      const lit = conceptOf.get(u) ?? u;
      const base = synonyms.has(u) && matched.units.has(lit) ? idfOf(lit) * SYNONYM_WEIGHT : idfOf(u);
      if (plan.intentWords.has(u)) return idfOf(u) * INTENT_WORD_WEIGHT;
      return plan.questionWords.has(lit) ? base * QUESTION_WORD_WEIGHT : base;
    });
    this.literal = units.filter((u) => !synonyms.has(u) && !plan.questionWords.has(u));
    this.idfSum = this.literal.reduce((a, u) => a + this.weights[units.indexOf(u)], 0);
    this.masks = matched.masks;
    this.groupWeight = plan.groups.map((g, i) => {
      if (plan.roles[i] === 'bonus') return 0;
      const first = g.find((c) => !c.synonym) ?? g[0];
      return first.units.reduce((a, u) => a + Math.pow(idfOf(u.text), COVERAGE_IDF_POWER), 0);
    });
    this.groupWeightSum = this.groupWeight.reduce((a, b) => a + b, 0);
    const clauseWholes = plan.groups.flat().flatMap((c) => (c.whole ? [c.whole] : []));
    this.wholes = [...new Set([...clauseWholes, ...plan.wholes])];
    // A whole earns the weight of the query words it holds: a compound inside a sentence
    // (社会信用体系) counts for its own words, not for the whole question.
    this.wholeWeight = this.wholes.map((w) => {
      const inside = this.literal.filter((u) => w.includes(u));
      return inside.length === 0 ? this.idfSum : inside.reduce((a, u) => a + this.weights[units.indexOf(u)], 0);
    });
    this.stored = units.map((u) => {
      const st = matched.units.get(u);
      if (!st || st.terms.length === 0) return null;
      const lists = st.terms.map((t) => table.bigram(t));
      if (lists.some((l) => l === null)) return null;
      return minFrequencies(lists as BigramList[], n);
    });
    this.storedTitle = units.map((u, k) => {
      if (!this.stored[k]) return null;
      const lists = matched.units.get(u)!.terms.map((t) => table.titleBigram(t));
      return lists.some((l) => l === null) ? new Float32Array(n) : minFrequencies(lists as BigramList[], n);
    });
    this.realWord = units.map((u) => {
      const docs = matched.units.get(u)?.wordDocs;
      if (!docs) return null;
      const mask = new Uint8Array(n);
      for (let i = 0; i < docs.length; i++) mask[docs[i]] = 1;
      return mask;
    });
    this.order = units.map((u) => matched.units.get(u)?.order ?? null);
  }

  /** True when {@link prior} equals {@link score}: no counting, word discounts or bonuses needed. */
  get priorIsExact(): boolean {
    return this.units.length === 1 && this.stored[0] !== null && this.realWord[0] === null;
  }

  /** BM25 from index frequencies alone (Latin units: prominence order), for the given documents. */
  prior(docs: ArrayLike<number>): Float64Array {
    const prior = new Float64Array(this.table.size);
    this.units.forEach((_, k) => {
      const stored = this.stored[k];
      const order = this.order[k];
      if (stored) {
        for (let i = 0; i < docs.length; i++) {
          const d = docs[i];
          if (stored[d] > 0) prior[d] += this.fields(k, d, stored[d], NO_BODY);
        }
      } else if (order) this.orderPrior(k, order, docs, prior);
    });
    if (this.masks) for (let i = 0; i < docs.length; i++) prior[docs[i]] *= this.coverageFactor(docs[i]);
    return prior;
  }

  /**
   * A Latin word's prior: its rank in FlexSearch's prominence order within its shard,
   * plus its title BM25 (titles are in memory; counted for the matches only). The list
   * runs shard by shard, so a rank over the whole list put every post of the first
   * shards above all the others.
   */
  private orderPrior(k: number, order: ArrayLike<number>, docs: ArrayLike<number>, prior: Float64Array): void {
    const starts = this.table.shardStarts;
    const w = this.weights[k];
    for (let i = 0; i < order.length;) {
      const s = shardOf(starts, order[i]);
      let j = i + 1;
      while (j < order.length && order[j] >= starts[s] && order[j] < starts[s + 1]) j++;
      for (let t = i; t < j; t++) prior[order[t]] += w * (1 - (t - i) / (j - i));
      i = j;
    }
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i];
      prior[d] += this.titleField(k, d, countOccurrences(this.table.ntitle[d], this.units[k], 5));
    }
  }

  /** The share of the query's weight that document `d` holds, raised to {@link COVERAGE_POWER} (1 when it holds all). */
  coverageFactor(d: number): number {
    const masks = this.masks;
    if (!masks || this.groupWeightSum <= 0) return 1;
    const m = masks[d];
    let have = 0;
    for (let i = 0; i < this.groupWeight.length; i++) if (m & (1 << i)) have += this.groupWeight[i];
    return Math.pow(have / this.groupWeightSum, COVERAGE_POWER);
  }

  /** The full score of document `d`. */
  score(d: number): number {
    const { table, units, best } = this;
    best.fill(0);
    // Bodies are read from disk: one read per scored document, however many units count in it.
    let body: string | null = null;
    const text = (): string => (body ??= table.text(d));
    units.forEach((u, k) => {
      const stored = this.stored[k];
      const s = stored ? this.fields(k, d, stored[d], text) : this.fields(k, d, -1, text);
      if (s === 0) return;
      const realWord = this.realWord[k];
      const partial = realWord !== null && realWord[d] === 0;
      const c = this.concept[k];
      best[c] = Math.max(best[c], s * (partial ? PARTIAL_WORD_WEIGHT : 1));
    });
    let score = 0;
    for (let c = 0; c < best.length; c++) score += best[c];
    if (this.literal.length > 1) {
      const title = table.ntitle[d];
      const full = text();
      const lead = full.length > PROXIMITY_CHARS ? full.slice(0, PROXIMITY_CHARS) : full;
      for (let i = 0; i < this.wholes.length; i++) {
        const whole = this.wholes[i];
        if (title.includes(whole)) score += this.wholeWeight[i];
        else if (lead.includes(whole)) score += this.wholeWeight[i] * 0.5;
      }
      score += this.idfSum * 0.5 * proximity(lead, this.literal);
      if (this.literal.every((u) => title.includes(u))) score += this.idfSum * ALL_IN_TITLE_BONUS;
    }
    return score * this.coverageFactor(d);
  }

  /** Title + body BM25 of unit k in document d; `stored` is its weighted stored frequency, or -1 to count in `body()`. */
  private fields(k: number, d: number, stored: number, body: () => string): number {
    const { table } = this;
    const st = this.storedTitle[k];
    const tfTitle = st ? st[d] : countOccurrences(table.ntitle[d], this.units[k], 5);
    const tfBody = stored >= 0 ? Math.max(0, stored - STORED_TITLE_WEIGHT * tfTitle) : countOccurrences(body(), this.units[k]);
    const w = this.weights[k];
    let s = this.titleField(k, d, tfTitle);
    if (tfBody > 0)
      s += (w * tfBody * (K1 + 1)) / (tfBody + K1 * (1 - LENGTH_NORMALIZATION + (LENGTH_NORMALIZATION * table.textLen[d]) / table.avgLen));
    return s;
  }

  /** Title BM25 of unit k in document d, which holds it `tfTitle` times in its title. */
  private titleField(k: number, d: number, tfTitle: number): number {
    if (tfTitle <= 0) return 0;
    const { table } = this;
    return (
      (TITLE_BOOST * this.weights[k] * tfTitle * (K1 + 1)) /
      (tfTitle + K1 * (1 - LENGTH_NORMALIZATION + (LENGTH_NORMALIZATION * table.titleLen[d]) / table.avgTitleLen))
    );
  }
}

/** The shard holding document `d` (`starts` as {@link DocTable.shardStarts}). */
function shardOf(starts: Uint32Array, d: number): number {
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= d) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The body a stored frequency never needs (the prior passes one for every match of a
 * frequent word: a closure per match was garbage by the tens of thousands).
 */
const NO_BODY = (): string => {
  throw new Error('a stored frequency needs no body');
};

/** Per document, the smallest frequency among the bigram lists (0 where any is missing). */
function minFrequencies(lists: readonly BigramList[], n: number): Float32Array {
  const out = new Float32Array(n);
  const sorted = [...lists].sort((a, b) => a.docs.length - b.docs.length);
  const first = sorted[0];
  for (let i = 0; i < first.docs.length; i++) out[first.docs[i]] = first.tfs[i];
  if (sorted.length === 1) return out;
  const seen = new Float32Array(n);
  for (let k = 1; k < sorted.length; k++) {
    const l = sorted[k];
    seen.fill(0);
    for (let i = 0; i < l.docs.length; i++) seen[l.docs[i]] = l.tfs[i];
    for (let i = 0; i < first.docs.length; i++) {
      const d = first.docs[i];
      if (seen[d] < out[d]) out[d] = seen[d];
    }
  }
  return out;
}

/**
 * 1 when all units occur within a few characters of each other in the text, falling
 * towards 0 as the smallest window holding all of them widens; the window covers the
 * units the text holds, scaled by their share (0 when fewer than two occur).
 */
function proximity(text: string, units: readonly string[]): number {
  const lists: number[][] = [];
  let totalLen = 0;
  for (const u of units) {
    const pos: number[] = [];
    let p = text.indexOf(u);
    while (p >= 0 && pos.length < 64) {
      pos.push(p);
      p = text.indexOf(u, p + u.length);
    }
    // Free-text matches may lack some words: the window spans the words present.
    if (pos.length === 0) continue;
    lists.push(pos);
    totalLen += u.length;
  }
  if (lists.length < 2) return 0;
  // Smallest window containing one position of every unit (k-way sweep).
  const idx = new Array<number>(lists.length).fill(0);
  let best = Number.MAX_SAFE_INTEGER;
  for (;;) {
    let lo = 0;
    let minP = Number.MAX_SAFE_INTEGER;
    let maxP = -1;
    for (let k = 0; k < lists.length; k++) {
      const v = lists[k][idx[k]];
      if (v < minP) {
        minP = v;
        lo = k;
      }
      if (v > maxP) maxP = v;
    }
    best = Math.min(best, maxP - minP);
    idx[lo]++;
    if (idx[lo] >= lists[lo].length) break;
  }
  const gap = Math.max(0, best - totalLen);
  return (1 / (1 + gap / 10)) * (lists.length / units.length);
}
