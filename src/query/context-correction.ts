import { isCjk, normalize } from '../analysis/normalize';
import { allCjk } from '../analysis/terms';
import { correctChinese, type CorrectionSource } from './did-you-mean';

/**
 * Typos inside a sentence typed without spaces (社会新用体系 for 社会信用体系). Such a query
 * always finds something, since its other words are common, so the zero-hit correction
 * of did-you-mean never runs; and the slip itself (新用) may even occur, inside other
 * words (新用户). A slip shows in its context instead: the typed word with its neighbours
 * occurs nowhere, while the corrected word with the same neighbours occurs in several posts.
 */

/** A word jieba cut in at most this many documents may be a slip. */
const MAX_SLIP_DF = 10;
/** The corrected word with its neighbours must occur in at least this many documents. */
const MIN_CONTEXT_DOCS = 2;
/** Characters of context on each side of the word. */
const CONTEXT = 2;
/** Words tried per query, at most (each costs a few exact counts). */
const MAX_TRIED = 3;

/**
 * The query with its slips corrected in context, or null when none is found. `units` are
 * the query's content words in the order typed (normalized); `df` in `src` is the
 * number of documents in which jieba cut a word. `found`, when given, is the number of
 * documents the query found a word in as text: a word of three or four characters that
 * jieba never cuts but many posts hold (新冠病毒) is no slip, and trying its variants
 * reads hundreds of bodies. (Two characters may be a slip that occurs inside other words,
 * 新用 in 新用户; their variants come from the vocabulary, not from reading bodies.)
 */
export function correctInContext(
  query: string,
  units: readonly string[],
  src: CorrectionSource,
  found?: (unit: string) => number,
): string | null {
  // normalize() keeps lengths, so an offset in the normalized query is one in the typed query.
  let norm = normalize(query);
  let out = query;
  let tried = 0;
  for (const unit of units) {
    if (unit.length < 2 || unit.length > 4 || !allCjk(unit) || src.df(unit) > MAX_SLIP_DF) continue;
    if (unit.length > 2 && found && found(unit) > MAX_SLIP_DF) continue;
    const at = norm.indexOf(unit);
    if (at < 0 || tried++ >= MAX_TRIED) continue;
    const fix = correctChinese(unit, src.df(unit), src);
    if (!fix) continue;
    const fixed = norm.slice(0, at) + fix + norm.slice(at + unit.length);
    if (confirmed(norm, fixed, at, unit.length, src)) {
      norm = fixed;
      out = out.slice(0, at) + fix + out.slice(at + unit.length);
    }
  }
  return out === query ? null : out;
}

/**
 * True when the fix, with the Chinese characters around it, occurs in enough documents
 * while the typed word in the same place occurs in none: tried with context on both
 * sides, then on either side alone.
 */
function confirmed(typed: string, fixed: string, at: number, len: number, src: CorrectionSource): boolean {
  const left = cjkReach(typed, at, -1);
  const right = cjkReach(typed, at + len, 1);
  const spans: Array<[number, number]> = [
    [left, right],
    [left, 0],
    [0, right],
  ];
  for (const [l, r] of spans) {
    if (l + r === 0) continue;
    const was = typed.slice(at - l, at + len + r);
    const now = fixed.slice(at - l, at + len + r);
    if (src.count(`"${was}"`) === 0 && src.count(`"${now}"`) >= MIN_CONTEXT_DOCS) return true;
  }
  return false;
}

/** How many Chinese characters (up to {@link CONTEXT}) stand next to position `from` in direction `dir`. */
function cjkReach(s: string, from: number, dir: -1 | 1): number {
  let n = 0;
  for (let i = dir < 0 ? from - 1 : from; n < CONTEXT && i >= 0 && i < s.length && isCjk(s.charCodeAt(i)); i += dir) n++;
  return n;
}
