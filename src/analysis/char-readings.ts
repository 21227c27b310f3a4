import { READINGS } from './pinyin.data';

/**
 * Toneless readings of Han characters from a precomputed table (pinyin.data.ts,
 * generated from pinyin-pro): looking characters up costs a few milliseconds once for
 * parsing the table, where loading pinyin-pro and asking it cost a tenth of a second.
 */

/** The characters read as one syllable, most common first. */
export interface SyllableChars {
  /** Characters whose usual reading this is. */
  usual: string;
  /** Characters with this as a less usual reading (行 under hang). */
  other: string;
}

interface Table {
  /** Offsets of each syllable's two character lists in READINGS. */
  bySyllable: Map<string, { usual: [number, number]; other: [number, number] }>;
  /** Per BMP code unit, 1 + the index of its first (usual) reading in `names`; 0 for none. */
  first: Uint16Array;
  /** Every reading of each character with more than one, the usual one first. */
  several: Map<number, string[]>;
  /** Syllable names by index, and each as a one-element reading list. */
  names: string[];
  single: Array<readonly string[]>;
}

let table: Table | null = null;

/** Parse the table with one pass over its characters per part (typed arrays, no per-character objects). */
function load(): Table {
  if (table) return table;
  const bySyllable: Table['bySyllable'] = new Map();
  const names: string[] = [];
  const ranges: Array<{ id: number; usual: [number, number]; other: [number, number] }> = [];
  for (const m of READINGS.matchAll(/([a-z]+)([^a-z,]*)(?:,([^a-z,]*))?/g)) {
    const at = m.index + m[1].length;
    const usual: [number, number] = [at, at + m[2].length];
    const other: [number, number] = m[3] === undefined ? [usual[1], usual[1]] : [usual[1] + 1, usual[1] + 1 + m[3].length];
    bySyllable.set(m[1], { usual, other });
    ranges.push({ id: names.length, usual, other });
    names.push(m[1]);
  }
  const first = new Uint16Array(0x10000);
  const several = new Map<number, string[]>();
  // Usual readings first, so that a character's first reading is its usual one.
  for (const part of ['usual', 'other'] as const) {
    for (const r of ranges) {
      const [from, to] = r[part];
      for (let i = from; i < to; i++) {
        const c = READINGS.charCodeAt(i);
        if (first[c] === 0) first[c] = r.id + 1;
        else {
          const list = several.get(c);
          if (list) list.push(names[r.id]);
          else several.set(c, [names[first[c] - 1], names[r.id]]);
        }
      }
    }
  }
  table = { bySyllable, first, several, names, single: names.map((n) => [n]) };
  return table;
}

const NONE: readonly string[] = [];
const NO_CHARS: SyllableChars = { usual: '', other: '' };

/** Every toneless reading of a character (a UTF-16 code unit), the usual one first; empty when it has none. */
export function readingsOfCode(code: number): readonly string[] {
  const t = load();
  const id = t.first[code];
  if (id === 0) return NONE;
  return t.several.get(code) ?? t.single[id - 1];
}

/** The characters read as `syllable`, most common first. */
export function charsOfSyllable(syllable: string): SyllableChars {
  const r = load().bySyllable.get(syllable);
  return r ? { usual: READINGS.slice(r.usual[0], r.usual[1]), other: READINGS.slice(r.other[0], r.other[1]) } : NO_CHARS;
}
