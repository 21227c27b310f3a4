import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { NORMALIZATION_VERSION } from '../analysis/normalize';
import { segmenterFingerprint, type SegmenterBackend } from '../analysis/segmenter';
import { walkCorpus } from '../ingest/walk';
import { encodeVocab } from '../store/codec';
import { pruneVersions, VersionWriter } from '../store/files';
import { BIGRAM_FILE, FORMAT_VERSION, TERM_SCHEME, TITLE_BIGRAM_FILE } from '../store/manifest';
import { FLEX_OPTIONS, flexVersion } from './flex';
import { BigramPostings } from './bigram-postings';
import { bigramsFromArrays, runShardJob, type BigramArrays, type ShardJob, type ShardResult } from './job';
import { partition } from './partition';
import type { FileNote } from './shard';

/** Options of {@link buildIndex}. */
export interface BuildOptions {
  /** Folder of posts, read recursively. */
  corpus: string;
  /** Index folder to write (default layout: see store/files). */
  out: string;
  /** Optional jieba user dictionary. */
  userDict?: string;
  /** Segmenter backend (default nodejieba, or ZHSEARCH_SEGMENTER); recorded in the manifest. */
  segmenter?: SegmenterBackend;
  /** Parallel build workers; default min(2, cores). 0 builds in this thread. */
  workers?: number;
  /** Cap on body text per post, in characters (default 2,000,000). */
  maxTextChars?: number;
  /** Called as files are processed. */
  onProgress?: (progress: BuildProgress) => void;
}

/** Build progress: files processed so far out of the total found. */
export interface BuildProgress {
  done: number;
  total: number;
}

/** What a build did. */
export interface BuildReport {
  /** Documents in the new index. */
  indexed: number;
  /** Files not indexed, with the reason. */
  skipped: FileNote[];
  /** Files indexed with a caveat (missing title, invalid date, capped text, …). */
  warnings: FileNote[];
  /** Wall time in milliseconds. */
  ms: number;
  /** Bytes on disk of the new index version. */
  bytes: number;
  /** Folder of the new index version. */
  dir: string;
}

/**
 * Build an index of `corpus` into `out`. Files are parsed, segmented and indexed in
 * parallel shards; the new version becomes live only when it is complete, so a crash
 * or an error keeps the previous index. Bad posts are reported, never fatal; an
 * unreadable corpus folder or a failure to write is thrown.
 */
export async function buildIndex(options: BuildOptions): Promise<BuildReport> {
  const started = Date.now();
  // Fail fast on a bad user dictionary rather than in every worker, without loading a
  // dictionary here: each worker loads its own (hundreds of MB with nodejieba).
  const segmenter = segmenterFingerprint({ backend: options.segmenter, userDict: options.userDict });
  const { files, problems } = await walkCorpus(options.corpus);
  const total = files.length;
  const requested = options.workers ?? Math.min(2, availableParallelism());
  const inThread = requested <= 1 || !canUseWorkers();
  const parts = partition(files, Math.max(1, Math.min(requested, Math.ceil(total / 200))));
  if (parts.length === 0) parts.push([]);

  const writer = await VersionWriter.create(options.out);
  try {
    const progress = new Array<number>(parts.length).fill(0);
    const report = (k: number, done: number): void => {
      progress[k] = done;
      options.onProgress?.({ done: progress.reduce((a, b) => a + b, 0), total });
    };
    const jobs: ShardJob[] = parts.map((p, k) => ({
      shard: k,
      files: p,
      dir: writer.dir,
      userDict: options.userDict,
      segmenter: segmenter.name,
      maxTextChars: options.maxTextChars,
    }));
    const results: ShardResult[] = [];
    if (inThread || parts.length === 1) {
      for (const job of jobs) results.push(await runShardJob(job, (d) => report(job.shard, d)));
    } else {
      results.push(...(await Promise.all(jobs.map((job) => runInWorker(job, (d) => report(job.shard, d))))));
    }

    const vocab = new Map<string, number>();
    const fingerprint = createHash('sha256');
    const skipped: FileNote[] = problems.map((p) => ({ path: p.path, reason: p.reason }));
    const warnings: FileNote[] = [];
    for (const r of results) {
      writer.addFiles(r.files);
      for (const [w, df] of r.vocab) vocab.set(w, (vocab.get(w) ?? 0) + df);
      for (const [id, h] of r.hashes) fingerprint.update(`${id}\0${h}\n`);
      skipped.push(...r.skipped);
      warnings.push(...r.warnings);
    }
    const shards = results.map((r) => r.docCount);
    const offsets = shards.map((_, k) => shards.slice(0, k).reduce((a, b) => a + b, 0));
    const docCount = shards.reduce((a, b) => a + b, 0);
    const merge = (pick: (r: ShardResult) => BigramArrays): BigramPostings =>
      BigramPostings.merge(
        results.map((r) => bigramsFromArrays(pick(r))),
        offsets,
        docCount,
      );
    // Level 1: the binary arrays gain little from harder compression (25 vs 28 MB) at twice the time.
    await Promise.all([
      writer.writeGzip(BIGRAM_FILE, merge((r) => r.bigrams).encode(), 1),
      writer.writeGzip(TITLE_BIGRAM_FILE, merge((r) => r.titleBigrams).encode(), 1),
      writer.writeGzip('vocab.json.gz', encodeVocab(vocab), 3),
    ]);
    const dir = await writer.commit({
      formatVersion: FORMAT_VERSION,
      builtAt: new Date().toISOString(),
      docCount,
      shards,
      tokenizer: {
        backend: segmenter.name,
        segmenter: segmenter.fingerprint,
        userDict: options.userDict ? resolve(options.userDict) : null,
        normalization: NORMALIZATION_VERSION,
        terms: TERM_SCHEME,
      },
      flexsearch: { version: flexVersion(), options: { ...FLEX_OPTIONS } },
      corpusFingerprint: fingerprint.digest('hex'),
    });
    await pruneVersions(options.out);
    const bytes = Object.values(writer.files).reduce((a, f) => a + f.bytes, 0);
    return { indexed: docCount, skipped, warnings, ms: Date.now() - started, bytes, dir };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** Worker threads need the compiled JavaScript; under ts-jest the build runs in-thread. */
function canUseWorkers(): boolean {
  return __filename.endsWith('.js');
}

function runInWorker(job: ShardJob, onProgress: (done: number) => void): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(require.resolve('./worker'), { workerData: job });
    let settled = false;
    worker.on('message', (msg: { type: string; done?: number; result?: ShardResult; message?: string }) => {
      if (msg.type === 'progress' && msg.done !== undefined) onProgress(msg.done);
      else if (msg.type === 'done' && msg.result) {
        settled = true;
        resolve(msg.result);
      } else if (msg.type === 'error') {
        settled = true;
        reject(new Error(`build worker ${job.shard}: ${msg.message}`));
      }
    });
    worker.on('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`build worker ${job.shard} exited with code ${code}`));
    });
  });
}
