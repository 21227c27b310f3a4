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
import type { LruCache } from '../lru';

/** One corpus file read and parsed: its record, and the post or the reason it was skipped. */
export interface ReadPost {
  source: SourceRecord;
  post: Post | null;
  skipped: FileNote | null;
  warnings: FileNote[];
}

/** A parsed file kept by content, so that an unchanged file is not parsed again (see {@link readPostFile}). */
export type ParsedFiles = LruCache<string, Omit<ReadPost, 'source'>>;

/**
 * Read and parse one corpus file; problems are returned, never thrown. With `parsed`, a
 * file whose path, content and options were parsed before takes the earlier result.
 */
export function readPostFile(file: CorpusFile, parseOptions: ParseOptions = {}, parsed?: ParsedFiles): ReadPost {
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
  if (parsed) {
    const key = `${file.id}\0${source.sha1}\0${parseOptions.maxTextChars ?? ''}`;
    const known = parsed.get(key);
    if (known) return { ...known, source };
    const read = parseBytes(file, bytes, parseOptions, out);
    const { source: _, ...result } = read;
    parsed.set(key, result);
    return read;
  }
  return parseBytes(file, bytes, parseOptions, out);
}

function parseBytes(file: CorpusFile, bytes: Buffer, parseOptions: ParseOptions, out: ReadPost): ReadPost {
  const skip = (reason: string): ReadPost => ({ ...out, skipped: { path: file.id, reason } });
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

/** What {@link ShardBuilder.addPost} derives from one post: a function of its title and text alone. */
export interface PostAnalysis {
  /** Normalized body. */
  ntext: string;
  /** SimHash of the body's bigrams. */
  sig: string | null;
  titleBigrams: Map<number, number>;
  /** Body bigrams plus weighted title occurrences. */
  bigrams: Map<number, number>;
  vocab: string[];
  /** Word terms, most prominent first. */
  terms: string[];
}

/** Post analyses kept by title and text, so that a post indexed before is not segmented again. */
export type PostAnalyses = LruCache<string, PostAnalysis>;

/** Analyse one post: normalize, segment and count its terms and bigrams. */
export function analyzePost(post: Pick<Post, 'title' | 'text'>, segmenter: Segmenter | null): PostAnalysis {
  const words = new Map<string, number>();
  const vocab = new Set<string>();
  const title = normalize(post.title);
  // Title words first (their weight puts them ahead in FlexSearch's order on ties).
  countTerms(title, segmenter, { words, bigrams: null, vocab }, TITLE_TF_WEIGHT);
  const titleBigrams = new Map<number, number>();
  countBigrams(title, 1, titleBigrams);
  const bigrams = new Map<number, number>();
  const ntext = normalize(post.text);
  countTerms(ntext, segmenter, { words, bigrams, vocab }, 1);
  // SimHash over the body alone, then the (weighted) title occurrences join the body's.
  const sig = simhash(bigrams);
  for (const [k, n] of titleBigrams) bigrams.set(k, (bigrams.get(k) ?? 0) + n * TITLE_TF_WEIGHT);
  // Most prominent first: FlexSearch's position slots then rank documents by prominence.
  const terms = [...words.entries()].sort((a, b) => b[1] - a[1]).map((e) => e[0]);
  return { ntext, sig, titleBigrams, bigrams, vocab: [...vocab], terms };
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
    /** Analyses kept across shards and builds (watch mode), keyed by title and text. */
    private readonly analyses?: PostAnalyses,
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
    let a: PostAnalysis;
    if (this.analyses) {
      const key = createHash('sha1').update(post.title).update('\0').update(post.text).digest('hex');
      a = this.analyses.get(key) ?? analyzePost(post, this.segmenter);
      this.analyses.set(key, a);
    } else a = analyzePost(post, this.segmenter);
    this.titleBigrams.add(local, a.titleBigrams);
    this.ntexts.push(a.ntext);
    this.sigs.push(a.sig);
    for (const w of a.vocab) this.vocab.set(w, (this.vocab.get(w) ?? 0) + 1);
    this.bigrams.add(local, a.bigrams);
    if (a.terms.length === 0) return;
    this.flex.add(local, a.terms as unknown as string);
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
