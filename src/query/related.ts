import { isCjk, normalize } from '../analysis/normalize';
import type { Segmenter } from '../analysis/segmenter';
import { STOP_WORDS } from '../analysis/stopwords';

/**
 * Related articles: a post's most characteristic words (jieba TF-IDF: frequent in the
 * post, rare in the archive; title words count triple) become an OR query, ranked by
 * the engine's BM25 like any search.
 */

/** A characteristic word of a post and its TF-IDF weight. */
export interface KeyTerm {
  term: string;
  weight: number;
}

/** Words read from a post's body (the start of a long post says what it is about). */
const MAX_TEXT = 20_000;
/** Words in more than this share of the archive say little about one post. */
const MAX_DF_SHARE = 0.2;

/**
 * The `k` words of a post with the highest TF-IDF. `df(word)` is the number of posts
 * containing it (0 when unknown) out of `docs`; words in a single post are skipped,
 * since they cannot relate it to another.
 */
export function keyTerms(title: string, text: string, segmenter: Segmenter, df: (word: string) => number, docs: number, k = 8): KeyTerm[] {
  const tf = new Map<string, number>();
  const add = (s: string, weight: number): void => {
    for (const w of segmenter.cut(normalize(s))) {
      if (!isKeyword(w)) continue;
      tf.set(w, (tf.get(w) ?? 0) + weight);
    }
  };
  add(title, 3);
  add(text.slice(0, MAX_TEXT), 1);
  const scored: KeyTerm[] = [];
  for (const [term, n] of tf) {
    const f = df(term);
    if (f < 2 || f >= docs || f > Math.max(10, docs * MAX_DF_SHARE)) continue;
    scored.push({ term, weight: n * Math.log(docs / f) });
  }
  return scored.sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1)).slice(0, k);
}

/** A word worth a query: 2+ CJK characters, or a Latin word of 3+ letters; no stop words. */
function isKeyword(w: string): boolean {
  if (STOP_WORDS.has(w)) return false;
  if (w.length >= 2 && [...w].every((c) => isCjk(c.charCodeAt(0)))) return true;
  return w.length >= 3 && /^[a-z][a-z0-9]*$/.test(w);
}
