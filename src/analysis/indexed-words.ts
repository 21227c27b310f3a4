import { fnv1a } from '../hash';
import { bigramKey } from './bigrams';
import { isCjk, isWordChar } from './normalize';
import { Synonyms } from './synonyms';
import { DEFAULT_SYNONYMS } from './synonyms.default';

/**
 * Words of the default synonym list that the index holds as word terms wherever they
 * occur, not only where jieba cuts them: those of 3+ Chinese characters and those that
 * mix runs (covid-19); a lone bigram or Latin word is an exact term already. jieba never
 * cuts some of them (新冠病毒, 新型冠状病毒, 世卫组织), and `covid-19` is two Latin
 * terms: without this, a query for one of them, or for a synonym that expands to them,
 * read the body of every candidate to confirm it. With it, their word postings are
 * exactly the documents that hold them, and a match is a real-word match for ranking.
 */
export const INDEXED_WORDS: ReadonlySet<string> = new Set(
  new Synonyms(DEFAULT_SYNONYMS, 'default synonyms').members().filter((w) => w.length >= 3 && !/\s/.test(w) && !latinOnly(w)),
);

/** True for a string of Latin letters and digits only: one Latin term, exact already. */
function latinOnly(w: string): boolean {
  return [...w].every((c) => isWordChar(c.charCodeAt(0)));
}

/** A tag of {@link INDEXED_WORDS} for the term scheme: an index built with another list is rebuilt. */
export const INDEXED_WORDS_TAG = `known-${fnv1a([...INDEXED_WORDS].sort().join('\n'))
  .toString(16)
  .padStart(8, '0')}`;

/**
 * Set each indexed word's count in `words` to its occurrences in normalized `text` times
 * `weight`, added to what earlier fields counted. `bigrams`, the text's bigram counts when
 * known, rules most words out without searching the text.
 */
export function countIndexedWords(
  text: string,
  bigrams: ReadonlyMap<number, number> | null,
  weight: number,
  words: Map<string, number>,
): void {
  for (const w of INDEXED_WORDS) {
    if (bigrams && isCjk(w.charCodeAt(0)) && isCjk(w.charCodeAt(1)) && !bigrams.has(bigramKey(w))) continue;
    let n = 0;
    for (let at = text.indexOf(w); at >= 0; at = text.indexOf(w, at + w.length)) n++;
    if (n > 0) words.set(w, (words.get(w) ?? 0) + n * weight);
  }
}
