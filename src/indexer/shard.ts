import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { normalize } from '../analysis/normalize';
import type { Segmenter } from '../analysis/segmenter';
import { countBigrams } from '../analysis/bigrams';
import { simhash } from '../analysis/simhash';
import { countTerms } from '../analysis/terms';
import { decodePost, parsePost, type ParseOptions, type Post } from '../ingest/post';
import type { CorpusFile } from '../ingest/walk';
import { BigramCollector, TITLE_TF_WEIGHT, type BigramPostings } from '../format/bigram-postings';
import { createFlexIndex } from '../format/flex';
import type { FlexIndex } from '../format/flex-index';
import type { FileNote, SourceRecord } from '../format/manifest';

/** One corpus file read and parsed: its record, and the post or the reason it was skipped. */
export interface ReadPost {
  source: SourceRecord;
  post: Post | null;
  skipped: FileNote | null;
  warnings: FileNote[];
}

/** Read and parse one corpus file; problems are returned, never thrown. */
export function readPostFile(file: CorpusFile, parseOptions: ParseOptions = {}): ReadPost {
  const source: SourceRecord = { path: file.id, size: file.size, mtimeMs: file.mtimeMs, sha1: null };
  const out: ReadPost = { source, post: null, skipped: null, warnings: [] };
  const skip = (reason: string): ReadPost => ({ ...out, skipped: { path: file.id, reason } });
  let bytes: Buffer;
  try {
    bytes = readFileSync(file.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return skip(
      code === 'ENOENT'
        ? 'file disappeared during the build'
        : code === 'EACCES'
          ? 'permission denied'
          : `cannot read: ${code ?? String(err)}`,
    );
  }
  source.sha1 = createHash('sha1').update(bytes).digest('hex');
  const decoded = decodePost(bytes);
  if (!decoded.ok) return skip(decoded.reason);
  let result;
  try {
    result = parsePost(file.id, decoded.text, parseOptions);
  } catch (err) {
    return skip(`cannot parse: ${(err as Error).message}`);
  }
  if (!result.ok) return skip(result.reason);
  return { ...out, post: result.post, warnings: result.warnings.map((w) => ({ path: file.id, reason: w })) };
}

/** A partition of the corpus indexed on its own; queries merge shards. */
export interface ShardBuild {
  posts: Post[];
  /** Per post: its normalized body (what the document store keeps). */
  ntexts: string[];
  /** Per post: SimHash of the body (null when too short), for duplicate grouping. */
  sigs: Array<string | null>;
  /** Word terms (jieba words of 3+ characters, Latin runs). */
  flex: FlexIndex;
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
  readonly ntexts: string[] = [];
  readonly sigs: Array<string | null> = [];
  readonly flex: FlexIndex = createFlexIndex();
  private readonly bigrams = new BigramCollector();
  private readonly titleBigrams = new BigramCollector();
  readonly vocab = new Map<string, number>();
  readonly skipped: FileNote[] = [];
  readonly warnings: FileNote[] = [];
  /** Every file given to {@link addFile}, read or not, in order. */
  readonly sources: SourceRecord[] = [];

  constructor(
    private readonly segmenter: Segmenter | null,
    private readonly parseOptions: ParseOptions = {},
  ) {}

  /** Read, parse and index one corpus file; problems are recorded, never thrown. */
  addFile(file: CorpusFile): void {
    const read = readPostFile(file, this.parseOptions);
    this.sources.push(read.source);
    this.warnings.push(...read.warnings);
    if (read.skipped) this.skipped.push(read.skipped);
    if (read.post) this.addPost(read.post);
  }

  /** Index one parsed post. */
  addPost(post: Post): void {
    const local = this.posts.length;
    this.posts.push(post);
    const words = new Map<string, number>();
    const vocab = new Set<string>();
    const title = normalize(post.title);
    // Title words first (their weight puts them ahead in FlexSearch's order on ties).
    countTerms(title, this.segmenter, { words, bigrams: null, vocab }, TITLE_TF_WEIGHT);
    const titleBigrams = new Map<number, number>();
    countBigrams(title, 1, titleBigrams);
    this.titleBigrams.add(local, titleBigrams);
    const bigrams = new Map<number, number>();
    const ntext = normalize(post.text);
    this.ntexts.push(ntext);
    countTerms(ntext, this.segmenter, { words, bigrams, vocab }, 1);
    // SimHash over the body alone, then the (weighted) title occurrences join the body's.
    this.sigs.push(simhash(bigrams));
    for (const [k, n] of titleBigrams) bigrams.set(k, (bigrams.get(k) ?? 0) + n * TITLE_TF_WEIGHT);
    for (const w of vocab) this.vocab.set(w, (this.vocab.get(w) ?? 0) + 1);
    this.bigrams.add(local, bigrams);
    if (words.size === 0) return;
    // Most prominent first: FlexSearch's position slots then rank documents by prominence.
    const terms = [...words.entries()].sort((a, b) => b[1] - a[1]).map((e) => e[0]);
    this.flex.add(local, terms as unknown as string);
  }

  /** The finished shard. */
  finish(): ShardBuild {
    return {
      posts: this.posts,
      ntexts: this.ntexts,
      sigs: this.sigs,
      flex: this.flex,
      bigrams: this.bigrams.finish(),
      titleBigrams: this.titleBigrams.finish(),
      vocab: this.vocab,
      skipped: this.skipped,
      warnings: this.warnings,
    };
  }
}
