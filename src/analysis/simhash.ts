/**
 * 64-bit SimHash of a document's body: near-identical texts get signatures a few bits
 * apart, so reposts of one story (another site's copy, a title with a site suffix, a
 * corrected typo) can be found without comparing texts pairwise. Features are the
 * body's CJK bigram keys, weighted by their (capped) frequency.
 */

/**
 * Fewer distinct body bigrams than this (a paragraph or two): too little text to call two
 * posts duplicates — short templated posts differ in a few words and would collide.
 */
export const MIN_SIMHASH_FEATURES = 100;

/** The signature as 16 hex digits, or null when the body is too short to compare. */
export function simhash(bigrams: ReadonlyMap<number, number>): string | null {
  if (bigrams.size < MIN_SIMHASH_FEATURES) return null;
  // Sum the weights per (byte position, byte value) of the 64-bit feature hash: 8 adds
  // per feature instead of one per bit; the per-bit totals follow once per document.
  const hist = new Float64Array(8 * 256);
  let total = 0;
  for (const [key, tf] of bigrams) {
    if (tf <= 0) continue;
    const w = tf > 16 ? 16 : tf;
    total += w;
    const lo = fmix32(key ^ 0x9e3779b9);
    const hi = fmix32(key ^ 0x85ebca6b);
    hist[lo & 0xff] += w;
    hist[256 + ((lo >>> 8) & 0xff)] += w;
    hist[512 + ((lo >>> 16) & 0xff)] += w;
    hist[768 + (lo >>> 24)] += w;
    hist[1024 + (hi & 0xff)] += w;
    hist[1280 + ((hi >>> 8) & 0xff)] += w;
    hist[1536 + ((hi >>> 16) & 0xff)] += w;
    hist[1792 + (hi >>> 24)] += w;
  }
  let lo = 0;
  let hi = 0;
  for (let b = 0; b < 64; b++) {
    // Bit b is set when the features with that bit outweigh those without it.
    const base = (b >>> 3) * 256;
    const mask = 1 << (b & 7);
    let set = 0;
    for (let v = 0; v < 256; v++) if (v & mask) set += hist[base + v];
    if (2 * set > total) {
      if (b < 32) lo |= 1 << b;
      else hi |= 1 << (b - 32);
    }
  }
  return hex32(hi) + hex32(lo);
}

/** Number of differing bits between two signatures from {@link simhash}. */
export function hamming(a: string, b: string): number {
  return (
    popcount(parseInt(a.slice(0, 8), 16) ^ parseInt(b.slice(0, 8), 16)) + popcount(parseInt(a.slice(8), 16) ^ parseInt(b.slice(8), 16))
  );
}

/** Number of set bits of a 32-bit integer. */
export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** MurmurHash3's 32-bit finalizer: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex32(x: number): string {
  return (x >>> 0).toString(16).padStart(8, '0');
}
