import { charsOfSyllable } from '../analysis/char-readings';
import { isLatinLetters, parsePinyin, SYLLABLES, syllableMatches, type TypedSyllable } from '../analysis/pinyin';
import type { VocabColumns } from '../format/codec';
import type { Post } from '../ingest/post';
import type { LatinBucket, LatinVocab } from './latin-correction';
import { lowerBound, PinyinVocab, type CharTest, type SoundMatch } from './pinyin-vocab';

/**
 * Search-as-you-type completions: vocabulary words (jieba words and Latin words seen
 * at build time) that start with the typed prefix or, for Latin letters, that the
 * letters spell in pinyin (full, initials, or both: `wangyi`, `wy`, `wang yi`, `wangy`),
 * most frequent first; then titles that start with or contain the prefix.
 */
export class Suggester {
  private readonly words: string[];
  private readonly dfs: Uint32Array;
  /** The vocabulary searchable by sound (pinyin suggestions, homophone corrections). */
  readonly sounds: PinyinVocab;

  constructor(
    vocab: VocabColumns,
    private readonly posts: readonly Post[],
    private readonly ntitle: readonly string[],
  ) {
    // Vocabulary arrives sorted by word (code-unit order), which binary search needs.
    this.words = vocab.words;
    this.dfs = vocab.dfs;
    this.sounds = new PinyinVocab(this.words, this.dfs);
  }

  /** Document frequency of a vocabulary word (0 when it is not in the vocabulary). */
  df(word: string): number {
    const i = lowerBound(this.words, word);
    return i < this.words.length && this.words[i] === word ? this.dfs[i] : 0;
  }

  private latin: LatinBucket[] | null = null;

  /**
   * Latin vocabulary words (a–z only) found in 2+ documents, by length, with document
   * frequencies and letter masks: collected on first use in one pass over the words
   * between `a` and `z`, which the sorted vocabulary holds together.
   */
  latinWords(): LatinVocab {
    if (!this.latin) {
      const by: LatinBucket[] = [];
      next: for (let i = lowerBound(this.words, 'a'); i < this.words.length && this.words[i] < '{'; i++) {
        if (this.dfs[i] < 2) continue;
        const w = this.words[i];
        let mask = 0;
        for (let k = 0; k < w.length; k++) {
          const c = w.charCodeAt(k);
          if (c < 0x61 || c > 0x7a) continue next;
          mask |= 1 << (c - 0x61);
        }
        const b = (by[w.length] ??= { words: [], dfs: [], masks: [] });
        b.words.push(w);
        b.dfs.push(this.dfs[i]);
        b.masks.push(mask);
      }
      this.latin = by;
    }
    return this.latin;
  }

  /**
   * Chinese words that typed Latin letters spell in pinyin, most frequent first. Readings
   * with syllables still being typed (initials, the last syllable cut short) count for
   * half per such syllable, so `xian` gives 西安 before a rare word read `xia n…`.
   * With `typing` false only whole syllables count (for reading a submitted query).
   */
  byPinyin(typed: string, limit: number, typing = true): SoundMatch[] {
    const scored = new Map<string, number>();
    for (const parse of parsePinyin(typed, { partialLast: typing, initials: typing })) {
      const partial = parse.filter((p) => !p.whole).length;
      const weight = parse.every((p) => !p.whole) ? 1 : 0.5 ** partial;
      for (const m of this.sounds.find(parse.map(typedTest), firstChars(parse[0]), limit)) {
        const score = m.df * weight;
        if ((scored.get(m.word) ?? -1) < score) scored.set(m.word, score);
      }
    }
    return [...scored.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([word, score]) => ({ word, df: score }));
  }

  /** Completions of a normalized prefix. */
  suggest(prefix: string, limit: number): string[] {
    if (prefix === '') return [];
    const out: string[] = [];
    const seen = new Set<string>();
    const push = (s: string): void => {
      if (out.length < limit && !seen.has(s)) {
        seen.add(s);
        out.push(s);
      }
    };
    const wordLimit = Math.max(1, limit - 3);
    const words = this.wordsWithPrefix(prefix, wordLimit);
    if (isLatinLetters(prefix)) {
      // Latin completions and pinyin readings together, by how often they occur.
      const both = words.concat(this.byPinyin(prefix, wordLimit));
      both.sort((a, b) => b.df - a.df);
      for (const m of both.slice(0, wordLimit)) push(m.word);
    } else {
      for (const m of words) push(m.word);
    }
    const starts: string[] = [];
    const contains: string[] = [];
    for (let d = 0; d < this.ntitle.length && starts.length < limit; d++) {
      const i = this.ntitle[d].indexOf(prefix);
      if (i === 0) starts.push(this.posts[d].title);
      else if (i > 0 && contains.length < limit) contains.push(this.posts[d].title);
    }
    for (const t of starts.concat(contains)) push(t);
    return out;
  }

  private wordsWithPrefix(prefix: string, limit: number): SoundMatch[] {
    const found: number[] = [];
    for (let i = lowerBound(this.words, prefix); i < this.words.length && this.words[i].startsWith(prefix); i++) found.push(i);
    found.sort((a, b) => this.dfs[b] - this.dfs[a] || this.words[a].length - this.words[b].length);
    return found.slice(0, limit).map((i) => ({ word: this.words[i], df: this.dfs[i] }));
  }
}

/** Characters that a typed syllable (whole, or the start of one) may stand for. */
function firstChars(t: TypedSyllable): Set<number> {
  const out = new Set<number>();
  for (const s of t.whole ? [t.text] : [...SYLLABLES].filter((x) => x.startsWith(t.text))) {
    const { usual, other } = charsOfSyllable(s);
    for (const chars of [usual, other]) for (let i = 0; i < chars.length; i++) out.add(chars.charCodeAt(i));
  }
  return out;
}

function typedTest(t: TypedSyllable): CharTest {
  return (readings) => syllableMatches(t, readings);
}
