import { normalize } from '../analysis/normalize';
import { popcount } from '../analysis/simhash';
import { allCjk } from '../analysis/terms';
import { pinyinQuery } from './interpret';
import type { CharTest, PinyinVocab } from './pinyin-vocab';
import type { Suggester } from './suggest';

/**
 * "Did you mean": for a query that found (almost) nothing, a corrected query drawn from
 * the index vocabulary. Each query word that is rare in the index is replaced by a
 * frequent vocabulary word of the same length that it may be a typing slip of:
 *
 * 1. a homophone, as pinyin input methods produce (王义 → 王毅): every character shares
 *    a reading with the word's character at that position;
 * 2. a near-homophone (z/zh, c/ch, s/sh, n/l, an/ang, en/eng, in/ing: 资料 for 猪料);
 * 3. a one-character slip (any one character different);
 * and a Latin word by the closest frequent Latin word (one edit, two for 6+ letters).
 * Among candidates, more characters in common with the typed word win, then frequency.
 */

/** What the corrector needs from the engine. */
export interface CorrectionSource {
  sounds: PinyinVocab;
  /** Document frequency of a vocabulary word (0 when absent). */
  df(word: string): number;
  /** Chinese vocabulary words of this length, most frequent first. */
  wordsOfLength(length: number): ReadonlyArray<[string, number]>;
  /** Latin vocabulary words (a–z); the same array on every call. */
  latinEntries(): ReadonlyArray<[string, number]>;
  /** Number of documents matching a query (exact). */
  count(query: string): number;
}

/** A query word with at most this many matching documents is a candidate for correction. */
export const RARE_WORD_DOCS = 1;
/** A correction must occur in at least this many documents, and this many times more than the typed word. */
const MIN_CORRECTION_DF = 2;
/** Queries with more words than this get no correction (too costly to try, rarely a typo). */
const MAX_UNITS = 6;
const MIN_RATIO = 3;

/**
 * The "did you mean" of a query with `hits` matches: for Latin letters that read as
 * pinyin, the Chinese words they spell (when those find more); otherwise
 * {@link correctQuery}.
 */
export function didYouMean(
  query: string,
  units: readonly string[],
  hits: number,
  suggester: Suggester,
  src: CorrectionSource,
): string | null {
  const zh = pinyinQuery(query, suggester, (q) => src.count(q) > hits);
  if (zh && src.count(zh) > hits) return zh;
  return correctQuery(query, units, hits, src);
}

/**
 * A corrected query, or null when nothing better is found. `units` are the normalized
 * query words (from the query plan); the rest of the typed query is kept as typed.
 */
export function correctQuery(query: string, units: readonly string[], hits: number, src: CorrectionSource): string | null {
  // Long queries are not typos to fix word by word (and would cost too much to try).
  if (units.length > MAX_UNITS) return null;
  const norm = normalize(query);
  const fixes: Array<{ at: number; len: number; fix: string }> = [];
  for (const unit of units) {
    const found = units.length === 1 ? hits : src.count(unit);
    // A word jieba cut as a word in several documents is real, not a slip.
    if (found > RARE_WORD_DOCS || src.df(unit) >= MIN_CORRECTION_DF) continue;
    const fix = allCjk(unit) ? correctChinese(unit, found, src) : /^[a-z]+$/.test(unit) ? correctLatin(unit, found, src) : null;
    const at = norm.indexOf(unit);
    if (fix && at >= 0 && !fixes.some((f) => f.at === at)) fixes.push({ at, len: unit.length, fix });
  }
  if (fixes.length === 0) return null;
  // Replace from the end so that earlier offsets stay valid when a Latin fix changes the length.
  let out = query;
  for (const f of fixes.sort((a, b) => b.at - a.at)) out = out.slice(0, f.at) + f.fix + out.slice(f.at + f.len);
  return src.count(out) > hits ? out : null;
}

/** The best Chinese correction of `word` (2–4 characters), or null. */
export function correctChinese(word: string, found: number, src: CorrectionSource): string | null {
  if (word.length < 2 || word.length > 4) return null;
  const minDf = Math.max(MIN_CORRECTION_DF, found * MIN_RATIO);
  const codes = [...word].map((c) => c.charCodeAt(0));
  const readings = codes.map((c) => src.sounds.readingsOf(c));
  const best = (tests: CharTest[]): string | null => {
    const cands = src.sounds.find(tests, 200, minDf).filter((m) => m.word !== word);
    let top: { word: string; same: number; df: number } | null = null;
    for (const m of cands) {
      let same = 0;
      for (let k = 0; k < word.length; k++) if (m.word.charCodeAt(k) === codes[k]) same++;
      if (!top || same > top.same || (same === top.same && m.df > top.df)) top = { word: m.word, same, df: m.df };
    }
    return top?.word ?? null;
  };
  const homophone = best(readings.map((rs, k) => (r: readonly string[], c: number) => c === codes[k] || shares(rs, r)));
  if (homophone) return homophone;
  const swapped = substitute(word, readings, minDf, src);
  if (swapped) return swapped;
  const fuzzy = readings.map((rs) => new Set(rs.map(fuzzyKey)));
  const near = best(fuzzy.map((keys, k) => (r: readonly string[], c: number) => c === codes[k] || r.some((x) => keys.has(fuzzyKey(x)))));
  if (near) return near;
  return slip(word, minDf, src);
}

/**
 * `word` with one character replaced by a homophone, checked against the index: finds
 * words jieba never cut whole (布林啃 → 布林肯), which the vocabulary lacks.
 */
function substitute(word: string, readings: ReadonlyArray<readonly string[]>, minDf: number, src: CorrectionSource): string | null {
  let best: string | null = null;
  let bestCount = minDf - 1;
  for (let k = 0; k < word.length; k++) {
    const chars = new Set<number>();
    for (const r of readings[k]) for (const c of src.sounds.charsWithReading(r).slice(0, MAX_SUBSTITUTES)) chars.add(c);
    chars.delete(word.charCodeAt(k));
    for (const c of chars) {
      const cand = word.slice(0, k) + String.fromCharCode(c) + word.slice(k + 1);
      const n = src.count(cand);
      if (n > bestCount) {
        best = cand;
        bestCount = n;
      }
    }
  }
  return best;
}

/** Per reading, only this many of the most common homophone characters are tried. */
const MAX_SUBSTITUTES = 12;

/** The most frequent vocabulary word differing from `word` in exactly one character. */
function slip(word: string, minDf: number, src: CorrectionSource): string | null {
  for (const [w, df] of src.wordsOfLength(word.length)) {
    if (df < minDf) break;
    let diff = 0;
    for (let k = 0; k < w.length && diff < 2; k++) if (w.charCodeAt(k) !== word.charCodeAt(k)) diff++;
    if (diff === 1) return w;
  }
  return null;
}

/** The closest frequent Latin vocabulary word (edit distance 1, or 2 for words of 6+ letters), or null. */
export function correctLatin(word: string, found: number, src: CorrectionSource): string | null {
  if (word.length < 3 || word.length > 24) return null;
  const maxDist = word.length >= 6 ? 2 : 1;
  const minDf = Math.max(MIN_CORRECTION_DF, found * MIN_RATIO);
  let best: string | null = null;
  let bestDist = maxDist + 1;
  let bestDf = 0;
  const letters = histogram(word);
  const scratch = new Int16Array(26);
  const entries = src.latinEntries();
  const masks = letterMasks(entries);
  const mask = letterMask(word);
  for (let i = 0; i < entries.length; i++) {
    // Each edit adds or removes at most one letter on each side of the letter sets.
    if (popcount(masks[i] ^ mask) > 2 * maxDist) continue;
    const [w, df] = entries[i];
    if (df < minDf || Math.abs(w.length - word.length) > maxDist || w === word) continue;
    if (!closeLetters(letters, w, 2 * maxDist, scratch)) continue;
    const d = editDistance(word, w, maxDist);
    if (d > maxDist) continue;
    if (d < bestDist || (d === bestDist && df > bestDf)) {
      best = w;
      bestDist = d;
      bestDf = df;
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

/** The set of letters of a word as a bit mask (a = bit 0). */
function letterMask(w: string): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) m |= 1 << ((w.charCodeAt(i) - 0x61) & 31);
  return m;
}

const maskCache = new WeakMap<ReadonlyArray<[string, number]>, Uint32Array>();

/** {@link letterMask} of every entry, computed once per vocabulary. */
function letterMasks(entries: ReadonlyArray<[string, number]>): Uint32Array {
  let masks = maskCache.get(entries);
  if (!masks) {
    masks = Uint32Array.from(entries, (e) => letterMask(e[0]));
    maskCache.set(entries, masks);
  }
  return masks;
}

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

function shares(a: readonly string[], b: readonly string[]): boolean {
  for (const x of a) if (b.includes(x)) return true;
  return false;
}

/** A syllable with the distinctions that southern speakers and fast typists blur removed. */
export function fuzzyKey(s: string): string {
  // Memoized: a near-homophone search tests the readings of every vocabulary word's characters.
  let key = fuzzyKeys.get(s);
  if (key === undefined) {
    key = s
      .replace(/^([zcs])h/, '$1')
      .replace(/^n/, 'l')
      .replace(/^r/, 'l')
      .replace(/ng$/, 'n');
    if (fuzzyKeys.size < 10_000) fuzzyKeys.set(s, key);
  }
  return key;
}

const fuzzyKeys = new Map<string, string>();
