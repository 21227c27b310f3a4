import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Index } from 'flexsearch';
import { normalize } from '../analysis/normalize';
import type { Segmenter } from '../analysis/segmenter';
import { countBigrams } from '../analysis/bigrams';
import { countTerms } from '../analysis/terms';
import { decodePost, parsePost, type ParseOptions, type Post } from '../ingest/post';
import type { CorpusFile } from '../ingest/walk';
import { BigramCollector, TITLE_TF_WEIGHT, type BigramPostings } from './bigram-postings';
import { createFlexIndex } from './flex';

/** One file that was skipped, or indexed with a warning. */
export interface FileNote {
  path: string;
  reason: string;
}

/** A partition of the corpus indexed on its own (one per worker); queries merge shards. */
export interface ShardBuild {
  posts: Post[];
  /** Word terms (jieba words of 3+ characters, Latin runs). */
  flex: Index;
  /** Bigrams of title and body (title occurrences weighted): retrieval and body frequencies. */
  bigrams: BigramPostings;
  /** Bigrams of titles alone: title frequencies for ranking. */
  titleBigrams: BigramPostings;
  /** jieba words (2+ characters) → number of documents containing them. */
  vocab: Map<string, number>;
  skipped: FileNote[];
  warnings: FileNote[];
}

/** Incremental builder of one shard. */
export class ShardBuilder {
  readonly posts: Post[] = [];
  readonly flex: Index = createFlexIndex();
  private readonly bigrams = new BigramCollector();
  private readonly titleBigrams = new BigramCollector();
  readonly vocab = new Map<string, number>();
  readonly skipped: FileNote[] = [];
  readonly warnings: FileNote[] = [];
  /** (id, SHA-1 of the file's bytes) of every file read: the corpus fingerprint. */
  readonly hashes: Array<[string, string]> = [];

  constructor(
    private readonly segmenter: Segmenter | null,
    private readonly parseOptions: ParseOptions = {},
  ) {}

  /** Read, parse and index one corpus file; problems are recorded, never thrown. */
  addFile(file: CorpusFile): void {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' ? 'file disappeared during the build' : code === 'EACCES' ? 'permission denied' : `cannot read: ${code ?? err}`;
      this.skipped.push({ path: file.id, reason });
      return;
    }
    this.hashes.push([file.id, createHash('sha1').update(bytes).digest('hex')]);
    const decoded = decodePost(bytes);
    if (!decoded.ok) {
      this.skipped.push({ path: file.id, reason: decoded.reason });
      return;
    }
    let result;
    try {
      result = parsePost(file.id, decoded.text, this.parseOptions);
    } catch (err) {
      this.skipped.push({ path: file.id, reason: `cannot parse: ${(err as Error).message}` });
      return;
    }
    if (!result.ok) {
      this.skipped.push({ path: file.id, reason: result.reason });
      return;
    }
    for (const w of result.warnings) this.warnings.push({ path: file.id, reason: w });
    this.addPost(result.post);
  }

  /** Index one parsed post. */
  addPost(post: Post): void {
    const local = this.posts.length;
    this.posts.push(post);
    const counts = { words: new Map<string, number>(), bigrams: new Map<number, number>(), vocab: new Set<string>() };
    const title = normalize(post.title);
    countTerms(title, this.segmenter, counts, TITLE_TF_WEIGHT);
    const titleBigrams = new Map<number, number>();
    countBigrams(title, 1, titleBigrams);
    this.titleBigrams.add(local, titleBigrams);
    countTerms(normalize(post.text), this.segmenter, counts, 1);
    for (const w of counts.vocab) this.vocab.set(w, (this.vocab.get(w) ?? 0) + 1);
    this.bigrams.add(local, counts.bigrams);
    if (counts.words.size === 0) return;
    // Most prominent first: FlexSearch's position slots then rank documents by prominence.
    const terms = [...counts.words.entries()].sort((a, b) => b[1] - a[1]).map((e) => e[0]);
    this.flex.add(local, terms as unknown as string);
  }

  /** The finished shard. */
  finish(): ShardBuild {
    return {
      posts: this.posts,
      flex: this.flex,
      bigrams: this.bigrams.finish(),
      titleBigrams: this.titleBigrams.finish(),
      vocab: this.vocab,
      skipped: this.skipped,
      warnings: this.warnings,
    };
  }
}
