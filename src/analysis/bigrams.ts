import { isCjk } from './normalize';

/**
 * CJK character bigrams as 32-bit integers: `(first << 16) | second` over UTF-16 code
 * units. Integer keys let the index count, sort and store bigrams in typed arrays
 * instead of millions of short strings.
 */

/** The key of the two-character string `s` (which must be two CJK ideographs). */
export function bigramKey(s: string): number {
  return ((s.charCodeAt(0) << 16) | s.charCodeAt(1)) >>> 0;
}

/** The two-character string of a key. */
export function bigramText(key: number): string {
  return String.fromCharCode(key >>> 16, key & 0xffff);
}

/**
 * Add `weight` for every adjacent pair of CJK characters in normalized `text` to
 * `counts` (key → weighted occurrences).
 */
export function countBigrams(text: string, weight: number, counts: Map<number, number>): void {
  let prev = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isCjk(c)) {
      if (prev >= 0) {
        const key = ((prev << 16) | c) >>> 0;
        counts.set(key, (counts.get(key) ?? 0) + weight);
      }
      prev = c;
    } else {
      prev = -1;
    }
  }
}
