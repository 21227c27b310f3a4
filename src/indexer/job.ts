import { join } from 'node:path';
import { getSegmenter, type SegmenterBackend } from '../analysis/segmenter';
import type { CorpusFile } from '../ingest/walk';
import { encodeDocsBytes, encodeVocab } from '../store/codec';
import { writeGzipFile } from '../store/files';
import type { FileChecksum } from '../store/manifest';
import { exportFlex } from './flex';
import { BigramPostings, type DocIds } from './bigram-postings';
import { ShardBuilder, type FileNote, type SourceRecord } from './shard';

/** The work of one build worker: index a slice of the corpus into one shard's files. */
export interface ShardJob {
  shard: number;
  files: CorpusFile[];
  /** Folder of the index version being written. */
  dir: string;
  userDict?: string;
  segmenter: SegmenterBackend;
  maxTextChars?: number;
}

/** What a shard job reports back to the build. */
export interface ShardResult {
  shard: number;
  docCount: number;
  files: Record<string, FileChecksum>;
  vocab: Array<[string, number]>;
  skipped: FileNote[];
  warnings: FileNote[];
  /** Every file of the job, read or not, with size, mtime and content hash. */
  sources: SourceRecord[];
  /** Per document: [source URL, body SimHash]. */
  sigs: ShardSig[];
  /** The shard's bigram postings (local document numbers), merged by the build. */
  bigrams: BigramArrays;
  titleBigrams: BigramArrays;
}

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

/** Shard file names. */
export const shardFiles = (k: number): { docs: string; flex: string; vocab: string; sigs: string } => ({
  docs: `shard-${k}.docs.json.gz`,
  flex: `shard-${k}.flex.gz`,
  /** The shard's share of vocab.json.gz, so an incremental build can subtract it. */
  vocab: `shard-${k}.vocab.json.gz`,
  sigs: `shard-${k}.sigs.json.gz`,
});

/** Run a shard job in this thread; `onProgress` gets the number of files done. */
export async function runShardJob(job: ShardJob, onProgress: (done: number) => void): Promise<ShardResult> {
  const builder = new ShardBuilder(getSegmenter({ backend: job.segmenter, userDict: job.userDict }), { maxTextChars: job.maxTextChars });
  let done = 0;
  for (const file of job.files) {
    builder.addFile(file);
    done++;
    if (done % 50 === 0) onProgress(done);
  }
  onProgress(done);
  const shard = builder.finish();
  const names = shardFiles(job.shard);
  const files: Record<string, FileChecksum> = {};
  // Both compress in the thread pool at once; level 3 is ~3x faster than 6 for ~10 % more bytes.
  const sigs: ShardSig[] = shard.posts.map((p, i) => [p.url, shard.sigs[i]]);
  const [docs, flex, vocab, sigFile] = await Promise.all([
    writeGzipFile(join(job.dir, names.docs), encodeDocsBytes(shard.posts, shard.ntexts), 3),
    writeGzipFile(join(job.dir, names.flex), await exportFlex(shard.flex), 3),
    writeGzipFile(join(job.dir, names.vocab), encodeVocab(shard.vocab, false), 3),
    writeGzipFile(join(job.dir, names.sigs), JSON.stringify(sigs), 3),
  ]);
  files[names.docs] = docs;
  files[names.flex] = flex;
  files[names.vocab] = vocab;
  files[names.sigs] = sigFile;
  return {
    shard: job.shard,
    docCount: shard.posts.length,
    files,
    vocab: [...shard.vocab.entries()],
    skipped: shard.skipped,
    warnings: shard.warnings,
    sources: builder.sources,
    sigs,
    bigrams: toArrays(shard.bigrams),
    titleBigrams: toArrays(shard.titleBigrams),
  };
}
