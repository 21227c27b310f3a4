// Over 300 lines: segmentation into units, synonym expansion and question-word roles build one plan together.
import { isCjk, normalize } from '../analysis/normalize';
import { intentWords, isQueryWord } from '../analysis/query-words';
import type { Segmenter } from '../analysis/segmenter';
import { STOP_WORDS } from '../analysis/stopwords';
import { INDEXED_WORDS } from '../analysis/indexed-words';
import { allCjk, runs, unitTerms } from '../analysis/terms';
import { Synonyms } from '../analysis/synonyms';
import { QueryError, type Clause, type ParsedQuery } from './parse';

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
  /** True when the unit can also be a word term: a jieba word (3+ Chinese characters) or one of analysis/indexed-words. */
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

/**
 * How a group of the plan constrains matches: `required` groups must all match (today's
 * exact semantics); a document must match at least {@link QueryPlan.minShould} of the
 * `should` groups (free text); `bonus` groups (question words) only add to the score.
 */
export type GroupRole = 'required' | 'should' | 'bonus';

/**
 * How the query was read: `exact` when it uses operators (quotes, OR, -, title:), where
 * every group is required; `keywords` for one or two typed words (each required,
 * question words optional); `free` for three or more words or a sentence typed without
 * spaces, where documents are ranked by how much of the query they cover.
 */
export type QueryMode = 'exact' | 'keywords' | 'free';

/** A term of the query as listed in the answer (see SearchResult.terms). */
export interface PlanTerm {
  text: string;
  /** True when every match contains the term (or one of its synonyms). */
  required: boolean;
  /** The term and the synonyms that stand for it, as unit texts. */
  variants: string[];
}

/** An executable query. */
export interface QueryPlan {
  groups: ClausePlan[][];
  /** Per group, parallel to `groups`. */
  roles: GroupRole[];
  /** Least number of `should` groups a match contains. */
  minShould: number;
  excluded: ClausePlan[];
  /** Every positive unit text, for highlighting and scoring (synonyms included). */
  highlight: string[];
  /** The units of `highlight` that only synonym expansion added (no part in proximity bonuses). */
  synonyms: ReadonlySet<string>;
  /** Unit text → the listed term it stands for (a synonym maps to the word typed). */
  conceptOf: ReadonlyMap<string, string>;
  /** The listed terms: literal units of the positive groups. */
  terms: PlanTerm[];
  /** Units that are question words: they weigh {@link QUESTION_WORD_WEIGHT}. */
  questionWords: ReadonlySet<string>;
  /**
   * Units added for what a question asks (原因 for 为什么; analysis/query-words
   * QUESTION_INTENTS): bonus only, weighing {@link INTENT_WORD_WEIGHT}, never listed as terms.
   */
  intentWords: ReadonlySet<string>;
  /** Runs that were split into words: rewarded when a document holds them whole. */
  wholes: string[];
  mode: QueryMode;
}

/** A synonym's score counts this much of the literal word's: synonyms score like the word typed. */
export const SYNONYM_WEIGHT = 1;
/** A question word's score counts this much of a content word's: it hints at the kind of text, not the topic. */
export const QUESTION_WORD_WEIGHT = 0.2;
/** An intent word's score counts this much of a content word's: it hints at the kind of answer. */
export const INTENT_WORD_WEIGHT = 0.5;
/** At most this many clauses come out of expanding one clause with synonyms. */
const MAX_EXPANSIONS = 8;
/**
 * Most distinct units (words, phrases, excluded words included) a query may hold: each
 * costs a posting-list walk or a text scan, and no natural query needs more.
 */
export const MAX_TERMS = 32;

/** Longest split run still rewarded when a document holds it whole (compounds, not sentences). */
const MAX_WHOLE_CJK = 8;

/** Chinese runs up to this length are one unit; longer ones are segmented. */
export const MAX_UNIT_CJK = 4;

/** Options of {@link planQuery}. */
export interface PlanOptions {
  synonyms?: Synonyms;
  /**
   * True when a four-character run is rare as a whole compared with its jieba parts
   * together: it is then matched by its parts (the whole still ranks first).
   */
  rareRun?: (run: string, parts: readonly string[]) => boolean;
  /**
   * For a three-character word jieba cut from a sentence, its far more common
   * two-character part when the word itself is (almost) never found, else null.
   */
  commonPart?: (word: string) => string | null;
  /** True when two content words typed next to each other in a sentence form a compound. */
  compound?: (a: string, b: string) => boolean;
}

/**
 * Turn a parsed query into units; clauses left with no unit (punctuation, stop words)
 * are dropped and repeated clauses merged. A word (not a quoted phrase) with synonyms
 * becomes an OR of the clause with each synonym in its place. Throws
 * {@link QueryError} (parameter `q`) beyond {@link MAX_TERMS} distinct units.
 */
export function planQuery(parsed: ParsedQuery, segmenter: () => Segmenter, options: PlanOptions | Synonyms = {}): QueryPlan {
  const opts: PlanOptions = options instanceof Synonyms ? { synonyms: options } : options;
  const synonyms = opts.synonyms;
  const split: SplitState = {
    segmenter,
    rareRun: opts.rareRun ?? null,
    commonPart: opts.commonPart ?? null,
    compound: opts.compound ?? null,
    known: (w) => (synonyms ? synonyms.of(w).length > 0 : false),
    wholes: [],
    longRun: false,
  };
  const conceptOf = new Map<string, string>();
  const toPlans = (p: ClausePlan | null, phrase: boolean): ClausePlan[] => {
    if (!p) return [];
    for (const u of p.units) if (!conceptOf.has(u.text)) conceptOf.set(u.text, u.text);
    return synonyms && !phrase ? expand(p, synonyms, conceptOf) : [p];
  };
  const groupsIn = dedupeGroups(parsed.groups);
  const excludedIn = dedupeClauses(parsed.excluded);
  const operators = excludedIn.length > 0 || groupsIn.some((g) => g.length > 1 || g.some((c) => c.phrase || c.field !== 'all'));
  const groups: ClausePlan[][] = [];
  const roles: GroupRole[] = [];
  const questionWords = new Set<string>();
  const intentUnits = new Set<string>();
  let minShould = 0;
  let mode: QueryMode = 'exact';
  if (operators) {
    for (const g of groupsIn) {
      const plans = g.flatMap((c) => toPlans(planClause(c, split), c.phrase));
      if (plans.length > 0) {
        groups.push(plans);
        roles.push('required');
      }
    }
  } else {
    // Words typed without operators: content words, and question words kept apart.
    const chunks = groupsIn.map((g) => chunkUnits(g[0], split)).filter((c) => c.units.length > 0);
    const content = chunks.filter((c) => c.content.length > 0);
    mode = split.longRun || content.length >= 3 ? 'free' : 'keywords';
    if (mode === 'keywords') {
      // One or two words typed apart are keywords, question words included: each is required.
      for (const c of chunks) {
        const units = c.units;
        groups.push(toPlans({ units, field: 'all', whole: units.length > 1 ? c.whole : null }, false));
        roles.push('required');
      }
    } else {
      const units = dedupeUnits(content.flatMap((c) => c.content));
      for (const u of units) {
        groups.push(toPlans({ units: [u], field: 'all', whole: null }, false));
        roles.push('should');
      }
      const n = units.length;
      minShould = n <= 2 ? n : Math.max(2, Math.ceil(n / 2));
    }
    const question =
      mode === 'keywords'
        ? []
        : dedupeUnits(chunks.flatMap((c) => c.question)).filter((u) => !groups.some((g) => g[0].units.some((v) => v.text === u.text)));
    for (const u of question) {
      questionWords.add(u.text);
      groups.push(toPlans({ units: [u], field: 'all', whole: null }, false));
      // A query of question words alone still needs them.
      roles.push(content.length === 0 ? 'required' : 'bonus');
    }
    if (mode === 'free' && content.length > 0) {
      const typed = normalize(parsed.groups.map((g) => g[0].text).join(' '));
      for (const w of intentWords(typed)) {
        const unit = makeUnit(w);
        if (!unit || groups.some((g) => g.some((c) => c.units.some((v) => v.text === w)))) continue;
        intentUnits.add(w);
        groups.push([{ units: [unit], field: 'all', whole: null, synonym: true }]);
        roles.push('bonus');
      }
    }
  }
  const excluded = excludedIn.flatMap((c) => toPlans(planClause(c, split), c.phrase));
  const literal = new Set(groups.flat().flatMap((c) => (c.synonym ? [] : c.units.map((u) => u.text))));
  const highlight = [...new Set(groups.flat().flatMap((c) => c.units.map((u) => u.text)))];
  const distinct = new Set([...highlight, ...excluded.flatMap((c) => c.units.map((u) => u.text))]);
  if (distinct.size > MAX_TERMS) {
    throw new QueryError(`q has too many terms: ${distinct.size} distinct words or phrases, at most ${MAX_TERMS}`, 'q');
  }
  const terms: PlanTerm[] = [];
  const listed = new Set<string>();
  groups.forEach((g, i) => {
    const literals = g.filter((c) => !c.synonym);
    for (const c of literals) {
      for (const u of c.units) {
        if (listed.has(u.text)) continue;
        listed.add(u.text);
        const variants = highlight.filter((h) => conceptOf.get(h) === u.text);
        terms.push({
          text: u.text,
          required: roles[i] === 'required' && literals.length === 1,
          variants: variants.length > 0 ? variants : [u.text],
        });
      }
    }
  });
  return {
    groups,
    roles,
    minShould,
    excluded,
    highlight,
    synonyms: new Set(highlight.filter((u) => !literal.has(u))),
    conceptOf,
    terms,
    questionWords,
    intentWords: intentUnits,
    wholes: [...new Set(split.wholes)],
    mode,
  };
}

/** Merge groups typed twice (`中 中 中`): the same words the same way. */
function dedupeGroups(groups: Clause[][]): Clause[][] {
  const seen = new Set<string>();
  const out: Clause[][] = [];
  for (const g of groups) {
    const clauses = dedupeClauses(g);
    const key = clauses.map(clauseKey).sort().join('\u0001');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(clauses);
  }
  return out;
}

function dedupeClauses(clauses: Clause[]): Clause[] {
  const seen = new Set<string>();
  return clauses.filter((c) => {
    const k = clauseKey(c);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

function clauseKey(c: Clause): string {
  return `${c.field}\u0000${c.phrase ? 'p' : 'w'}\u0000${normalize(c.text).replace(/\s+/g, ' ').trim()}`;
}

/** State of the splitting of one query's runs into words. */
interface SplitState {
  segmenter: () => Segmenter;
  rareRun: PlanOptions['rareRun'] | null;
  commonPart: PlanOptions['commonPart'] | null;
  compound: PlanOptions['compound'] | null;
  /** True for a word of the synonym list: a known term, never split. */
  known: (word: string) => boolean;
  /** Runs matched by their parts, for the whole-run bonus. */
  wholes: string[];
  /** True once a run longer than {@link MAX_UNIT_CJK} was split (a sentence typed without spaces). */
  longRun: boolean;
}

/** A typed word's units: content units, and question words found inside it. */
interface ChunkUnits {
  units: Unit[];
  content: Unit[];
  question: Unit[];
  whole: string;
}

function chunkUnits(clause: Clause, split: SplitState): ChunkUnits {
  const whole = trimEdges(normalize(clause.text).replace(/\s+/g, ' '));
  const p = planClause(clause, split);
  const units = p ? p.units : [];
  const content = units.filter((u) => !isQueryWord(u.text));
  const question = units.filter((u) => isQueryWord(u.text));
  return { units, content, question, whole };
}

/** The clause, then copies with one or more units replaced by their synonyms. */
function expand(plan: ClausePlan, synonyms: Synonyms, conceptOf: Map<string, string>): ClausePlan[] {
  let variants: Unit[][] = [plan.units];
  for (let k = 0; k < plan.units.length; k++) {
    const alts = synonyms.of(plan.units[k].text);
    if (alts.length === 0) continue;
    const next: Unit[][] = [];
    for (const v of variants) {
      next.push(v);
      for (const alt of alts) {
        const unit = makeUnit(alt);
        if (unit && next.length < MAX_EXPANSIONS) {
          if (!conceptOf.has(unit.text)) conceptOf.set(unit.text, conceptOf.get(plan.units[k].text) ?? plan.units[k].text);
          next.push(v.map((u, j) => (j === k ? unit : u)));
        }
      }
    }
    variants = next;
  }
  // A long word that jieba split (阿富汗塔利班 → 阿富汗 塔利班) is looked up whole too.
  if (plan.whole) {
    for (const alt of synonyms.of(plan.whole)) {
      const unit = makeUnit(alt);
      if (unit && variants.length < MAX_EXPANSIONS) {
        if (!conceptOf.has(unit.text)) conceptOf.set(unit.text, plan.units[0].text);
        variants.push([unit]);
      }
    }
  }
  return variants.map((units, i) => (i === 0 ? plan : { units: dedupeUnits(units), field: plan.field, whole: null, synonym: true }));
}

function planClause(clause: Clause, split: SplitState): ClausePlan | null {
  const text = trimEdges(normalize(clause.text).replace(/\s+/g, ' '));
  if (text === '') return null;
  if (clause.phrase) {
    // Inside quotes a space between Chinese characters means nothing: "香港 警察" is 香港警察.
    const unit = makeUnit(joinCjkSpaces(text));
    return unit ? { units: [unit], field: clause.field, whole: null } : null;
  }
  // Punctuation typed between words (`城市，拥堵`) separates them like a space would.
  const pieces = text
    .split(SEPARATORS)
    .map(trimEdges)
    .filter((p) => p !== '');
  const units: Unit[] = [];
  const singles: Unit[] = [];
  for (const piece of pieces) pieceUnits(piece, split, units, singles);
  // A lone character inside a long chunk (说, 将) carries little meaning; keep it only if nothing else is left.
  const all = dedupeUnits(units.length > 0 ? units : singles);
  if (all.length === 0) return null;
  return { units: all, field: clause.field, whole: all.length > 1 ? text : null };
}

/** Remove whitespace that stands between two CJK characters. */
export function joinCjkSpaces(s: string): string {
  return s.replace(/\s+/g, (sp, at: number) =>
    at > 0 && at + sp.length < s.length && isCjk(s.charCodeAt(at - 1)) && isCjk(s.charCodeAt(at + sp.length)) ? '' : sp,
  );
}

/**
 * Characters that separate words inside one typed chunk: everything but letters, digits
 * and the characters that join parts of one Latin term (`covid-19`, `node.js`, `c++`).
 */
const SEPARATORS = /[^\p{L}\p{N}\p{M}\-.'_+#&@/]+/u;

/**
 * Units of one piece without separators: the piece itself, or its jieba words when it
 * holds a run longer than {@link MAX_UNIT_CJK}, or a four-character run that is rare as
 * a whole (its parts are then matched apart, the whole rewarded).
 */
function pieceUnits(piece: string, split: SplitState, units: Unit[], singles: Unit[]): void {
  const rs = runs(piece);
  if (split.known(piece)) {
    const unit = makeUnit(piece);
    if (unit) units.push(unit);
    return;
  }
  const long = rs.some((r) => r.kind === 'cjk' && r.text.length > MAX_UNIT_CJK);
  if (!long && rs.some((r) => r.kind === 'cjk') && rs.some((r) => r.kind === 'word')) {
    // Latin and Chinese typed together (VPN推荐, 5G网络) are two words, as if a space stood between them.
    split.wholes.push(piece);
    for (const r of rs) pieceUnits(r.text, split, units, singles);
    return;
  }
  if (!long) {
    if (rs.length === 1 && rs[0].text === piece && STOP_WORDS.has(piece)) return;
    if (rs.length === 1 && rs[0].text === piece && rs[0].kind === 'cjk' && piece.length === MAX_UNIT_CJK && split.rareRun) {
      const parts = split.segmenter().cut(piece);
      if (parts.length >= 2 && parts.every((w) => w.length >= 2) && split.rareRun(piece, parts)) {
        split.wholes.push(piece);
        for (const w of parts) {
          const unit = makeUnit(w);
          if (unit) units.push(unit);
        }
        return;
      }
    }
    const unit = makeUnit(piece);
    if (unit) units.push(unit);
    return;
  }
  split.longRun = true;
  for (const r of rs) {
    const words = r.kind === 'cjk' && r.text.length > MAX_UNIT_CJK ? joinKnown(split.segmenter().cut(r.text), split.known) : [r.text];
    // A compound typed without spaces is rewarded whole; a whole sentence never occurs as such.
    if (words.length > 1 && r.text.length <= MAX_WHOLE_CJK) split.wholes.push(r.text);
    else if (words.length > 1 && r.kind === 'cjk' && split.compound) split.wholes.push(...compounds(words, split.compound));
    for (const typed of words) {
      if (STOP_WORDS.has(typed)) continue;
      // A word jieba made up across a word boundary (说谷歌) is searched by its real part; the whole still ranks first.
      const part = words.length > 1 && typed.length === 3 && allCjk(typed) && split.commonPart ? split.commonPart(typed) : null;
      if (part) split.wholes.push(typed);
      const w = part ?? typed;
      const unit = makeUnit(w);
      if (!unit) continue;
      (w.length === 1 && r.kind === 'cjk' ? singles : units).push(unit);
    }
  }
}

/** Words of a synonym-list word that jieba cuts apart, at most (新型 + 冠状病毒: 2). */
const KNOWN_SPAN = 4;

/**
 * Words jieba cut apart that together spell a word of the synonym list (新型 + 冠状病毒 =
 * 新型冠状病毒) are that word, as when it is typed alone: one concept, found by its synonyms too.
 */
function joinKnown(words: readonly string[], known: (word: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length;) {
    let j = Math.min(words.length, i + KNOWN_SPAN);
    while (j > i + 1 && !known(words.slice(i, j).join(''))) j--;
    out.push(words.slice(i, j).join(''));
    i = j;
  }
  return out;
}

/**
 * The compounds jieba split inside a typed sentence (社会/信用/体系 in 社会信用体系是怎么…):
 * chains of content words standing next to each other, each pair a compound by
 * `isCompound`. Function words, question words and lone characters end a chain.
 */
function compounds(words: readonly string[], isCompound: (a: string, b: string) => boolean): string[] {
  const out: string[] = [];
  let chain: string[] = [];
  const close = (): void => {
    const text = chain.join('');
    if (chain.length > 1 && text.length <= MAX_WHOLE_CJK) out.push(text);
    chain = [];
  };
  for (const w of words) {
    const content = w.length >= 2 && allCjk(w) && !STOP_WORDS.has(w) && !isQueryWord(w);
    if (!content) close();
    else if (chain.length > 0 && !isCompound(chain[chain.length - 1], w)) {
      close();
      chain.push(w);
    } else chain.push(w);
  }
  close();
  return out;
}

function makeUnit(text: string): Unit | null {
  if (text === '') return null;
  const { terms, exact } = unitTerms(text);
  // A plural matches by its singular term; the text that highlights and counts
  // occurrences is what both forms share (`sanction` of sanctions, `polic` of policies).
  const shown = exact && terms.length === 1 && terms[0] !== text ? commonPrefix(text, terms[0]) : text;
  return { text: shown, terms, exact, word: (text.length >= 3 && allCjk(text)) || INDEXED_WORDS.has(text) };
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

function dedupeUnits(units: Unit[]): Unit[] {
  const seen = new Set<string>();
  return units.filter((u) => (seen.has(u.text) ? false : (seen.add(u.text), true)));
}

/** Strip punctuation and spaces at both ends: `政府，` and `(政府)` mean 政府. */
function trimEdges(s: string): string {
  return s.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}
