import { isCjk, normalize } from '../analysis/normalize';
import { bigramKey } from '../analysis/bigrams';
import type { Segmenter } from '../analysis/segmenter';
import type { Synonyms } from '../analysis/synonyms';
import type { BigramLookup } from '../format/bigram-postings';
import type { CorrectionSource } from '../query/did-you-mean';
import { didYouMean } from '../query/did-you-mean';
import type { DocTable } from '../query/doctable';
import { correctInContext } from '../query/context-correction';
import {
  Budget,
  budgetFor,
  commonPart,
  compound,
  containsText,
  isBigram,
  matchPlan,
  QUERY_COST_BUDGET,
  rareRun,
  RUN_CHECK_DOCS,
  type MatchFilters,
  type MatchResult,
} from '../query/execute';
import { pinyinQuery } from '../query/pinyin-fallback';
import { parseQuery } from '../query/parse';
import { planQuery, type PlanOptions, type PlanTerm, type QueryPlan } from '../query/plan';
import type { Suggester } from '../query/suggest';

/** Queries with at most this many hits get a "did you mean" suggestion when a better query exists. */
export const FEW_HITS = 2;
/**
 * A query with a few hits is searched as its Chinese correction when that finds this many
 * times as many posts, and at least this many, and every word it replaces is one jieba never
 * cut as a word in the archive: a slip of a common word (新彊 for 新疆), not a rare real word
 * with a commoner homophone (米厂 and 米长, 惠顾 and 回顾), which keeps its hits and gets a
 * suggestion.
 */
const SWITCH_RATIO = 50;
const SWITCH_MIN_DOCS = 50;

/** A query planned and matched, with how it was reinterpreted (see {@link QueryRunner.run}). */
export interface QueryRun {
  plan: QueryPlan;
  matched: MatchResult;
  interpretedAs: string | null;
  interpretedBy: 'pinyin' | 'spelling' | null;
  budget: Budget;
  /** The did-you-mean for few hits, when asked for and the query was not reinterpreted. */
  suggestion: string | null;
}

/** What a query run reads: the loaded index and the engine's query settings. */
export interface QuerySources {
  table: DocTable;
  suggester: Suggester;
  bigrams: BigramLookup;
  synonyms: Synonyms;
  segmenter: () => Segmenter;
  /** Set by the embedder; undefined picks the budget per query ({@link budgetFor}). */
  queryBudget?: number;
}

/** A query's words but its last, planned and matched (see {@link QueryRunner.relax}). */
export interface Relaxed {
  query: string;
  dropped: string;
  plan: QueryPlan;
  matched: MatchResult;
}

/** Plans and matches queries over one loaded index: the path search, export, matchIds and didYouMean share. */
export class QueryRunner {
  constructor(private readonly src: QuerySources) {}

  /**
   * Plan and match a query the one way search, export, matchIds and didYouMean share:
   * synonyms (unless turned off); a Latin-letter query that matched nothing read as
   * pinyin; a free-text query with a slip its context gives away searched corrected
   * (query/context-correction), and one that matches nothing with its minimum coverage
   * ranked on any of its words; a query that still matched nothing searched as its spelling
   * correction, when did-you-mean finds one (it only proposes sound- and look-alikes, never
   * another name).
   * With `suggest`, a query left with few hits gets its did-you-mean. One cost budget
   * covers all of it.
   */
  run(query: string, filters: MatchFilters, how: { synonyms?: boolean; reinterpret?: boolean; suggest?: boolean } = {}): QueryRun {
    const { table, suggester } = this.src;
    // Telling a four-character run found nowhere reads a few documents: at most this many per query.
    const runReads = { left: 2 * RUN_CHECK_DOCS };
    const plan = (q: string, splitUnfound = false): QueryPlan =>
      planQuery(parseQuery(q), this.src.segmenter, {
        ...this.planOptions(how.synonyms !== false),
        rareRun: (run, parts) => rareRun(table, run, parts, splitUnfound, runReads),
      });
    let first = plan(query);
    const budget = new Budget(this.src.queryBudget ?? budgetFor(first, QUERY_COST_BUDGET));
    const match = (p: QueryPlan): MatchResult =>
      p.groups.length === 0
        ? { docs: new Uint32Array(0), units: new Map(), masks: null, truncated: false }
        : matchPlan(table, p, filters, budget);
    let matched = match(first);
    if (matched.docs.length === 0 && first.mode === 'free' && first.minShould > 1 && !budget.exhausted) {
      // No post covers enough of a sentence (郭文贵是什么样的人 when no post says 什么样 too): rank what holds any of it.
      first = { ...first, minShould: 1 };
      matched = match(first);
    }
    const asTyped: QueryRun = { plan: first, matched, interpretedAs: null, interpretedBy: null, budget, suggestion: null };
    const reinterpret = how.reinterpret !== false;
    if (reinterpret && matched.docs.length === 0 && !budget.exhausted) {
      const zh = pinyinQuery(query, suggester, (q) => this.corrections(filters).count(q) > 0);
      const zhPlan = zh ? plan(zh) : null;
      const zhMatched = zhPlan ? match(zhPlan) : null;
      if (zhPlan && zhMatched && zhMatched.docs.length > 0) {
        return { plan: zhPlan, matched: zhMatched, interpretedAs: zh, interpretedBy: 'pinyin', budget, suggestion: null };
      }
    }
    if (reinterpret && first.mode === 'free' && !budget.exhausted) {
      const typed = first;
      const content = typed.terms.filter((t) => !typed.questionWords.has(t.text)).map((t) => t.text);
      const fixed = correctInContext(query, content, this.corrections(filters), (u) => matched.units.get(u)?.df ?? 0);
      const fixedPlan = fixed ? plan(fixed) : null;
      const fixedMatched = fixedPlan ? match(fixedPlan) : null;
      if (fixed && fixedPlan && fixedMatched && fixedMatched.docs.length > 0) {
        return { plan: fixedPlan, matched: fixedMatched, interpretedAs: fixed, interpretedBy: 'spelling', budget, suggestion: null };
      }
    }
    const hits = matched.docs.length;
    const few = hits <= FEW_HITS && !budget.exhausted;
    if (!((reinterpret || how.suggest) && few) || first.highlight.length === 0) return asTyped;
    const fixed = didYouMean(query, first.highlight, hits, suggester, this.corrections(filters));
    if (fixed && reinterpret) {
      const fixedPlan = plan(fixed);
      const fixedMatched = match(fixedPlan);
      // Nothing found as typed: any hit of the correction. A few hits: a Chinese correction that
      // finds far more (新彊 → 新疆); the query as typed stays one click away (asTyped).
      const found = fixedMatched.docs.length;
      const kept = normalize(fixed);
      const far =
        found >= Math.max(SWITCH_MIN_DOCS, SWITCH_RATIO * hits) &&
        onlyChineseChanged(query, fixed) &&
        first.highlight.every((u) => kept.includes(u) || suggester.df(u) === 0);
      if (found > 0 && (hits === 0 || far)) {
        return { plan: fixedPlan, matched: fixedMatched, interpretedAs: fixed, interpretedBy: 'spelling', budget, suggestion: null };
      }
    }
    if (reinterpret && hits === 0 && !budget.exhausted) {
      // A four-character run found nowhere whole, and no correction: its jieba parts apart
      // (網路審查 → 网路 审查, and 网路's synonym 网络), read as typed, not reinterpreted.
      const apart = plan(query, true);
      const apartMatched = apart.highlight.join('\u0000') !== first.highlight.join('\u0000') ? match(apart) : null;
      if (apartMatched && apartMatched.docs.length > 0)
        return { ...asTyped, plan: apart, matched: apartMatched, suggestion: how.suggest ? fixed : null };
    }
    return { ...asTyped, suggestion: how.suggest ? fixed : null };
  }

  /**
   * The posts holding every word of a plain keywords query (two or more words, no
   * operators) but its last, without those of `matched` (which hold them all): what
   * fills a page that `matched` leaves short, as Meilisearch's "last" matching strategy
   * drops words from the end. Null for other queries, or when nothing is left.
   */
  relax(plan: QueryPlan, matched: MatchResult, filters: MatchFilters, budget: Budget): Relaxed | null {
    const terms = plan.terms;
    if (plan.mode !== 'keywords' || terms.length < 2 || !terms.every((t) => t.required) || budget.exhausted) return null;
    const query = terms
      .slice(0, -1)
      .map((t) => t.text)
      .join(' ');
    // Its words are the plan's units already: no run to split again.
    const kept = planQuery(parseQuery(query), this.src.segmenter, this.planOptions(true));
    if (kept.groups.length === 0) return null;
    const found = matchPlan(this.src.table, kept, filters, budget);
    const all = new Set(matched.docs);
    const docs = found.docs.filter((d) => !all.has(d));
    return docs.length === 0 ? null : { query, dropped: terms[terms.length - 1].text, plan: kept, matched: { ...found, docs } };
  }

  /**
   * The matches that contain every listed term (or a synonym of it). Terms that are OR
   * alternatives are looked up in the text, within the query's budget: past it the
   * count covers the documents checked so far. When every term is required, that is
   * `matched.docs` itself (callers may compare by identity to skip counting twice).
   */
  fullMatchDocs(plan: QueryPlan, matched: MatchResult, budget: Budget): ArrayLike<number> {
    if (plan.terms.every((t) => t.required)) return matched.docs;
    const out: number[] = [];
    for (const d of matched.docs) {
      if (budget.exhausted) break;
      if (plan.terms.every((t) => this.holds(plan, matched, d, t, budget))) out.push(d);
    }
    return out;
  }

  /**
   * True when matched document `d` holds term `t` (or a synonym): required terms always,
   * a term that is a group of its own by the match masks, an OR alternative by its text.
   */
  holds(plan: QueryPlan, matched: MatchResult, d: number, t: PlanTerm, budget: Budget | null): boolean {
    if (t.required) return true;
    const g = plan.groups.findIndex(
      (grp, i) => plan.roles[i] !== 'required' && grp[0].units.length === 1 && grp[0].units[0].text === t.text,
    );
    if (g >= 0 && matched.masks) return (matched.masks[d] & (1 << g)) !== 0;
    return t.variants.some((u) => containsText(this.src.table, d, u, budget));
  }

  /** How queries read sentences against this index: synonyms (unless off), common parts of made-up words, compounds. */
  private planOptions(synonyms: boolean): PlanOptions {
    const { table, suggester } = this.src;
    return {
      synonyms: synonyms ? this.src.synonyms : undefined,
      commonPart: (word) => commonPart(table, word, suggester.df(word)),
      compound: (a, b) => compound(table, a, b),
    };
  }

  /** The vocabulary and match counts that "did you mean" draws on. */
  private corrections(filters: MatchFilters): CorrectionSource {
    const { suggester: s, bigrams, table } = this.src;
    return {
      sounds: s.sounds,
      df: (w) => s.df(w),
      bigramDocs: (b) => (isBigram(b) ? bigrams.count(bigramKey(b)) : 0),
      latinWords: () => s.latinWords(),
      count: (q) => {
        const plan = planQuery(parseQuery(q), this.src.segmenter);
        return plan.groups.length === 0 ? 0 : matchPlan(table, plan, filters).docs.length;
      },
    };
  }
}

/** True when `fixed` is `typed` with only Chinese characters replaced (same length, every change a CJK character). */
function onlyChineseChanged(typed: string, fixed: string): boolean {
  if (typed.length !== fixed.length) return false;
  for (let i = 0; i < typed.length; i++) {
    if (typed[i] !== fixed[i] && !(isCjk(typed.charCodeAt(i)) && isCjk(fixed.charCodeAt(i)))) return false;
  }
  return true;
}
