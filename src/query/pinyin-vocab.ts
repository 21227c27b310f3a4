import { readingsOfCode } from '../analysis/char-readings';

/** What a character at one position must satisfy, given its readings. */
export type CharTest = (readings: readonly string[], code: number) => boolean;

/** A vocabulary word found by sound, with its document frequency. */
export interface SoundMatch {
  word: string;
  df: number;
}

/**
 * The Chinese part of the suggestion vocabulary, searchable by sound: words whose
 * characters, position by position, have readings passing the given tests (typed
 * pinyin). Readings come from the precomputed table (analysis/char-readings), and the
 * vocabulary is read by binary search on first characters, so nothing is built at load
 * or on first use.
 */
export class PinyinVocab {
  /** `words` sorted by code unit (as the vocabulary is stored), `dfs` aligned with them. */
  constructor(
    private readonly words: readonly string[],
    private readonly dfs: Uint32Array,
  ) {}

  /** Readings of one character, the usual one first (empty for a character without pinyin). */
  readingsOf(code: number): readonly string[] {
    return readingsOfCode(code);
  }

  /**
   * Call `visit` with every vocabulary word of `length` code units that starts with the
   * character `code` and occurs in at least `minDf` documents (a binary search, then the
   * words of that character only).
   */
  startingWith(code: number, length: number, minDf: number, visit: (word: string, df: number) => void): void {
    const first = String.fromCharCode(code);
    for (let i = lowerBound(this.words, first); i < this.words.length; i++) {
      const w = this.words[i];
      if (w.charCodeAt(0) !== code) break;
      if (w.length === length && this.dfs[i] >= minDf) visit(w, this.dfs[i]);
    }
  }

  /**
   * Words of exactly `tests.length` characters passing every test, most frequent first.
   * Only words starting with one of `firstCodes` are read (each a binary search away),
   * so a search costs the words of those characters, not the whole vocabulary.
   */
  find(tests: readonly CharTest[], firstCodes: Iterable<number>, limit: number, minDf = 1): SoundMatch[] {
    if (tests.length < 2 || tests.length > MAX_WORD_CHARS) return [];
    const n = tests.length;
    const out: SoundMatch[] = [];
    for (const code of firstCodes) {
      if (!tests[0](readingsOfCode(code), code)) continue;
      this.startingWith(code, n, minDf, (w, df) => {
        for (let k = 1; k < n; k++) {
          const c = w.charCodeAt(k);
          if (!tests[k](readingsOfCode(c), c)) return;
        }
        out.push({ word: w, df });
      });
    }
    out.sort((a, b) => b.df - a.df || (a.word < b.word ? -1 : 1));
    return out.slice(0, limit);
  }
}

/** Longer sound patterns find nothing worth suggesting (and would scan a lot). */
const MAX_WORD_CHARS = 8;

/** The first index of sorted `words` whose word is not below `prefix` (where words with that prefix start). */
export function lowerBound(words: readonly string[], prefix: string): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
