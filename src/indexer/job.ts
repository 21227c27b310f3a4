import { join } from 'node:path';
import { getSegmenter, type SegmenterBackend } from '../analysis/segmenter';
import type { CorpusFile } from '../ingest/walk';
import { encodeDocsBytes, encodeVocab } from '../format/codec';
import { writeGzipFile, writeRawFile } from '../store/files';
import { encodeTextFile } from '../segment/text-file';
import { shardFiles, type FileChecksum } from '../format/manifest';
import { exportFlex } from '../format/flex';
import { BigramPostings, type DocIds } from '../format/bigram-postings';
import { wordArrays, wordsFromExport, type WordArrays } from '../format/word-postings';
import type { Post } from '../ingest/post';
import { docBlocks, removeBoilerplate, StatsCollector, type BoilerplateStats, type DocBlocks, type ShardBlocksFile } from './boilerplate';
import { readPostFile, ShardBuilder, type ParsedFiles, type PostAnalyses } from './shard';
import { LruCache } from '../lru';
import type { FileNote, SourceRecord } from '../format/manifest';

/** The first pass of a build: read and parse a slice of the corpus, fingerprint its blocks. */
export interface ParseJob {
  kind: 'parse';
  shard: number;
  files: CorpusFile[];
  maxTextChars?: number;
  /** Keep what is parsed for later jobs in this thread, and use what was kept (see {@link keptWork}). */
  keep?: boolean;
}

/** What a parse job reports back: the posts, their blocks and what happened to each file. */
export interface ParsedShard {
  shard: number;
  posts: Post[];
  /** Per post: its source and block fingerprints. */
  blocks: DocBlocks[];
  /** Every file of the job, read or not, with size, mtime and content hash. */
  sources: SourceRecord[];
  skipped: FileNote[];
  warnings: FileNote[];
}

/** The second pass: clean the parsed posts of template blocks and index them into one shard's files. */
export interface ShardJob {
  kind: 'index';
  shard: number;
  posts: Post[];
  blocks: DocBlocks[];
  /** Per post: its source key (see boilerplate.resolveSources). */
  sourceOf: string[];
  /** The template fingerprints of the sources of these posts. */
  frequent: Array<[string, string[]]>;
  /** Folder of the index version being written. */
  dir: string;
  userDict?: string;
  segmenter: SegmenterBackend;
  /** Keep post analyses for later jobs in this thread, and use what was kept (see {@link keptWork}). */
  keep?: boolean;
}

/** What a shard job reports back to the build. */
export interface ShardResult {
  shard: number;
  docCount: number;
  files: Record<string, FileChecksum>;
  vocab: Array<[string, number]>;
  /** Per document: [source URL, body SimHash]. */
  sigs: ShardSig[];
  /** The shard's bigram postings (local document numbers), merged by the build. */
  bigrams: BigramArrays;
  titleBigrams: BigramArrays;
  /** The shard's word postings (local document numbers) from its FlexSearch export, merged by the build. */
  words: WordArrays;
  /** What boilerplate removal took out of the shard's posts. */
  boilerplate: BoilerplateStats;
}

/** Either pass's job, as sent to a worker. */
export type BuildJob = ParseJob | ShardJob;

/** {@link BigramPostings} as plain typed arrays, transferable between threads. */
export interface BigramArrays {
  keys: Uint32Array;
  offsets: Uint32Array;
  docs: DocIds;
  tfs: Uint8Array;
}

/** Rebuild a posting store from {@link BigramArrays}. */
export function bigramsFromArrays(a: BigramArrays): BigramPostings {
  return new BigramPostings(a.keys, a.offsets, a.docs, a.tfs);
}

function toArrays(b: BigramPostings): BigramArrays {
  return { keys: b.keys, offsets: b.offsets, docs: b.docs, tfs: b.tfs };
}

/** Per document of a shard: its source URL and body SimHash (duplicate grouping). */
export type ShardSig = [string | null, string | null];

/**
 * Work kept by jobs with `keep` (a long-lived worker: watch mode), a few shards' worth:
 * an update rebuilds a shard whose other posts are unchanged, and their parse and
 * segmentation are functions of their bytes and text, so they are taken from here.
 */
const keptWork: { files: ParsedFiles | null; analyses: Map<string, PostAnalyses> } = { files: null, analyses: new Map() };
const KEPT_FILES = 1024;
/** The block fingerprints of kept posts (a kept file gives back the same post object). */
const keptBlocks = new WeakMap<Post, DocBlocks>();
const KEPT_ANALYSES = 512;

/** Run a parse job in this thread; `onProgress` gets the number of files done. */
export function runParseJob(job: ParseJob, onProgress: (done: number) => void): ParsedShard {
  const out: ParsedShard = { shard: job.shard, posts: [], blocks: [], sources: [], skipped: [], warnings: [] };
  let done = 0;
  const kept = job.keep ? (keptWork.files ??= new LruCache(KEPT_FILES)) : undefined;
  for (const file of job.files) {
    const read = readPostFile(file, { maxTextChars: job.maxTextChars }, kept);
    out.sources.push(read.source);
    out.warnings.push(...read.warnings);
    if (read.skipped) out.skipped.push(read.skipped);
    if (read.post) {
      out.posts.push(read.post);
      let blocks = keptBlocks.get(read.post);
      if (!blocks) {
        blocks = docBlocks(read.post);
        if (kept) keptBlocks.set(read.post, blocks);
      }
      out.blocks.push(blocks);
    }
    done++;
    if (done % 50 === 0) onProgress(done);
  }
  onProgress(done);
  return out;
}

/** Run either kind of job in this thread. */
export async function runBuildJob(job: BuildJob, onProgress: (done: number) => void): Promise<ParsedShard | ShardResult> {
  return job.kind === 'parse' ? runParseJob(job, onProgress) : runShardJob(job, onProgress);
}

/** Run a shard job in this thread; `onProgress` gets the number of posts done. */
export async function runShardJob(job: ShardJob, onProgress: (done: number) => void): Promise<ShardResult> {
  let kept: PostAnalyses | undefined;
  if (job.keep) {
    // Per segmenter: another dictionary segments differently.
    const key = `${job.segmenter}\0${job.userDict ?? ''}`;
    kept = keptWork.analyses.get(key) ?? new LruCache(KEPT_ANALYSES);
    keptWork.analyses.set(key, kept);
  }
  const builder = new ShardBuilder(getSegmenter({ backend: job.segmenter, userDict: job.userDict }), {}, kept);
  const frequent = new Map(job.frequent.map(([source, hashes]) => [source, new Set(hashes)]));
  const stats = new StatsCollector();
  let done = 0;
  for (let i = 0; i < job.posts.length; i++) {
    const post = job.posts[i];
    // A post none of whose blocks is template text of its source comes out as it went in.
    const templates = frequent.get(job.sourceOf[i]);
    const clean = templates && job.blocks[i][2].some((h) => templates.has(h)) ? removeBoilerplate(post.text, templates) : { text: post.text, removed: [] };
    stats.addPost(job.sourceOf[i], clean.removed);
    builder.addPost(clean.removed.length > 0 ? { ...post, text: clean.text } : post);
    done++;
    if (done % 50 === 0) onProgress(done);
  }
  onProgress(done);
  const boilerplate = stats.finish();
  const blocksFile: ShardBlocksFile = { docs: job.blocks, sources: job.sourceOf, stats: boilerplate };
  const shard = builder.finish();
  const names = shardFiles(job.shard);
  const files: Record<string, FileChecksum> = {};
  // Both compress in the thread pool at once; level 3 is much faster than 6 for a few more bytes.
  const sigs: ShardSig[] = shard.posts.map((p, i) => [p.url, shard.sigs[i]]);
  const flexExport = await exportFlex(shard.flex);
  // The word postings are read back from the export, so the file and FlexSearch agree by construction.
  const words = wordsFromExport(flexExport, shard.posts.length, join(job.dir, names.flex));
  const [docs, text, flex, vocab, sigFile, blocks] = await Promise.all([
    writeGzipFile(join(job.dir, names.docs), encodeDocsBytes(shard.posts), 3),
    writeRawFile(
      join(job.dir, names.text),
      encodeTextFile(
        shard.posts.map((p) => p.text),
        shard.ntexts,
      ),
    ),
    writeGzipFile(join(job.dir, names.flex), flexExport, 3),
    writeGzipFile(join(job.dir, names.vocab), encodeVocab(shard.vocab, false), 3),
    writeGzipFile(join(job.dir, names.sigs), JSON.stringify(sigs), 3),
    writeGzipFile(join(job.dir, names.blocks), JSON.stringify(blocksFile), 3),
  ]);
  files[names.docs] = docs;
  files[names.text] = text;
  files[names.flex] = flex;
  files[names.vocab] = vocab;
  files[names.sigs] = sigFile;
  files[names.blocks] = blocks;
  return {
    shard: job.shard,
    docCount: shard.posts.length,
    files,
    vocab: [...shard.vocab.entries()],
    sigs,
    bigrams: toArrays(shard.bigrams),
    titleBigrams: toArrays(shard.titleBigrams),
    words: wordArrays(words),
    boilerplate,
  };
}
