// Over 300 lines: the build's steps (walk, shard workers, reuse, merge, write, flip) read in order as one procedure.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { NORMALIZATION_VERSION } from '../analysis/normalize';
import { segmenterFingerprint, type SegmenterBackend } from '../analysis/segmenter';
import { walkCorpus } from '../ingest/walk';
import { encodeVocab } from '../format/codec';
import { pruneVersions, VersionWriter } from '../store/files';
import { acquireBuildLock } from '../store/lock';
import {
  BIGRAM_FILE,
  BOILERPLATE_FILE,
  SOURCES_FILE,
  DUPLICATES_FILE,
  FORMAT_VERSION,
  TERM_SCHEME,
  TITLE_BIGRAM_FILE,
  WORD_FILE,
  type Manifest,
  type ShardSources,
} from '../format/manifest';
import { FLEX_OPTIONS, flexVersion } from '../format/flex';
import { BigramFile, encodeBigramPieces, type BigramPiece } from '../segment/bigram-file';
import { WordPostings, wordsFromArrays } from '../format/word-postings';
import { encodeWordFile } from '../segment/word-file';
import { groupDuplicates } from './duplicate-groups';
import { countChanges, openPrevious, reuseShard, upToDate, type PreviousIndex } from './incremental';
import { rememberVocab } from './vocab-shares';
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
import { bigramsFromArrays, type BuildJob, type ParsedShard, type ShardJob, type ShardResult, type ShardSig } from './job';
import { BuildPool } from './pool';
import { writeUpdateSegment } from './update-segment';
import type { Changes } from './sources';
import { partition } from './partition';
import type { FileChecksum, FileNote } from '../format/manifest';

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
   * Update the live index in `out`: a small change becomes an update segment plus
   * deletions (see indexer/update-segment); past the segment limits, or with `merge`,
   * the merged shards whose files changed are rebuilt (the result of a full build).
   * Falls back to a full build, with the reason in {@link BuildReport.fullReason}, when
   * there is no usable previous index.
   */
  incremental?: boolean;
  /**
   * With `incremental`: fold update segments and deletions into the merged shards now
   * (the result equals a full build) rather than write a small change as a new segment.
   */
  merge?: boolean;
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
  /** Update segments in the version now live (0 after a full or merging build; see indexer/update-segment). */
  segments: number;
  /** True when the live version's segments should be merged (watch mode does it when idle; `merge`). */
  mergeDue: boolean;
}

/**
 * Build an index of `corpus` into `out`. Files are parsed, segmented and indexed in
 * shards on worker threads; the new version becomes live only when it is complete, so
 * a crash or an error keeps the previous index. Bad posts are reported, never fatal; an
 * unreadable corpus folder or a failure to write is thrown. One build at a time writes
 * into `out`: a second one is refused with a BuildLockedError naming the holder.
 */
export function buildIndex(options: BuildOptions): Promise<BuildReport> {
  return buildIndexOn(options, null);
}

/**
 * {@link buildIndex} on `kept`, worker threads the caller keeps between builds (watch
 * mode) so that their segmenters stay loaded (`options.workers` is then ignored), or on
 * a pool of its own when null.
 */
export async function buildIndexOn(options: BuildOptions, kept: BuildPool | null): Promise<BuildReport> {
  const release = await acquireBuildLock(options.out);
  let pool: BuildPool | null = kept;
  try {
    // Fail fast on a bad user dictionary rather than in every worker, without loading a
    // dictionary here: each worker loads its own (hundreds of MB with nodejieba).
    const segmenter = segmenterFingerprint({ backend: options.segmenter, userDict: options.userDict });
    const workers = options.workers ?? Math.min(2, availableParallelism());
    pool ??= new BuildPool(workers, { segmenter: segmenter.name, userDict: options.userDict });
    return await buildLocked(options, segmenter, pool);
  } finally {
    if (pool && pool !== kept) await pool.close();
    await release();
  }
}

async function buildLocked(
  options: BuildOptions,
  segmenter: ReturnType<typeof segmenterFingerprint>,
  pool: BuildPool,
): Promise<BuildReport> {
  const started = Date.now();
  // A full build segments every post: workers load the segmenter while the corpus is
  // walked. An update usually has a post to segment, and loading jieba is most of its
  // time: one worker starts loading now (a merge warms one per shard to rebuild).
  if (!options.incremental) pool.warm();
  else if (!options.merge) pool.warm(1);
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
  if (previous && !options.merge) {
    const segment = await writeUpdateSegment({
      previous,
      files,
      problems,
      pool,
      out: options.out,
      started,
      maxTextChars: options.maxTextChars,
      userDict: options.userDict,
      segmenter: segmenter.name,
    });
    if (segment) return segment;
  }
  // Per new shard: the previous shard it is identical to, or null to build it.
  // Workers load the segmenter as soon as shards are known to need building, one per shard.
  let toRebuild = 0;
  const reuse = await Promise.all(
    parts.map(async (p) => {
      const r = previous ? await reuseShard(previous, p) : null;
      if (r === null) pool.warm(++toRebuild);
      return r;
    }),
  );

  const skipped = (): FileNote[] => problems.map((p) => ({ path: p.path, reason: p.reason }));
  if (previous && upToDate(previous, reuse)) {
    const m = previous.manifest;
    return {
      indexed: m.docCount,
      skipped: [...skipped(), ...previous.sources.flatMap((s) => s.skipped)],
      warnings: previous.sources.flatMap((s) => s.warnings),
      ms: Date.now() - started,
      bytes: Object.values(m.files).reduce((a, f) => a + f.bytes, 0),
      dir: previous.dir,
      mode: 'incremental',
      fullReason: null,
      changes: countChanges(previous, previous.sources),
      shards: { built: 0, reused: m.shards.length },
      duplicateGroups: m.duplicateGroups ?? 0,
      upToDate: true,
      boilerplate: (await previous.boilerplate()).report,
      segments: 0,
      mergeDue: false,
    };
  }

  let writer: VersionWriter | null = null;
  let oldBigramsReady: Promise<{ body: BigramFile; title: BigramFile } | null> | null = null;
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
    // The previous vocabulary is read while the workers parse (stale shards come off later).
    const vocabReady = previous ? previous.vocabWithout(reuse) : Promise.resolve(new Map<string, number>());
    vocabReady.catch(() => undefined); // awaited below; a failure there is the build's
    const parsed = await pool.run<ParsedShard>(parseJobs(toBuild), report('p'), () => undefined);

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
    const staleOld: number[] = [];
    if (previous) {
      const before = (await previous.boilerplate()).frequent;
      const stale: number[] = [];
      for (const [k, file] of previousBlocks) {
        const now = sourcesOf(k);
        if (file.docs.some((d, i) => cleanedDifferently(d, file.sources[i], now[i], before, sets))) stale.push(k);
      }
      if (stale.length > 0) {
        for (const k of stale) {
          staleOld.push(reuse[k]!.shard);
          reuse[k] = null;
          previousBlocks.delete(k);
          toBuild.push(k);
        }
        toBuild.sort((a, b) => a - b);
        total = steps(toBuild);
        for (const [k, r] of await pool.run<ParsedShard>(parseJobs(stale), report('p'), () => undefined)) parsed.set(k, r);
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
    let summed =
      previous && staleOld.length > 0 ? vocabReady.then(async (v) => (await previous.subtractVocab(v, staleOld), v)) : vocabReady;
    // Read while the workers index: the previous bigram files, for the kept shards' postings.
    oldBigramsReady = previous && reuse.some((r) => r !== null) ? previous.bigramFiles() : Promise.resolve(null);
    oldBigramsReady.catch(() => undefined); // awaited below
    const indexed = report('i');
    const built = await pool.run<ShardResult>(jobs, indexed, (r) => {
      indexed(r.shard, parts[r.shard].length); // skipped files included: the shard is done
      summed = summed.then((vocab) => {
        for (const [w, df] of r.vocab) vocab.set(w, (vocab.get(w) ?? 0) + df);
        r.vocab = []; // summed: no need to keep it until the end of the build
        return vocab;
      });
      summed.catch(() => undefined);
    });
    const vocab = await summed;
    // In shard order, as a full build adds them, so that ties in the report break alike.
    const removals = new StatsCollector();
    for (let k = 0; k < parts.length; k++) {
      const stats = built.get(k)?.boilerplate ?? previousBlocks.get(k)?.stats;
      if (stats) removals.addStats(stats);
    }

    // Everything per shard, in shard order, from the new build or the previous index.
    const shardSources: ShardSources[] = [];
    const docCounts: number[] = [];
    const sigs: ShardSig[] = [];
    // A kept shard's postings are copied from the previous files, consecutive kept shards as one run.
    const bodyPieces: BigramPiece[] = [];
    const titlePieces: BigramPiece[] = [];
    const old = await oldBigramsReady;
    const keptFiles = new Map<number, Promise<Record<string, FileChecksum>>>();
    const keptSigs = new Map<number, Promise<ShardSig[]>>();
    const wordParts: WordPostings[] = [];
    const oldWords = previous && reuse.some((r) => r !== null) ? await previous.wordParts() : null;
    for (let k = 0; k < parts.length; k++) {
      const o = reuse[k];
      if (previous && o !== null && !built.has(k)) {
        keptFiles.set(k, previous.linkShard(o.shard, k, writer.dir));
        keptSigs.set(k, previous.sigs(o.shard));
      }
    }
    let docCount = 0;
    for (let k = 0; k < parts.length; k++) {
      const before = docCount;
      const r = built.get(k);
      const o = reuse[k];
      if (r) {
        const p = parsed.get(k)!;
        writer.addFiles(r.files);
        shardSources.push({ files: p.sources, skipped: p.skipped, warnings: p.warnings });
        bodyPieces.push({ kind: 'store', store: bigramsFromArrays(r.bigrams), shift: docCount });
        titlePieces.push({ kind: 'store', store: bigramsFromArrays(r.titleBigrams), shift: docCount });
        wordParts.push(wordsFromArrays(r.words));
        sigs.push(...r.sigs);
        docCount += r.docCount;
      } else if (previous && o !== null && old && oldWords) {
        writer.addFiles(await keptFiles.get(k)!);
        shardSources.push({ ...previous.sources[o.shard], files: o.files });
        const from = previous.shardStarts[o.shard];
        const n = previous.manifest.shards[o.shard];
        addRun(bodyPieces, old.body, from, n, docCount);
        addRun(titlePieces, old.title, from, n, docCount);
        wordParts.push(oldWords[o.shard]);
        sigs.push(...(await keptSigs.get(k)!));
        docCount += n;
      }
      docCounts.push(docCount - before);
    }
    const offsets: number[] = [];
    docCounts.reduce((at, n, k) => ((offsets[k] = at), at + n), 0);
    const groups = groupDuplicates(sigs);
    const boilerplate = reportOf(removals.finish(), table);
    let bodyFile: Buffer;
    let titleFile: Buffer;
    try {
      bodyFile = encodeBigramPieces(bodyPieces, docCount);
      titleFile = encodeBigramPieces(titlePieces, docCount);
    } finally {
      old?.body.close();
      old?.title.close();
    }
    await Promise.all([
      writer.writeRaw(BIGRAM_FILE, bodyFile),
      writer.writeRaw(TITLE_BIGRAM_FILE, titleFile),
      writer.writeRaw(WORD_FILE, encodeWordFile(WordPostings.merge(wordParts, offsets, docCount))),
      writer.writeGzip('vocab.json.gz', encodeVocab(vocab), 3),
      writer.writeGzip(DUPLICATES_FILE, JSON.stringify(groups), 3),
      writer.writeGzip(BOILERPLATE_FILE, encodeTable(table, boilerplate), 3),
      writer.writeGzip(SOURCES_FILE, JSON.stringify(shardSources), 3),
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
      duplicateGroups: groups.length,
    });
    rememberVocab(dir, vocab);
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
      segments: 0,
      mergeDue: false,
    };
  } catch (err) {
    await writer?.abort();
    const old = await oldBigramsReady?.catch(() => null);
    old?.body.close();
    old?.title.close();
    throw err;
  }
}

/** Append documents [from, from + n) of `file`, moved to start at `at`, to `pieces` (extending the last run when it continues). */
function addRun(pieces: BigramPiece[], file: BigramFile, from: number, n: number, at: number): void {
  const last = pieces[pieces.length - 1];
  if (last?.kind === 'file' && last.file === file && last.to === from && last.shift === at - from) last.to = from + n;
  else pieces.push({ kind: 'file', file, from, to: from + n, shift: at - from });
}
