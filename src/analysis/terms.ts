import { countBigrams } from './bigrams';
import { countIndexedWords, INDEXED_WORDS } from './indexed-words';
import { isCjk, isWordChar } from './normalize';
import type { Segmenter } from './segmenter';
import { STOP_WORDS } from './stopwords';

/**
 * Index terms of zhsearch, all derived from normalized text:
 * - every pair of adjacent CJK characters (bigram), kept as integer keys in the bigram
 *   posting store: any 2-character word is found exactly, and longer words are found
 *   by the AND of their bigrams plus a check against the stored text, whatever jieba
 *   did with the document;
 * - "word terms" for FlexSearch: jieba search-mode words of 3 or more CJK characters
 *   (2-character words are bigrams already), which feed suggestions and let ranking
 *   prefer real words, plus the words of {@link INDEXED_WORDS} wherever they occur,
 *   and Latin/number runs (`iphone`, `covid`, `19`, `5g`) minus
 *   English stop words, plurals folded to the singular ({@link foldPlural}).
 * Single CJK characters are not indexed; queries for them scan the stored text.
 */

/** Words ending in s that are not plurals (or whose singular would mislead). */
const NOT_PLURAL: ReadonlySet<string> = new Set([
  'news',
  'series',
  'species',
  'means',
  'always',
  'perhaps',
  'whereas',
  'thus',
  'across',
  'analysis',
  'basis',
  'crisis',
  'thesis',
  'status',
  'campus',
  'virus',
  'bonus',
  'census',
  'consensus',
  'focus',
  'bias',
  'atlas',
  'chaos',
  'canvas',
  'lens',
  'politics',
  'economics',
  'physics',
  'mathematics',
  'ethics',
  'tactics',
  'sometimes',
]);

/**
 * The singular of a Latin word for matching (`sanctions` → `sanction`, `policies` →
 * `policy`, `boxes` → `box`); other words unchanged. Applied to index terms and query
 * words alike, so either form finds both. Deliberately a plural folder, not a stemmer:
 * `sanctioned` stays itself.
 */
export function foldPlural(w: string): string {
  const n = w.length;
  if (n < 4 || w.charCodeAt(n - 1) !== 0x73 /* s */ || NOT_PLURAL.has(w) || !/^[a-z]+$/.test(w)) return w;
  if (/(?:ss|us|is|ous)$/.test(w)) return w;
  if (n > 4 && w.endsWith('ies')) return w.slice(0, -3) + 'y';
  if (/(?:sses|shes|ches|xes|zes)$/.test(w)) return w.slice(0, -2);
  return w.slice(0, -1);
}

/** One run of the same script inside normalized text. */
export interface Run {
  kind: 'cjk' | 'word';
  text: string;
  start: number;
}

/** Split normalized text into CJK runs and Latin/number runs; everything else separates. */
export function runs(text: string): Run[] {
  const out: Run[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isCjk(c)) {
      let j = i + 1;
      while (j < n && isCjk(text.charCodeAt(j))) j++;
      out.push({ kind: 'cjk', text: text.slice(i, j), start: i });
      i = j;
    } else if (isWordChar(c)) {
      let j = i + 1;
      while (j < n && isWordChar(text.charCodeAt(j))) j++;
      out.push({ kind: 'word', text: text.slice(i, j), start: i });
      i = j;
    } else {
      i++;
    }
  }
  return out;
}

/** True when a CJK string is made of CJK ideographs only. */
export function allCjk(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isCjk(s.charCodeAt(i))) return false;
  return s.length > 0;
}

/** Where {@link countTerms} accumulates a document's terms. */
export interface TermCounts {
  /** Word terms (jieba words of 3+ characters, Latin runs) → weighted occurrences. */
  words: Map<string, number>;
  /** Bigram keys (see analysis/bigrams) → weighted occurrences; null to count words only. */
  bigrams: Map<number, number> | null;
  /** Suggestion vocabulary: jieba words of 2+ characters and Latin words of 3+ letters. */
  vocab?: Set<string>;
}

/** Count the index terms of one normalized field, each occurrence weighted by `weight`. */
export function countTerms(text: string, segmenter: Segmenter | null, out: TermCounts, weight: number): void {
  const { words, vocab } = out;
  const add = (t: string): void => {
    words.set(t, (words.get(t) ?? 0) + weight);
  };
  if (out.bigrams) countBigrams(text, weight, out.bigrams);
  // One segmenter call per field, over the Chinese runs joined by spaces: native calls
  // are costly and jieba never joins words across a space.
  const long: string[] = [];
  for (const run of runs(text)) {
    const s = run.text;
    if (run.kind === 'word') {
      if (!STOP_WORDS.has(s)) {
        add(foldPlural(s));
        if (vocab && s.length >= 3 && !/^\d+$/.test(s)) vocab.add(s);
      }
    } else if (s.length >= 3) {
      long.push(s);
    } else if (vocab && s.length === 2) {
      vocab.add(s);
    }
  }
  countIndexedWords(text, out.bigrams, weight, words);
  if (!segmenter || long.length === 0) return;
  for (const w of segmenter.cutForSearch(long.join(' '))) {
    if (w.length < 2 || !allCjk(w)) continue;
    // Indexed words were counted by occurrence, jieba's cuts of them included.
    if (w.length >= 3 && !INDEXED_WORDS.has(w)) add(w);
    if (vocab) vocab.add(w);
  }
}

/**
 * The terms that retrieve candidates for one query unit (a normalized string without
 * spaces): its bigrams and Latin runs. `exact` tells whether the AND of these terms is
 * already exactly the set of texts containing the unit (one bigram or one Latin run);
 * otherwise candidates must be checked against the stored text. An empty list means
 * the unit has no indexed term (a lone CJK character) and must be found by scanning.
 */
export function unitTerms(unit: string): { terms: string[]; exact: boolean } {
  const terms: string[] = [];
  const rs = runs(unit);
  for (const run of rs) {
    if (run.kind === 'word') {
      if (!STOP_WORDS.has(run.text)) terms.push(foldPlural(run.text));
    } else {
      for (let i = 0; i + 1 < run.text.length; i++) terms.push(run.text.slice(i, i + 2));
    }
  }
  const uniq = [...new Set(terms)];
  const exact = rs.length === 1 && uniq.length === 1 && rs[0].text === unit && (rs[0].kind === 'word' || unit.length === 2);
  return { terms: uniq, exact };
}
