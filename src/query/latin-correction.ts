import { popcount } from '../analysis/simhash';

/** Spelling correction of Latin query words against the index's Latin vocabulary (see did-you-mean.ts). */

/** Latin vocabulary words of one length, with their document frequencies and letter sets. */
export interface LatinBucket {
  words: string[];
  dfs: number[];
  /** {@link letterMask} of each word. */
  masks: number[];
}

/** Latin vocabulary words by length (index = length). */
export type LatinVocab = ReadonlyArray<LatinBucket | undefined>;

/** The set of letters of a word as a bit mask (a = bit 0). */
function letterMask(w: string): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) m |= 1 << ((w.charCodeAt(i) - 0x61) & 31);
  return m;
}

/**
 * The closest Latin vocabulary word found in at least `minDf` documents (edit distance 1,
 * or 2 for words of 6+ letters), or null. `latinWords` is asked only for a word it could correct.
 */
export function correctLatin(word: string, minDf: number, latinWords: () => LatinVocab): string | null {
  if (word.length < 3 || word.length > 24) return null;
  const maxDist = word.length >= 6 ? 2 : 1;
  let best: string | null = null;
  let bestDist = maxDist + 1;
  let bestDf = 0;
  const letters = histogram(word);
  const scratch = new Int16Array(26);
  const vocab = latinWords();
  const mask = letterMask(word);
  // Only words within maxDist letters of the typed length can be that few edits away.
  for (let len = word.length - maxDist; len <= word.length + maxDist; len++) {
    const bucket = vocab[len];
    if (!bucket) continue;
    const { words, dfs, masks } = bucket;
    for (let i = 0; i < words.length; i++) {
      // Each edit adds or removes at most one letter on each side of the letter sets.
      if (popcount(masks[i] ^ mask) > 2 * maxDist) continue;
      const w = words[i];
      const df = dfs[i];
      if (df < minDf || w === word) continue;
      if (!closeLetters(letters, w, 2 * maxDist, scratch)) continue;
      const d = editDistance(word, w, maxDist);
      if (d > maxDist) continue;
      if (d < bestDist || (d === bestDist && df > bestDf)) {
        best = w;
        bestDist = d;
        bestDf = df;
      }
    }
  }
  return best;
}

/** Levenshtein distance with adjacent transpositions, cut off above `max` (returns max + 1). */
export function editDistance(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const cur = new Array<number>(m + 1);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[m];
}

/** Letter counts of a word (a–z). */
function histogram(w: string): Int16Array {
  const h = new Int16Array(26);
  for (let i = 0; i < w.length; i++) h[(w.charCodeAt(i) - 0x61) & 31]++;
  return h;
}

/** Cheap filter before the edit distance: an edit changes the letter counts by at most 2. */
function closeLetters(h: Int16Array, w: string, max: number, d: Int16Array): boolean {
  d.set(h);
  for (let i = 0; i < w.length; i++) d[(w.charCodeAt(i) - 0x61) & 31]--;
  let sum = 0;
  for (let k = 0; k < 26; k++) sum += d[k] < 0 ? -d[k] : d[k];
  return sum <= max;
}
