import { foldCharTable, phraseRules, SCRIPT_FOLD_VERSION, type PhraseRules } from './script';

/**
 * Matching normalization: Unicode NFKC plus lower-case, applied one UTF-16 code unit
 * at a time so that the normalized text has exactly the same length as the display
 * text. Offsets found in normalized text are therefore valid in the display text,
 * which is what lets snippets highlight the right characters without an offset map.
 *
 * A character whose NFKC form is not a single BMP code unit (e.g. `㍿` → `株式会社`,
 * ligatures) is kept as it is, lower-cased when that keeps the length. Full-width
 * Latin and digits (`ＡＢＣ１２３` → `abc123`), compatibility ideographs and
 * half-width katakana all map one to one, which covers what users type.
 *
 * Traditional Chinese is then folded to simplified (analysis/script: a character map
 * plus same-length phrases such as 瞭解 → 了解), so a query in either script finds
 * documents in both, and highlights still land on the characters as written.
 */

/** Version tag recorded in the manifest; bump when the mapping changes. */
export const NORMALIZATION_VERSION = `nfkc-lower-1to1-v1+${SCRIPT_FOLD_VERSION}`;

/** NFKC + lower case, before script folding. */
const BASE: Uint16Array = buildTable();
/** BASE followed by the simplified character map. */
const TABLE: Uint16Array = composeFold(BASE);
const PHRASES: PhraseRules = phraseRules((s) => {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(TABLE[s.charCodeAt(i)]);
  return out;
});
/** TABLE with 0 where a phrase may start: one lookup per character on the hot path. */
const HOT: Uint16Array = TABLE.map((m) => (PHRASES.starts[m] === 1 ? 0 : m));

function composeFold(base: Uint16Array): Uint16Array {
  const fold = foldCharTable();
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) table[c] = fold[base[c]];
  return table;
}

function buildTable(): Uint16Array {
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    table[c] = c;
    if (c >= 0xd800 && c <= 0xdfff) continue; // lone surrogates: keep
    const ch = String.fromCharCode(c);
    let n = ch.normalize('NFKC').toLowerCase();
    if (n.length !== 1) n = ch.toLowerCase();
    if (n.length === 1) table[c] = n.charCodeAt(0);
  }
  // Whitespace variants (NBSP, ideographic space, tabs) all become a plain space.
  for (const ws of [0x09, 0x0b, 0x0c, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]) table[ws] = 0x20;
  for (let c = 0x2000; c <= 0x200a; c++) table[c] = 0x20;
  return table;
}

/** Normalize text for matching; the result has the same length as the input. */
export function normalize(text: string): string {
  const n = text.length;
  // Most text is short enough that building via a code-unit array is fastest; up to CHUNK
  // units the array is a reused one (normalizing every title of an index at load made
  // one allocation per title otherwise).
  const out = n <= CHUNK ? SCRATCH : new Uint16Array(n);
  let changed = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let m = HOT[c];
    if (m === 0 && c !== 0) {
      const len = matchPhrase(text, i, out);
      if (len > 0) {
        changed = true;
        i += len - 1;
        continue;
      }
      m = TABLE[c];
    }
    out[i] = m;
    if (m !== c) changed = true;
  }
  if (!changed) return text;
  return decodeUnits(out === SCRATCH ? out.subarray(0, n) : out);
}

/** Write the folded form of the longest phrase starting at `i` into `out`; its length, or 0. */
function matchPhrase(text: string, i: number, out: Uint16Array): number {
  const list = PHRASES.byFirst.get(TABLE[text.charCodeAt(i)]);
  if (!list) return 0;
  outer: for (const { from, to } of list) {
    if (i + from.length > text.length) continue;
    for (let k = 1; k < from.length; k++) if (TABLE[text.charCodeAt(i + k)] !== from.charCodeAt(k)) continue outer;
    for (let k = 0; k < to.length; k++) out[i + k] = to.charCodeAt(k);
    return from.length;
  }
  return 0;
}

const CHUNK = 8192;
const SCRATCH = new Uint16Array(CHUNK);
function decodeUnits(units: Uint16Array): string {
  if (units.length <= CHUNK) return String.fromCharCode.apply(null, units as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < units.length; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, units.subarray(i, i + CHUNK) as unknown as number[]));
  }
  return parts.join('');
}

/** True for a CJK ideograph code unit (unified, extension A, compatibility). */
export function isCjk(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0xf900 && code <= 0xfaff) || code === 0x3007 // 〇
  );
}

/** True for a code unit that forms Latin/number terms after normalization. */
export function isWordChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x30 && code <= 0x39) || // 0-9
    (code >= 0xe0 && code <= 0x24f && code !== 0xf7) // Latin-1 supplement & extended letters
  );
}
