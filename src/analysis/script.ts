import { CHAR_PAIRS, PHRASES } from './script-fold.data';

/**
 * Traditional → simplified script folding for matching, length-preserving like the rest
 * of normalization (see analysis/normalize): one UTF-16 unit in, one out, so highlights
 * computed on folded text land on the original characters.
 *
 * Two layers, both generated from OpenCC's dictionaries (scripts/gen-script-fold.ts):
 * - a character map (醫 → 医, 後 → 后, Taiwan/Hong Kong variants included);
 * - phrases where the character map would pick the wrong simplified character and the
 *   phrase-level conversion has the same length (瞭解 → 了解, 藉口 → 借口, 反覆 → 反复).
 *   Longer or shorter conversions (Taiwan vocabulary such as 軟體 → 软件) are left to
 *   the synonyms list: they would break offsets.
 * Simplified text is left as it is, so both scripts fold to one form.
 */

/** Version tag of the folding data; part of NORMALIZATION_VERSION. */
export const SCRIPT_FOLD_VERSION = 't2s-opencc-1.4.2-b';

/** Simplified form of each BMP code unit (identity where there is none). */
export function foldCharTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) table[c] = c;
  for (let i = 0; i + 1 < CHAR_PAIRS.length; i += 2) table[CHAR_PAIRS.charCodeAt(i)] = CHAR_PAIRS.charCodeAt(i + 1);
  return table;
}

/** Phrase rules by first code unit (of the character-folded phrase), longest first. */
export interface PhraseRules {
  /** 1 where some phrase starts with this code unit (a cheap pre-check per character). */
  starts: Uint8Array;
  byFirst: Map<number, Array<{ from: string; to: string }>>;
}

/**
 * The phrase rules, matched on character-folded text (so 藉著 and 藉着 both become 借着)
 * and with outputs that are fixed points of the character map.
 */
export function phraseRules(fold: (s: string) => string): PhraseRules {
  const starts = new Uint8Array(0x10000);
  const byFirst = new Map<number, Array<{ from: string; to: string }>>();
  const seen = new Set<string>();
  for (const entry of PHRASES.split('|')) {
    const [trad, simp] = entry.split(' ');
    if (!trad || !simp || trad.length !== simp.length) continue;
    const from = fold(trad);
    if (seen.has(from)) continue; // two spellings of one phrase: the first (in sort order) wins
    seen.add(from);
    const c = from.charCodeAt(0);
    starts[c] = 1;
    let list = byFirst.get(c);
    if (!list) byFirst.set(c, (list = []));
    list.push({ from, to: fold(simp) });
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.from.length - a.from.length);
  return { starts, byFirst };
}
