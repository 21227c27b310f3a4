import type { DocTable } from './doctable';
import type { UnitStats } from './execute';

/**
 * Relevance: BM25F over title and body. Term frequencies are counted in the stored
 * normalized text (exact, including matches jieba would have cut differently), title
 * occurrences weigh {@link TITLE_WEIGHT} times a body occurrence, and documents where
 * the query words stand close together (or as the typed phrase) get a bonus.
 */

export const K1 = 1.2;
export const B = 0.75;
export const TITLE_WEIGHT = 4;
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

/** A match inside a longer jieba word (or across two) counts this much of a real-word match. */
export const PARTIAL_WORD_WEIGHT = 0.8;

/**
 * Exact BM25F score of document `d` for the units, plus proximity and phrase bonuses.
 * Bit k of `realWord[d]` tells that unit k (of the first 8) is a jieba word of `d`.
 */
export function scoreDoc(
  table: DocTable,
  d: number,
  units: readonly string[],
  stats: Map<string, UnitStats>,
  wholes: readonly string[],
  realWord: Uint8Array | null,
): number {
  const title = table.ntitle[d];
  const text = table.ntext[d];
  const norm = 1 - B + (B * text.length) / table.avgLen;
  let score = 0;
  let idfSum = 0;
  units.forEach((u, k) => {
    const st = stats.get(u);
    let w = idf(table.size, st?.df ?? 1);
    idfSum += w;
    if (st?.wordDocs && k < 8 && realWord && (realWord[d] & (1 << k)) === 0) w *= PARTIAL_WORD_WEIGHT;
    const tf = TITLE_WEIGHT * countOccurrences(title, u, 5) + countOccurrences(text, u);
    if (tf === 0) return;
    score += (w * tf * (K1 + 1)) / (tf + K1 * norm);
  });
  if (units.length > 1) {
    for (const whole of wholes) {
      if (title.includes(whole)) score += idfSum;
      else if (text.includes(whole)) score += idfSum * 0.5;
    }
    score += idfSum * 0.5 * proximity(text, units);
  }
  return score;
}

/**
 * 1 when all units occur within a few characters of each other in the text, falling
 * towards 0 as the smallest window holding all of them widens.
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
    if (pos.length === 0) return 0;
    lists.push(pos);
    totalLen += u.length;
  }
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
  return 1 / (1 + gap / 10);
}
