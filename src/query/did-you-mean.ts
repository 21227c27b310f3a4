import { charsOfSyllable, readingsOfCode } from '../analysis/char-readings';
import { normalize } from '../analysis/normalize';
import { SYLLABLES } from '../analysis/pinyin';
import { allCjk } from '../analysis/terms';
import { pinyinQuery } from './pinyin-fallback';
import type { PinyinVocab } from './pinyin-vocab';
import { correctLatin, type LatinVocab } from './latin-correction';
import { lookAlikes } from './shape-slips';
import type { Suggester } from './suggest';

/**
 * "Did you mean": for a query that found (almost) nothing, a corrected query drawn from
 * the index vocabulary. A query word that is rare in the index is replaced only by a
 * frequent word it is plausibly a slip of, position by position:
 *
 * 1. a homophone, as pinyin input methods produce (王义 → 王毅): a character read the
 *    same (toneless) as the typed one;
 * 2. a near-homophone: one initial or final slip of the usual reading, the fuzzy pinyin
 *    of input methods (z/zh, c/ch, s/sh, n/l, l/r, f/h; an/ang, en/eng, in/ing: 事川 → 四川);
 * 3. a look-alike character (己经 → 已经; see shape-slips), only where no sound-alike fits.
 *
 * One character may change (two of a four-character word, one of them at most by more
 * than a homophone); the rest stay as typed. A word with no such neighbour is left alone,
 * however frequent some other word is: a rare name with no hits (彭帅) must not turn into
 * a different one that merely shares a character (彭博). A Latin word is corrected to the
 * closest frequent Latin word (one edit, two for 6+ letters). Among Chinese candidates,
 * frequency decides, discounted for the slips each needs.
 */

/** What the corrector needs from the engine. */
export interface CorrectionSource {
  sounds: PinyinVocab;
  /** Document frequency of a vocabulary word (0 when absent). */
  df(word: string): number;
  /** Latin vocabulary words (a–z) found in 2+ documents, by length; the same object on every call. */
  latinWords(): LatinVocab;
  /** Number of documents matching a query (exact). */
  count(query: string): number;
  /**
   * Documents holding a two-character Chinese string, from the bigram store: a cheap
   * test that lets the corrector skip candidates that cannot be found.
   */
  bigramDocs?(bigram: string): number;
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
    const fix = allCjk(unit)
      ? correctChinese(unit, found, src)
      : /^[a-z]+$/.test(unit)
        ? correctLatin(unit, Math.max(MIN_CORRECTION_DF, found * MIN_RATIO), () => src.latinWords())
        : null;
    const at = norm.indexOf(unit);
    if (fix && at >= 0 && !fixes.some((f) => f.at === at)) fixes.push({ at, len: unit.length, fix });
  }
  if (fixes.length === 0) return null;
  // Replace from the end so that earlier offsets stay valid when a Latin fix changes the length.
  let out = query;
  for (const f of fixes.sort((a, b) => b.at - a.at)) out = out.slice(0, f.at) + f.fix + out.slice(f.at + f.len);
  return src.count(out) > hits ? out : null;
}

/** Kinds of slip, in the order they are believed: a homophone (either character's usual reading is a reading of the other). */
const HOMOPHONE = 1;
/** A near-homophone (one fuzzy-pinyin slip), or a reading both characters have but neither usually. */
const NEAR = 2;
/** A look-alike character (shape-slips); counts like {@link NEAR}, but only where no sound-alike fits. */
const LOOK_ALIKE = 3;

/**
 * The characters a typed character may stand for, with the kind of slip: itself (0),
 * its homophones ({@link HOMOPHONE}), near-homophones ({@link NEAR}) and look-alikes
 * ({@link LOOK_ALIKE}); a character that is both keeps the smaller kind. Homophones come
 * most common first, the order an input method offers them in.
 */
export function slipsOf(code: number): Map<number, number> {
  const out = new Map<number, number>([[code, 0]]);
  const add = (chars: string, kind: number): void => {
    for (let i = 0; i < chars.length; i++) {
      const c = chars.charCodeAt(i);
      const had = out.get(c);
      if (had === undefined || had > kind) out.set(c, kind);
    }
  };
  const readings = readingsOfCode(code);
  if (readings.length > 0) {
    // Characters usually read like any reading of the typed one, or that have its usual reading.
    for (const r of readings) add(charsOfSyllable(r).usual, HOMOPHONE);
    add(charsOfSyllable(readings[0]).other, HOMOPHONE);
    for (const r of readings.slice(1)) add(charsOfSyllable(r).other, NEAR);
    for (const r of nearSyllables(readings[0])) add(charsOfSyllable(r).usual, NEAR);
  }
  add(lookAlikes(code), LOOK_ALIKE);
  return out;
}

/** What a slip kind costs: a look-alike as much as a near-homophone. */
function cost(kind: number): number {
  return kind === LOOK_ALIKE ? NEAR : kind;
}

/**
 * How much a slip counts against a candidate's frequency (in natural-log units of
 * document frequency): a near-homophone must be about e² ≈ 7 times as frequent as a
 * homophone to win over it (事川 → 四川 rather than the rare 石川).
 */
const SLIP_PENALTY = 2;

/**
 * Most characters a correction may change: one, or two of four. A typed word with no
 * character of the suggestion left is another word, not a slip (兔费 is not 突飞).
 */
function maxChanged(length: number): number {
  return Math.max(1, Math.floor(length / 2));
}

/**
 * The best Chinese correction of `word` (2–4 characters), or null. Sound-alikes are
 * looked for first, in the vocabulary and then in the text; look-alikes only when no
 * sound-alike exists, since most Chinese is typed by pinyin (王义 is 王毅, not 主义).
 */
export function correctChinese(word: string, found: number, src: CorrectionSource): string | null {
  if (word.length < 2 || word.length > 4) return null;
  const minDf = Math.max(MIN_CORRECTION_DF, found * MIN_RATIO);
  const slips = Array.from({ length: word.length }, (_, k) => slipsOf(word.charCodeAt(k)));
  for (const shapes of [false, true]) {
    // Two characters found only in the text are mostly the end of one word and the start
    // of the next (也理 in 也理解): only longer strings are tried there.
    const fix = fromVocabulary(word, slips, minDf, shapes, src) ?? (word.length > 2 ? substitute(word, slips, minDf, shapes, src) : null);
    if (fix) return fix;
  }
  return null;
}

/**
 * The vocabulary word of `word`'s length that its slips reach at the best score: every
 * position the typed character or a slip of it, at most {@link maxChanged} positions
 * changed and at most one of them by more than a homophone; look-alikes only when `shapes`.
 */
function fromVocabulary(
  word: string,
  slips: ReadonlyArray<Map<number, number>>,
  minDf: number,
  shapes: boolean,
  src: CorrectionSource,
): string | null {
  const n = word.length;
  const limit = maxChanged(n);
  const top = { word: '', score: -Infinity };
  for (const [c0, kind0] of slips[0]) {
    if (kind0 === LOOK_ALIKE && !shapes) continue;
    src.sounds.startingWith(c0, n, minDf, (w, df) => {
      let total = cost(kind0);
      let changed = kind0 > 0 ? 1 : 0;
      let big = kind0 >= NEAR ? 1 : 0;
      for (let k = 1; k < n; k++) {
        const kind = slips[k].get(w.charCodeAt(k));
        if (kind === undefined || (kind === LOOK_ALIKE && !shapes)) return;
        total += cost(kind);
        if (kind > 0) changed++;
        if (kind >= NEAR) big++;
      }
      if (changed === 0 || changed > limit || big > 1) return;
      const score = Math.log(df) - SLIP_PENALTY * total;
      if (score > top.score) Object.assign(top, { word: w, score });
    });
  }
  return top.word === '' ? null : top.word;
}

/** Candidate strings tried against the index per word, at most (each costs a query). */
const MAX_SUBSTITUTE_COUNTS = 24;
/** Per position, only this many of the most common homophones are tried (as an input method offers them). */
const MAX_SUBSTITUTES = 16;

/**
 * `word` with one character replaced by one of its slips, checked against the index:
 * finds words jieba never cut whole (布林啃 → 布林肯), which the vocabulary lacks.
 * Homophones are tried before near-homophones, common ones first; look-alikes only
 * when `shapes`, and then only they.
 */
function substitute(
  word: string,
  slips: ReadonlyArray<Map<number, number>>,
  minDf: number,
  shapes: boolean,
  src: CorrectionSource,
): string | null {
  const cands: Array<{ text: string; kind: number }> = [];
  for (let k = 0; k < word.length; k++) {
    let taken = 0;
    for (const [c, kind] of slips[k]) {
      if (kind === 0 || (kind === LOOK_ALIKE) !== shapes) continue;
      if (kind === HOMOPHONE && taken++ >= MAX_SUBSTITUTES) continue;
      const text = word.slice(0, k) + String.fromCharCode(c) + word.slice(k + 1);
      // Every bigram holding the new character must be in enough documents.
      if (src.bigramDocs) {
        if (k > 0 && src.bigramDocs(text.slice(k - 1, k + 1)) < minDf) continue;
        if (k + 1 < text.length && src.bigramDocs(text.slice(k, k + 2)) < minDf) continue;
      }
      cands.push({ text, kind });
    }
  }
  cands.sort((a, b) => a.kind - b.kind);
  let best: string | null = null;
  let bestKind = Infinity;
  let bestCount = minDf - 1;
  for (const c of cands.slice(0, MAX_SUBSTITUTE_COUNTS)) {
    if (c.kind > bestKind) break;
    const n = src.count(c.text);
    if (n > bestCount) {
      best = c.text;
      bestKind = c.kind;
      bestCount = n;
    }
  }
  return best;
}

/** Initials that input methods let a typist blur (fuzzy pinyin), both ways. */
const INITIAL_SLIPS: ReadonlyArray<[string, string]> = [
  ['zh', 'z'],
  ['ch', 'c'],
  ['sh', 's'],
  ['n', 'l'],
  ['l', 'r'],
  ['f', 'h'],
];

/**
 * Syllables one fuzzy-pinyin slip away from `s`: one initial swapped (zh/z, ch/c, sh/s,
 * n/l, l/r, f/h) or a final's -n/-ng swapped (an/ang, en/eng, in/ing, ian/iang, uan/uang).
 */
export function nearSyllables(s: string): string[] {
  const out = new Set<string>();
  const initial = /^(zh|ch|sh|[bpmfdtnlgkhjqxzcsryw])?/.exec(s)![0];
  const final = s.slice(initial.length);
  for (const [a, b] of INITIAL_SLIPS) {
    if (initial === a) out.add(b + final);
    if (initial === b) out.add(a + final);
  }
  if (final.endsWith('ng')) out.add(s.slice(0, -1));
  else if (final.endsWith('n')) out.add(s + 'g');
  out.delete(s);
  return [...out].filter((x) => SYLLABLES.has(x));
}
