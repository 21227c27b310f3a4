import { charReadings } from '../analysis/pinyin';
import { allCjk } from '../analysis/terms';

/** What a character at one position must satisfy, given its readings. */
export type CharTest = (readings: readonly string[], code: number) => boolean;

/** A vocabulary word found by sound, with its document frequency. */
export interface SoundMatch {
  word: string;
  df: number;
}

/**
 * The Chinese part of the suggestion vocabulary, searchable by sound: words whose
 * characters, position by position, have readings passing the given tests (typed
 * pinyin, or the readings of a mistyped word). Character readings are computed on the
 * first such search (about 0.2 s for an archive's ~8,000 distinct characters), not at
 * load, so engines that never see pinyin pay nothing.
 */
export class PinyinVocab {
  private groups: Array<{ code: number; start: number; end: number }> | null = null;
  private readings: Map<number, readonly string[]> | null = null;
  private bySyllable: Map<string, number[]> | null = null;

  /** `words` sorted by code unit (as the vocabulary is stored), `dfs` aligned with them. */
  constructor(
    private readonly words: readonly string[],
    private readonly dfs: Uint32Array,
  ) {}

  /** Readings of one character (empty for a character without pinyin). */
  readingsOf(code: number): readonly string[] {
    this.prepare();
    return this.readings!.get(code) ?? charReadings(String.fromCharCode(code))[0] ?? [];
  }

  /** Characters of the vocabulary with this reading, the most common first (as an input method offers them). */
  charsWithReading(syllable: string): readonly number[] {
    this.prepare();
    if (!this.bySyllable) {
      const freq = new Map<number, number>();
      for (let i = 0; i < this.words.length; i++) {
        const w = this.words[i];
        for (let k = 0; k < w.length; k++) freq.set(w.charCodeAt(k), (freq.get(w.charCodeAt(k)) ?? 0) + this.dfs[i]);
      }
      const by = new Map<string, number[]>();
      for (const [c, rs] of this.readings!) for (const r of rs) (by.get(r) ?? by.set(r, []).get(r)!).push(c);
      for (const list of by.values()) list.sort((a, b) => (freq.get(b) ?? 0) - (freq.get(a) ?? 0) || a - b);
      this.bySyllable = by;
    }
    return this.bySyllable.get(syllable) ?? NONE_CODES;
  }

  /** Words of exactly `tests.length` characters passing every test, most frequent first. */
  find(tests: readonly CharTest[], limit: number, minDf = 1): SoundMatch[] {
    if (tests.length < 2 || tests.length > MAX_WORD_CHARS) return [];
    this.prepare();
    const readings = this.readings!;
    const n = tests.length;
    const out: SoundMatch[] = [];
    for (const g of this.groups!) {
      if (!tests[0](readings.get(g.code) ?? NONE, g.code)) continue;
      next: for (let i = g.start; i < g.end; i++) {
        const w = this.words[i];
        if (w.length !== n || this.dfs[i] < minDf) continue;
        for (let k = 1; k < n; k++) {
          const c = w.charCodeAt(k);
          if (!tests[k](readings.get(c) ?? NONE, c)) continue next;
        }
        out.push({ word: w, df: this.dfs[i] });
      }
    }
    out.sort((a, b) => b.df - a.df || (a.word < b.word ? -1 : 1));
    return out.slice(0, limit);
  }

  private prepare(): void {
    if (this.groups) return;
    const groups: Array<{ code: number; start: number; end: number }> = [];
    const chars = new Set<number>();
    for (let i = 0; i < this.words.length; i++) {
      const w = this.words[i];
      if (w.length < 2 || !allCjk(w)) continue;
      const c = w.charCodeAt(0);
      const last = groups[groups.length - 1];
      if (last && last.code === c && last.end === i) last.end = i + 1;
      else groups.push({ code: c, start: i, end: i + 1 });
      for (let k = 0; k < w.length; k++) chars.add(w.charCodeAt(k));
    }
    const list = [...chars];
    const all = charReadings(String.fromCharCode(...list));
    const readings = new Map<number, readonly string[]>();
    list.forEach((c, k) => readings.set(c, all[k] ?? NONE));
    this.readings = readings;
    this.groups = groups;
  }
}

const NONE: readonly string[] = [];
/** Longer sound patterns find nothing worth suggesting (and would scan a lot). */
const MAX_WORD_CHARS = 8;
const NONE_CODES: readonly number[] = [];
