import { normalize } from '../analysis/normalize';
import type { Segmenter } from '../analysis/segmenter';
import { STOP_WORDS } from '../analysis/stopwords';
import { allCjk, runs, unitTerms } from '../analysis/terms';
import type { Synonyms } from '../analysis/synonyms';
import type { Clause, ParsedQuery } from './parse';

/**
 * A query unit: a normalized string that a matching document must contain, plus the
 * index terms that retrieve candidates for it. Units of up to {@link MAX_UNIT_CJK}
 * Chinese characters are matched as substrings (the way Chinese readers expect);
 * longer runs are split into jieba words first.
 */
export interface Unit {
  text: string;
  terms: string[];
  /** True when the AND of `terms` is exactly the set of texts containing `text`. */
  exact: boolean;
  /** True when the unit can also be an indexed jieba word (3+ Chinese characters). */
  word: boolean;
}

/** A clause ready to execute: all its units must occur in the chosen field. */
export interface ClausePlan {
  units: Unit[];
  field: 'all' | 'title';
  /** The clause's whole normalized text when it has several units (phrase bonus). */
  whole: string | null;
  /** True for a copy made by synonym expansion. */
  synonym?: boolean;
}

/** An executable query. */
export interface QueryPlan {
  groups: ClausePlan[][];
  excluded: ClausePlan[];
  /** Every positive unit text, for highlighting and scoring (synonyms included). */
  highlight: string[];
  /** The units of `highlight` that only synonym expansion added: they score {@link SYNONYM_WEIGHT}. */
  synonyms: ReadonlySet<string>;
}

/** A synonym's score counts this much of the literal word's (its matches rank below). */
export const SYNONYM_WEIGHT = 0.5;
/** At most this many clauses come out of expanding one clause with synonyms. */
const MAX_EXPANSIONS = 8;

/** Chinese runs up to this length are one unit; longer ones are segmented. */
export const MAX_UNIT_CJK = 4;

/**
 * Turn a parsed query into units; clauses left with no unit (punctuation, stop words)
 * are dropped. A word (not a quoted phrase) with synonyms becomes an OR of the clause
 * with each synonym in its place.
 */
export function planQuery(parsed: ParsedQuery, segmenter: () => Segmenter, synonyms?: Synonyms): QueryPlan {
  const toPlans = (c: Clause): ClausePlan[] => {
    const p = planClause(c, segmenter);
    if (!p) return [];
    return synonyms && !c.phrase ? expand(p, synonyms) : [p];
  };
  const groups = parsed.groups.map((g) => g.flatMap(toPlans)).filter((g) => g.length > 0);
  const excluded = parsed.excluded.flatMap(toPlans);
  const literal = new Set(groups.flat().flatMap((c) => (c.synonym ? [] : c.units.map((u) => u.text))));
  const highlight = [...new Set(groups.flat().flatMap((c) => c.units.map((u) => u.text)))];
  return { groups, excluded, highlight, synonyms: new Set(highlight.filter((u) => !literal.has(u))) };
}

/** The clause, then copies with one or more units replaced by their synonyms. */
function expand(plan: ClausePlan, synonyms: Synonyms): ClausePlan[] {
  let variants: Unit[][] = [plan.units];
  for (let k = 0; k < plan.units.length; k++) {
    const alts = synonyms.of(plan.units[k].text);
    if (alts.length === 0) continue;
    const next: Unit[][] = [];
    for (const v of variants) {
      next.push(v);
      for (const alt of alts) {
        const unit = makeUnit(alt);
        if (unit && next.length < MAX_EXPANSIONS) next.push(v.map((u, j) => (j === k ? unit : u)));
      }
    }
    variants = next;
  }
  // A long word that jieba split (阿富汗塔利班 → 阿富汗 塔利班) is looked up whole too.
  if (plan.whole) {
    for (const alt of synonyms.of(plan.whole)) {
      const unit = makeUnit(alt);
      if (unit && variants.length < MAX_EXPANSIONS) variants.push([unit]);
    }
  }
  return variants.map((units, i) => (i === 0 ? plan : { units: dedupe(units), field: plan.field, whole: null, synonym: true }));
}

function planClause(clause: Clause, segmenter: () => Segmenter): ClausePlan | null {
  const text = trimEdges(normalize(clause.text).replace(/\s+/g, ' '));
  if (text === '') return null;
  if (clause.phrase) {
    const unit = makeUnit(text);
    return unit ? { units: [unit], field: clause.field, whole: null } : null;
  }
  // Punctuation typed between words (`城市，拥堵`) separates them like a space would.
  const pieces = text
    .split(SEPARATORS)
    .map(trimEdges)
    .filter((p) => p !== '');
  const units: Unit[] = [];
  const singles: Unit[] = [];
  for (const piece of pieces) pieceUnits(piece, segmenter, units, singles);
  // A lone character inside a long chunk (说, 将) carries little meaning; keep it only if nothing else is left.
  const all = dedupe(units.length > 0 ? units : singles);
  if (all.length === 0) return null;
  return { units: all, field: clause.field, whole: all.length > 1 ? text : null };
}

/**
 * Characters that separate words inside one typed chunk: everything but letters, digits
 * and the characters that join parts of one Latin term (`covid-19`, `node.js`, `c++`).
 */
const SEPARATORS = /[^\p{L}\p{N}\p{M}\-.'_+#&@/]+/u;

/** Units of one piece without separators: the piece itself, or its jieba words when it is long. */
function pieceUnits(piece: string, segmenter: () => Segmenter, units: Unit[], singles: Unit[]): void {
  const rs = runs(piece);
  const long = rs.some((r) => r.kind === 'cjk' && r.text.length > MAX_UNIT_CJK);
  if (!long) {
    if (rs.length === 1 && rs[0].text === piece && STOP_WORDS.has(piece)) return;
    const unit = makeUnit(piece);
    if (unit) units.push(unit);
    return;
  }
  for (const r of rs) {
    const words = r.kind === 'cjk' && r.text.length > MAX_UNIT_CJK ? segmenter().cut(r.text) : [r.text];
    for (const w of words) {
      if (STOP_WORDS.has(w)) continue;
      const unit = makeUnit(w);
      if (!unit) continue;
      (w.length === 1 && r.kind === 'cjk' ? singles : units).push(unit);
    }
  }
}

function makeUnit(text: string): Unit | null {
  if (text === '') return null;
  const { terms, exact } = unitTerms(text);
  // A plural matches by its singular term; the text that highlights and counts
  // occurrences is what both forms share (`sanction` of sanctions, `polic` of policies).
  const shown = exact && terms.length === 1 && terms[0] !== text ? commonPrefix(text, terms[0]) : text;
  return { text: shown, terms, exact, word: text.length >= 3 && allCjk(text) };
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

function dedupe(units: Unit[]): Unit[] {
  const seen = new Set<string>();
  return units.filter((u) => (seen.has(u.text) ? false : (seen.add(u.text), true)));
}

/** Strip punctuation and spaces at both ends: `政府，` and `(政府)` mean 政府. */
function trimEdges(s: string): string {
  return s.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}
