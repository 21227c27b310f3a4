import type { Post } from '../ingest/post';

/**
 * Search-as-you-type completions: vocabulary words (jieba words and Latin words seen
 * at build time) that start with the typed prefix, most frequent first, then titles
 * that start with or contain it.
 */
export class Suggester {
  private readonly words: string[];
  private readonly dfs: Uint32Array;

  constructor(
    vocab: ReadonlyArray<[string, number]>,
    private readonly posts: readonly Post[],
    private readonly ntitle: readonly string[],
  ) {
    // Vocabulary arrives sorted by word (code-unit order), which binary search needs.
    this.words = vocab.map((v) => v[0]);
    this.dfs = Uint32Array.from(vocab.map((v) => v[1]));
  }

  /** Documents containing `word` (a vocabulary word), 0 when it is not in the vocabulary. */
  df(word: string): number {
    let lo = 0;
    let hi = this.words.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const w = this.words[mid];
      if (w < word) lo = mid + 1;
      else if (w > word) hi = mid - 1;
      else return this.dfs[mid];
    }
    return 0;
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
    for (const w of this.wordsWithPrefix(prefix, wordLimit)) push(w);
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

  private wordsWithPrefix(prefix: string, limit: number): string[] {
    let lo = 0;
    let hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.words[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: number[] = [];
    for (let i = lo; i < this.words.length && this.words[i].startsWith(prefix); i++) found.push(i);
    found.sort((a, b) => this.dfs[b] - this.dfs[a] || this.words[a].length - this.words[b].length);
    return found.slice(0, limit).map((i) => this.words[i]);
  }
}
