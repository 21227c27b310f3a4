import { createHash } from 'node:crypto';
import type { CorpusFile, WalkProblem } from '../ingest/walk';
import { encodeBigramFile } from '../segment/bigram-file';
import { encodeWordFile } from '../segment/word-file';
import { wordsFromArrays } from '../format/word-postings';
import {
  baseShards,
  segmentFiles,
  SOURCES_FILE,
  type FileNote,
  type Manifest,
  type ShardSources,
} from '../format/manifest';
import { pruneVersions, VersionWriter } from '../store/files';
import { bigramsFromArrays, type ParsedShard, type ShardJob, type ShardResult } from './job';
import type { PreviousIndex } from './incremental';
import type { BuildPool } from './pool';
import type { BuildReport } from './build';
import { liveSources, notesInForce, RACY_MS, sameContent, type Changes } from './sources';

/**
 * Updates as segments (Lucene's model, one level deep): a small change is written as a
 * new version that hard-links every file of the live one, adds one shard holding the
 * added and changed posts with posting files of its own (an update segment), and lists
 * the replaced and removed posts' document numbers as deleted. Readers translate posting
 * lists to live documents (segment/segments.ts). A merging build (build.ts reusing the
 * unchanged merged shards) folds the segments and deletions back into the merged files
 * once {@link mergeDue} says so, and gives exactly what a full build gives.
 *
 * Until that merge, the segment's posts are cleaned of boilerplate with the template
 * blocks known at the last merge, and take no part in duplicate groups or the
 * suggestion vocabulary.
 */

/** Update segments a version may hold; a change that would need more is merged instead. */
export const MAX_SEGMENTS = 8;
/**
 * Posts in segments plus deleted posts, as a share of the stored posts (at least
 * MIN_MERGE_POSTS), past which a merge is due; past twice that, a change is merged
 * rather than written as a segment: segmenting that many posts costs about what
 * rebuilding their shards does, and every query translates the segments' lists.
 */
export const SEGMENT_SHARE = 0.05;
export const MIN_MERGE_POSTS = 64;
/** A version with this many update segments asks for a merge when the builder is idle (watch mode). */
export const MERGE_DUE_SEGMENTS = 4;

/** True when a version's segments or deletions should be merged (the next build, or watch mode when idle). */
export function mergeDue(m: Pick<Manifest, 'shards' | 'base' | 'deleted'>): boolean {
  return m.shards.length - baseShards(m) >= MERGE_DUE_SEGMENTS || segmentLoad(m) > mergeBound(m);
}

/** Documents in update segments plus deleted ones. */
function segmentLoad(m: Pick<Manifest, 'shards' | 'base' | 'deleted'>): number {
  return m.shards.slice(baseShards(m)).reduce((a, n) => a + n, 0) + (m.deleted?.length ?? 0);
}

function mergeBound(m: Pick<Manifest, 'shards'>): number {
  return Math.max(MIN_MERGE_POSTS, SEGMENT_SHARE * m.shards.reduce((a, n) => a + n, 0));
}

/** What {@link writeUpdateSegment} needs from the build that calls it. */
export interface SegmentContext {
  previous: PreviousIndex;
  files: readonly CorpusFile[];
  problems: readonly WalkProblem[];
  pool: BuildPool;
  out: string;
  started: number;
  maxTextChars?: number;
  userDict?: string;
  segmenter: ShardJob['segmenter'];
}

/**
 * Write the corpus's changes since the previous version as an update segment and
 * deletions, or return null when they should be merged instead (past {@link MAX_SEGMENTS}
 * or twice the {@link SEGMENT_SHARE} bound).
 */
export async function writeUpdateSegment(ctx: SegmentContext): Promise<BuildReport | null> {
  const { previous } = ctx;
  const m = previous.manifest;
  const live = previous.live;
  const racyAfter = m.buildStartedMs - RACY_MS;
  const toIndex: CorpusFile[] = [];
  const deleted: number[] = [];
  const seen = new Set<string>();
  const changes: Changes = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  for (const f of ctx.files) {
    seen.add(f.id);
    const was = live.get(f.id);
    if (!was) {
      changes.added++;
      toIndex.push(f);
    } else if (await sameContent(f, was.record, racyAfter)) changes.unchanged++;
    else {
      changes.changed++;
      toIndex.push(f);
      if (was.doc !== null) deleted.push(was.doc);
    }
  }
  const gone = new Set<string>();
  for (const [path, was] of live) {
    if (seen.has(path)) continue;
    changes.removed++;
    if (was.doc !== null) deleted.push(was.doc);
    else gone.add(path);
  }
  if (toIndex.length === 0 && deleted.length === 0 && gone.size === 0) return upToDateReport(ctx, changes);
  const after = { shards: [...m.shards, toIndex.length], base: baseShards(m), deleted: [...(m.deleted ?? []), ...deleted] };
  if (after.shards.length - after.base > MAX_SEGMENTS || segmentLoad(after) > 2 * mergeBound(after)) return null;
  if (toIndex.length > 0) ctx.pool.warm(1); // started by the build already (see build.ts)

  const writer = await VersionWriter.create(ctx.out);
  try {
    writer.addFiles(await previous.linkAll(writer.dir));
    const k = m.shards.length;
    const sources: ShardSources[] = previous.sources.map((s) =>
      gone.size === 0 ? s : { ...s, files: s.files.filter((f) => !gone.has(f.path)), skipped: s.skipped.filter((n) => !gone.has(n.path)) },
    );
    let docs = 0;
    if (toIndex.length > 0) {
      toIndex.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const built = await indexSegment(ctx, k, toIndex, writer.dir);
      writer.addFiles(built.result.files);
      sources.push({ files: built.parsed.sources, skipped: built.parsed.skipped, warnings: built.parsed.warnings });
      docs = built.result.docCount;
      const names = segmentFiles(k);
      await Promise.all([
        writer.writeRaw(names.bigrams, encodeBigramFile(bigramsFromArrays(built.result.bigrams))),
        writer.writeRaw(names.titleBigrams, encodeBigramFile(bigramsFromArrays(built.result.titleBigrams))),
        writer.writeRaw(names.words, encodeWordFile(wordsFromArrays(built.result.words))),
      ]);
    }
    await writer.writeGzip(SOURCES_FILE, JSON.stringify(sources), 3);
    const shards = toIndex.length > 0 ? [...m.shards, docs] : m.shards;
    const allDeleted = [...(m.deleted ?? []), ...deleted].sort((a, b) => a - b);
    const docCount = shards.reduce((a, n) => a + n, 0) - allDeleted.length;
    const fingerprint = createHash('sha256');
    const now = liveSources({ shards, deleted: allDeleted }, sources);
    for (const path of [...now.keys()].sort()) {
      const sha1 = now.get(path)!.record.sha1;
      if (sha1) fingerprint.update(`${path}\0${sha1}\n`);
    }
    const { files: _files, buildId: _id, ...kept } = m;
    const manifest: Omit<Manifest, 'files'> = {
      ...kept,
      builtAt: new Date().toISOString(),
      docCount,
      shards,
      base: baseShards(m),
      deleted: allDeleted,
      corpusFingerprint: fingerprint.digest('hex'),
      buildStartedMs: ctx.started,
    };
    const dir = await writer.commit(manifest);
    await pruneVersions(ctx.out, writer.replaced);
    const notes = (pick: (s: ShardSources) => FileNote[]): FileNote[] => notesInForce(sources, now, pick);
    return {
      indexed: docCount,
      skipped: [...ctx.problems.map((p) => ({ path: p.path, reason: p.reason })), ...notes((s) => s.skipped)],
      warnings: notes((s) => s.warnings),
      ms: Date.now() - ctx.started,
      bytes: Object.values(writer.files).reduce((a, f) => a + f.bytes, 0),
      dir,
      mode: 'incremental',
      fullReason: null,
      changes,
      shards: { built: toIndex.length > 0 ? 1 : 0, reused: m.shards.length },
      duplicateGroups: m.duplicateGroups,
      upToDate: false,
      boilerplate: (await previous.boilerplate()).report,
      segments: shards.length - baseShards(m),
      mergeDue: mergeDue({ shards, base: baseShards(m), deleted: allDeleted }),
    };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** Parse, clean and index `files` as shard `k` of the version being written in `dir`. */
async function indexSegment(
  ctx: SegmentContext,
  k: number,
  files: CorpusFile[],
  dir: string,
): Promise<{ parsed: ParsedShard; result: ShardResult }> {
  const parsedAll = await ctx.pool.run<ParsedShard>(
    [{ kind: 'parse', shard: k, files, maxTextChars: ctx.maxTextChars }],
    () => undefined,
    () => undefined,
  );
  const parsed = parsedAll.get(k)!;
  // Sources as the merged build resolved them: the host, else a title suffix known as a source.
  const { frequent } = await ctx.previous.boilerplate();
  const sourceOf = parsed.blocks.map(([host, suffix]) => {
    if (host) return host;
    return suffix !== null && frequent.has(`title:${suffix}`) ? `title:${suffix}` : '';
  });
  const job: ShardJob = {
    kind: 'index',
    shard: k,
    posts: parsed.posts,
    blocks: parsed.blocks,
    sourceOf,
    frequent: [...new Set(sourceOf)].map((src) => [src, [...(frequent.get(src) ?? [])]]),
    dir,
    userDict: ctx.userDict,
    segmenter: ctx.segmenter,
  };
  const result = (
    await ctx.pool.run<ShardResult>(
      [job],
      () => undefined,
      () => undefined,
    )
  ).get(k)!;
  return { parsed, result };
}

/** The report of an update that found nothing to do: the live version stays. */
async function upToDateReport(ctx: SegmentContext, changes: BuildReport['changes']): Promise<BuildReport> {
  const m = ctx.previous.manifest;
  const sources = ctx.previous.sources;
  return {
    indexed: m.docCount,
    skipped: [
      ...ctx.problems.map((p) => ({ path: p.path, reason: p.reason })),
      ...notesInForce(sources, ctx.previous.live, (s) => s.skipped),
    ],
    warnings: notesInForce(sources, ctx.previous.live, (s) => s.warnings),
    ms: Date.now() - ctx.started,
    bytes: Object.values(m.files).reduce((a, f) => a + f.bytes, 0),
    dir: ctx.previous.dir,
    mode: 'incremental',
    fullReason: null,
    changes,
    shards: { built: 0, reused: m.shards.length },
    duplicateGroups: m.duplicateGroups ?? 0,
    upToDate: true,
    boilerplate: (await ctx.previous.boilerplate()).report,
    segments: m.shards.length - baseShards(m),
    mergeDue: mergeDue(m),
  };
}
