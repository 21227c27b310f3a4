// Over 300 lines: the build's steps (walk, shard workers, reuse, merge, write, flip) read in order as one procedure.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { NORMALIZATION_VERSION } from '../analysis/normalize';
import { segmenterFingerprint, type SegmenterBackend } from '../analysis/segmenter';
import { walkCorpus } from '../ingest/walk';
import { encodeVocab } from '../format/codec';
import { pruneVersions, VersionWriter } from '../store/files';
import { acquireBuildLock } from '../store/lock';
import {
  BIGRAM_FILE,
  BOILERPLATE_FILE,
  DUPLICATES_FILE,
  FORMAT_VERSION,
  TERM_SCHEME,
  TITLE_BIGRAM_FILE,
  WORD_FILE,
  type Manifest,
  type ShardSources,
} from '../format/manifest';
import { FLEX_OPTIONS, flexVersion } from '../format/flex';
import { BigramPostings } from '../format/bigram-postings';
import { encodeBigramFile } from '../segment/bigram-file';
import { WordPostings, wordsFromArrays } from '../format/word-postings';
import { encodeWordFile } from '../segment/word-file';
import { groupDuplicates } from './duplicate-groups';
import { countChanges, openPrevious, reuseShard, upToDate, type Changes, type PreviousIndex } from './incremental';
import {
  BOILERPLATE_SCHEME,
  cleanedDifferently,
  computeTable,
  encodeTable,
  frequentSets,
  reportOf,
  StatsCollector,
  type BoilerplateReport,
  type DocBlocks,
} from './boilerplate';
import { bigramsFromArrays, runBuildJob, type BuildJob, type ParsedShard, type ShardJob, type ShardResult, type ShardSig } from './job';
import { partition } from './partition';
import type { FileNote } from '../format/manifest';

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
  /**
   * Reuse the live index in `out`: rebuild only the shards whose files were added,
   * changed or deleted (same result as a full build). Falls back to a full build, with
   * the reason in {@link BuildReport.fullReason}, when there is no usable previous index.
   */
  incremental?: boolean;
  /** Called as files are processed. */
  onProgress?: (progress: BuildProgress) => void;
}

/**
 * Build progress: files processed so far out of the total to process. A file counts half
 * once read and parsed (first pass) and in full once cleaned and indexed (second pass).
 */
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
  /** `incremental` when shards of the previous index were reused. */
  mode: 'full' | 'incremental';
  /** Why an incremental build was asked for but a full one done (null otherwise). */
  fullReason: string | null;
  /** Post files added, changed (content) and removed since the previous index (all added for a full build). */
  changes: Changes;
  /** Shards built now and reused from the previous index. */
  shards: { built: number; reused: number };
  /** Groups of duplicate posts (same story) in the new index. */
  duplicateGroups: number;
  /** True when an incremental build found nothing to do: no new version was written, `dir` is the live one. */
  upToDate: boolean;
  /** Template blocks left out of the index (see indexer/boilerplate), the most removed first. */
  boilerplate: BoilerplateReport;
}

/**
 * Build an index of `corpus` into `out`. Files are parsed, segmented and indexed in
 * shards on worker threads; the new version becomes live only when it is complete, so
 * a crash or an error keeps the previous index. Bad posts are reported, never fatal; an
 * unreadable corpus folder or a failure to write is thrown. One build at a time writes
 * into `out`: a second one is refused with a BuildLockedError naming the holder.
 */
export async function buildIndex(options: BuildOptions): Promise<BuildReport> {
  const release = await acquireBuildLock(options.out);
  try {
    return await buildLocked(options);
  } finally {
    await release();
  }
}

async function buildLocked(options: BuildOptions): Promise<BuildReport> {
  const started = Date.now();
  // Fail fast on a bad user dictionary rather than in every worker, without loading a
  // dictionary here: each worker loads its own (hundreds of MB with nodejieba).
  const segmenter = segmenterFingerprint({ backend: options.segmenter, userDict: options.userDict });
  const { files, problems } = await walkCorpus(options.corpus);
  const parts = partition(files);
  if (parts.length === 0) parts.push([]); // an empty index still has one (empty) shard
  const tokenizer: Manifest['tokenizer'] = {
    backend: segmenter.name,
    segmenter: segmenter.fingerprint,
    userDict: options.userDict ? resolve(options.userDict) : null,
    normalization: NORMALIZATION_VERSION,
    terms: TERM_SCHEME,
  };
  const settings: Manifest['build'] = { maxTextChars: options.maxTextChars ?? null, boilerplate: BOILERPLATE_SCHEME };

  let previous: PreviousIndex | null = null;
  let fullReason: string | null = null;
  if (options.incremental) {
    const opened = await openPrevious(options.out, tokenizer, settings);
    if ('reason' in opened) fullReason = opened.reason;
    else previous = opened;
  }
  // Per new shard: the previous shard it is identical to, or null to build it.
  const reuse = await Promise.all(parts.map((p) => (previous ? reuseShard(previous, p) : Promise.resolve(null))));

  const skipped = (): FileNote[] => problems.map((p) => ({ path: p.path, reason: p.reason }));
  if (previous && upToDate(previous, reuse)) {
    const m = previous.manifest;
    return {
      indexed: m.docCount,
      skipped: [...skipped(), ...m.shardSources.flatMap((s) => s.skipped)],
      warnings: m.shardSources.flatMap((s) => s.warnings),
      ms: Date.now() - started,
      bytes: Object.values(m.files).reduce((a, f) => a + f.bytes, 0),
      dir: previous.dir,
      mode: 'incremental',
      fullReason: null,
      changes: countChanges(previous, m.shardSources),
      shards: { built: 0, reused: m.shards.length },
      duplicateGroups: m.duplicateGroups ?? 0,
      upToDate: true,
      boilerplate: (await previous.boilerplate()).report,
    };
  }

  const requested = options.workers ?? Math.min(2, availableParallelism());
  let writer: VersionWriter | null = null;
  try {
    // Pass 1: read and parse the shards to build, and fingerprint their blocks.
    const toBuild = parts.flatMap((p, k) => (reuse[k] === null ? [k] : []));
    const steps = (shards: number[]): number => shards.reduce((s, k) => s + parts[k].length, 0);
    let total = steps(toBuild);
    const progress = new Map<string, number>();
    const report =
      (pass: string) =>
      (k: number, done: number): void => {
        progress.set(`${pass}${k}`, done);
        let sum = 0;
        for (const d of progress.values()) sum += d;
        options.onProgress?.({ done: Math.floor(sum / 2), total });
      };
    const parseJobs = (shards: number[]): BuildJob[] =>
      shards.map((k) => ({ kind: 'parse', shard: k, files: parts[k], maxTextChars: options.maxTextChars }));
    const parsed = await runJobs<ParsedShard>(parseJobs(toBuild), requested, report('p'), () => undefined);

    // The block-frequency table over every post, new or reused.
    const previousBlocks = new Map<number, Awaited<ReturnType<PreviousIndex['blocks']>>>();
    const blocks: DocBlocks[][] = [];
    for (let k = 0; k < parts.length; k++) {
      const old = reuse[k];
      if (old === null) blocks.push(parsed.get(k)!.blocks);
      else {
        const file = await previous!.blocks(old.shard);
        previousBlocks.set(k, file);
        blocks.push(file.docs);
      }
    }
    const table = computeTable(blocks.flat());
    const sets = frequentSets(table);
    const firstDoc: number[] = [];
    blocks.reduce((at, b, k) => ((firstDoc[k] = at), at + b.length), 0);
    const sourcesOf = (k: number): string[] => table.sourceOf.slice(firstDoc[k], firstDoc[k] + blocks[k].length);

    // A reused shard whose posts would now lose other blocks (a line became, or stopped
    // being, template text) is rebuilt, so the result is the one a full build gives.
    if (previous) {
      const before = (await previous.boilerplate()).frequent;
      const stale: number[] = [];
      for (const [k, file] of previousBlocks) {
        const now = sourcesOf(k);
        if (file.docs.some((d, i) => cleanedDifferently(d, file.sources[i], now[i], before, sets))) stale.push(k);
      }
      if (stale.length > 0) {
        for (const k of stale) {
          reuse[k] = null;
          previousBlocks.delete(k);
          toBuild.push(k);
        }
        toBuild.sort((a, b) => a - b);
        total = steps(toBuild);
        for (const [k, r] of await runJobs<ParsedShard>(parseJobs(stale), requested, report('p'), () => undefined)) parsed.set(k, r);
      }
    }

    // Pass 2: clean and index.
    writer = await VersionWriter.create(options.out);
    const dirOut = writer.dir;
    const jobs: ShardJob[] = toBuild.map((k) => {
      const sourceOf = sourcesOf(k);
      const frequent: Array<[string, string[]]> = [...new Set(sourceOf)].map((src) => [src, [...(sets.get(src) ?? [])]]);
      return {
        kind: 'index',
        shard: k,
        posts: parsed.get(k)!.posts,
        blocks: blocks[k],
        sourceOf,
        frequent,
        dir: dirOut,
        userDict: options.userDict,
        segmenter: segmenter.name,
      };
    });
    // Vocabularies are summed as shard results arrive, not in the single-threaded tail.
    const vocab = previous ? await previous.vocabWithout(reuse) : new Map<string, number>();
    const removals = new StatsCollector();
    for (const file of previousBlocks.values()) removals.addStats(file.stats);
    const indexed = report('i');
    const built = await runJobs<ShardResult>(jobs, requested, indexed, (r) => {
      indexed(r.shard, parts[r.shard].length); // skipped files included: the shard is done
      for (const [w, df] of r.vocab) vocab.set(w, (vocab.get(w) ?? 0) + df);
      r.vocab = []; // summed: no need to keep it until the end of the build
      removals.addStats(r.boilerplate);
    });

    // Everything per shard, in shard order, from the new build or the previous index.
    const shardSources: ShardSources[] = [];
    const docCounts: number[] = [];
    const bigramParts: BigramPostings[] = [];
    const titleParts: BigramPostings[] = [];
    const wordParts: WordPostings[] = [];
    const sigs: ShardSig[] = [];
    const oldBigrams = previous && reuse.some((r) => r !== null) ? await previous.bigramParts() : null;
    const oldWords = previous && reuse.some((r) => r !== null) ? await previous.wordParts() : null;
    for (let k = 0; k < parts.length; k++) {
      const r = built.get(k);
      const old = reuse[k];
      if (r) {
        const p = parsed.get(k)!;
        writer.addFiles(r.files);
        shardSources.push({ files: p.sources, skipped: p.skipped, warnings: p.warnings });
        docCounts.push(r.docCount);
        bigramParts.push(bigramsFromArrays(r.bigrams));
        titleParts.push(bigramsFromArrays(r.titleBigrams));
        wordParts.push(wordsFromArrays(r.words));
        sigs.push(...r.sigs);
      } else if (previous && old !== null && oldBigrams && oldWords) {
        writer.addFiles(await previous.linkShard(old.shard, k, writer.dir));
        shardSources.push({ ...previous.manifest.shardSources[old.shard], files: old.files });
        docCounts.push(previous.manifest.shards[old.shard]);
        bigramParts.push(oldBigrams.body[old.shard]);
        titleParts.push(oldBigrams.title[old.shard]);
        wordParts.push(oldWords[old.shard]);
        sigs.push(...(await previous.sigs(old.shard)));
      }
    }
    const offsets = docCounts.map((_, k) => docCounts.slice(0, k).reduce((a, b) => a + b, 0));
    const docCount = docCounts.reduce((a, b) => a + b, 0);
    const groups = groupDuplicates(sigs);
    const boilerplate = reportOf(removals.finish(), table);
    await Promise.all([
      writer.writeRaw(BIGRAM_FILE, encodeBigramFile(BigramPostings.merge(bigramParts, offsets, docCount))),
      writer.writeRaw(TITLE_BIGRAM_FILE, encodeBigramFile(BigramPostings.merge(titleParts, offsets, docCount))),
      writer.writeRaw(WORD_FILE, encodeWordFile(WordPostings.merge(wordParts, offsets, docCount))),
      writer.writeGzip('vocab.json.gz', encodeVocab(vocab), 3),
      writer.writeGzip(DUPLICATES_FILE, JSON.stringify(groups), 3),
      writer.writeGzip(BOILERPLATE_FILE, encodeTable(table, boilerplate), 3),
    ]);
    const fingerprint = createHash('sha256');
    for (const s of shardSources) for (const f of s.files) if (f.sha1) fingerprint.update(`${f.path}\0${f.sha1}\n`);
    const dir = await writer.commit({
      formatVersion: FORMAT_VERSION,
      builtAt: new Date().toISOString(),
      docCount,
      shards: docCounts,
      tokenizer,
      flexsearch: { version: flexVersion(), options: { ...FLEX_OPTIONS } },
      corpusFingerprint: fingerprint.digest('hex'),
      buildStartedMs: started,
      build: settings,
      shardSources,
      duplicateGroups: groups.length,
    });
    await pruneVersions(options.out, writer.replaced);
    const bytes = Object.values(writer.files).reduce((a, f) => a + f.bytes, 0);
    const skippedAll = skipped();
    const warnings: FileNote[] = [];
    for (const s of shardSources) {
      skippedAll.push(...s.skipped);
      warnings.push(...s.warnings);
    }
    return {
      indexed: docCount,
      skipped: skippedAll,
      warnings,
      ms: Date.now() - started,
      bytes,
      dir,
      mode: previous ? 'incremental' : 'full',
      fullReason,
      changes: countChanges(previous, shardSources),
      shards: { built: built.size, reused: parts.length - built.size },
      duplicateGroups: groups.length,
      upToDate: false,
      boilerplate,
    };
  } catch (err) {
    await writer?.abort();
    throw err;
  }
}

/** Worker threads need the compiled JavaScript; under ts-jest the build runs in-thread. */
function canUseWorkers(): boolean {
  return __filename.endsWith('.js');
}

/**
 * Run shard jobs on up to `workers` threads (each loads jieba once and takes jobs from a
 * shared queue), or in this thread when `workers` is 0 or threads are unavailable;
 * `onResult` sees each shard's result as it arrives.
 */
async function runJobs<R extends ParsedShard | ShardResult>(
  jobs: BuildJob[],
  workers: number,
  onProgress: (shard: number, done: number) => void,
  onResult: (result: R) => void,
): Promise<Map<number, R>> {
  const results = new Map<number, R>();
  if (workers < 1 || !canUseWorkers()) {
    for (const job of jobs) {
      const result = (await runBuildJob(job, (d) => onProgress(job.shard, d))) as R;
      onResult(result);
      results.set(job.shard, result);
    }
    return results;
  }
  const queue = jobs.slice();
  const runOne = (): Promise<void> =>
    new Promise((resolveAll, reject) => {
      const worker = new Worker(require.resolve('./worker'));
      let current: BuildJob | undefined;
      let finished = false;
      const next = (): void => {
        current = queue.shift();
        if (current) worker.postMessage(current);
        else {
          finished = true;
          void worker.terminate();
          resolveAll();
        }
      };
      const failWith = (err: Error): void => {
        if (finished) return;
        finished = true;
        queue.length = 0;
        void worker.terminate();
        reject(err);
      };
      worker.on('message', (msg: { type: string; shard: number; done?: number; result?: R; message?: string }) => {
        if (msg.type === 'progress' && msg.done !== undefined) onProgress(msg.shard, msg.done);
        else if (msg.type === 'done' && msg.result) {
          results.set(msg.shard, msg.result);
          next();
          onResult(msg.result);
        } else if (msg.type === 'error') failWith(new Error(`build worker, shard ${msg.shard}: ${msg.message}`));
      });
      worker.on('error', failWith);
      worker.on('exit', (code) => failWith(new Error(`build worker exited with code ${code} during shard ${current?.shard}`)));
      next();
    });
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, runOne));
  return results;
}
