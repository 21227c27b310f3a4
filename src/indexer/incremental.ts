import { join } from 'node:path';
import { linkOrCopy, openVersion, type VersionReader } from '../store/files';
import {
  baseShards,
  BIGRAM_FILE,
  BOILERPLATE_FILE,
  shardFiles,
  SOURCES_FILE,
  TITLE_BIGRAM_FILE,
  WORD_FILE,
  type FileChecksum,
  type Manifest,
  type ShardSources,
  type SourceRecord,
} from '../format/manifest';
import { decodeTable, type BoilerplateReport, type ShardBlocksFile } from './boilerplate';
import { subtractShare, takeRemembered, vocabMap } from './vocab-shares';
import { walkCorpus, type CorpusFile } from '../ingest/walk';
import { FLEX_OPTIONS } from '../format/flex';
import { BigramFile } from '../segment/bigram-file';
import type { WordPostings } from '../format/word-postings';
import { WordFile } from '../segment/word-file';
import type { ShardSig } from './job';
import { liveSources, RACY_MS, sameContent, type Changes, type StoredSource } from './sources';

/**
 * The previous index of an incremental build, and merging builds: compare the corpus with
 * the previous version's source lists (path, size, mtime, content hash per file) and reuse
 * every merged shard whose files are all unchanged. Shard boundaries are content-defined
 * (see partition.ts), so the shards, document numbers and files are those a full build
 * would produce. Small changes become update segments instead (update-segment.ts).
 */

/** A previous shard identical to a new one, with its files' current records. */
export interface ReusedShard {
  shard: number;
  files: SourceRecord[];
}

/** The live index an incremental build starts from. */
export interface PreviousIndex {
  manifest: Manifest;
  /** Per shard, the post files it was built from (the version's {@link SOURCES_FILE}). */
  sources: ShardSources[];
  /** The post files the version answers for, by id (see {@link liveSources}). */
  live: Map<string, StoredSource>;
  /** Its version folder. */
  dir: string;
  /** The previous vocabulary minus the shares of the shards not reused. */
  vocabWithout(reuse: ReadonlyArray<ReusedShard | null>): Promise<Map<string, number>>;
  /** Take previous shards' shares out of `vocab` (a shard found stale after {@link vocabWithout}). */
  subtractVocab(vocab: Map<string, number>, shards: readonly number[]): Promise<void>;
  /** The previous bigram files, checked against the manifest; the caller closes them. */
  bigramFiles(): Promise<{ body: BigramFile; title: BigramFile }>;
  /** First document number of each previous shard. */
  shardStarts: number[];
  /** The previous word postings cut back into shards. */
  wordParts(): Promise<WordPostings[]>;
  /** Hard-link (or copy) previous shard `old`'s files into `dir` as shard `k`; their checksums. */
  linkShard(old: number, k: number, dir: string): Promise<Record<string, FileChecksum>>;
  /** Previous shard `old`'s duplicate signatures. */
  sigs(old: number): Promise<ShardSig[]>;
  /** Previous shard `old`'s block fingerprints, sources and removals. */
  blocks(old: number): Promise<ShardBlocksFile>;
  /** The previous template fingerprints per source, and the previous build's removal report. */
  boilerplate(): Promise<{ frequent: Map<string, Set<string>>; report: BoilerplateReport }>;
  /** Previous merged shard (not an update segment) by the id of its first file. */
  byFirst: Map<string, number>;
  /** Hard-link (or copy) every file of the previous version but its manifest and source lists into `dir`; their checksums. */
  linkAll(dir: string): Promise<Record<string, FileChecksum>>;
}

/** Open the live index of `out` for reuse, or say why it cannot be reused. */
export async function openPrevious(
  out: string,
  tokenizer: Manifest['tokenizer'],
  settings: Manifest['build'],
): Promise<PreviousIndex | { reason: string }> {
  let version: VersionReader;
  try {
    version = await openVersion(out);
  } catch (err) {
    return { reason: (err as Error).message };
  }
  const m = version.manifest;
  const old = m.tokenizer;
  for (const key of ['backend', 'segmenter', 'userDict', 'normalization', 'terms'] as const) {
    if (old?.[key] !== tokenizer[key]) {
      return {
        reason: `the previous index was built with ${key} ${JSON.stringify(old?.[key])}, this build uses ${JSON.stringify(tokenizer[key])}`,
      };
    }
  }
  for (const [k, v] of Object.entries(FLEX_OPTIONS)) {
    if (m.flexsearch?.options?.[k] !== v)
      return { reason: `the previous index was built with FlexSearch option ${k}=${String(m.flexsearch?.options?.[k])}` };
  }
  if ((m.build?.maxTextChars ?? null) !== settings.maxTextChars) {
    return { reason: `the previous index was built with --max-text-chars ${String(m.build?.maxTextChars ?? 'default')}` };
  }
  if ((m.build?.boilerplate ?? null) !== (settings.boilerplate ?? null)) {
    return {
      reason: `the previous index was built with boilerplate removal ${JSON.stringify(m.build?.boilerplate ?? 'none')}, this build uses ${JSON.stringify(settings.boilerplate ?? 'none')}`,
    };
  }
  let sources: ShardSources[];
  try {
    sources = await readSources(version);
  } catch (err) {
    return { reason: (err as Error).message };
  }
  if (sources.length !== m.shards.length) {
    return { reason: `index ${version.dir} is damaged: ${SOURCES_FILE} lists ${sources.length} shards, its manifest ${m.shards.length}` };
  }
  let live: Map<string, StoredSource>;
  try {
    live = liveSources(m, sources);
  } catch (err) {
    return { reason: `index ${version.dir} is damaged: ${SOURCES_FILE}: ${(err as Error).message}` };
  }
  // Only merged shards are reused by a merging build: an update segment's postings are
  // not in the merged files, and its posts are folded into the shards they belong to.
  const base = baseShards(m);
  const byFirst = new Map<string, number>();
  sources.slice(0, base).forEach((s, j) => {
    if (s.files.length > 0) byFirst.set(s.files[0].path, j);
  });
  const readJson = async <T>(file: string): Promise<T> => JSON.parse(await version.readGzip(file)) as T;
  return {
    manifest: m,
    sources,
    live,
    dir: version.dir,
    byFirst,
    async vocabWithout(reuse) {
      const kept = new Set(reuse.flatMap((r) => (r ? [r.shard] : [])));
      const dropped = m.shards.slice(0, base).flatMap((_, j) => (kept.has(j) ? [] : [j]));
      const remembered = takeRemembered(version.dir);
      // Read (and gunzip, off this thread) every file before decoding any.
      const [whole, ...shares] = await Promise.all([
        remembered ? Promise.resolve(null) : version.readGzip('vocab.json.gz'),
        ...dropped.map((j) => version.readGzip(shardFiles(j).vocab)),
      ]);
      const vocab = remembered ?? vocabMap(whole!, `${version.dir}/vocab.json.gz`);
      for (const share of shares) subtractShare(vocab, share);
      return vocab;
    },
    async subtractVocab(vocab, shards) {
      for (const share of await Promise.all(shards.map((j) => version.readGzip(shardFiles(j).vocab)))) subtractShare(vocab, share);
    },
    async bigramFiles() {
      const [body, title] = await Promise.all([version.localFile(BIGRAM_FILE), version.localFile(TITLE_BIGRAM_FILE)]);
      const bodyFile = BigramFile.open(body);
      try {
        return { body: bodyFile, title: BigramFile.open(title) };
      } catch (err) {
        bodyFile.close();
        throw err;
      }
    },
    shardStarts: starts(m.shards),
    async wordParts() {
      const file = WordFile.open(await version.localFile(WORD_FILE));
      try {
        return file.readAll().split(m.shards.slice(0, base));
      } finally {
        file.close();
      }
    },
    async linkShard(oldShard, k, dir) {
      const from = shardFiles(oldShard);
      const to = shardFiles(k);
      const out: Record<string, FileChecksum> = {};
      for (const key of Object.keys(from) as Array<keyof typeof from>) {
        const checksum = m.files[from[key]];
        if (!checksum) throw new Error(`index ${version.dir} is damaged: manifest does not list ${from[key]}; rebuild it`);
        await linkOrCopy(join(version.dir, from[key]), join(dir, to[key]));
        out[to[key]] = checksum;
      }
      return out;
    },
    async linkAll(dir) {
      const out: Record<string, FileChecksum> = {};
      await Promise.all(
        Object.entries(m.files).map(async ([name, checksum]) => {
          if (name === SOURCES_FILE) return;
          await linkOrCopy(join(version.dir, name), join(dir, name));
          out[name] = checksum;
        }),
      );
      return out;
    },
    sigs: (oldShard) => readJson<ShardSig[]>(shardFiles(oldShard).sigs),
    async blocks(oldShard) {
      const name = shardFiles(oldShard).blocks;
      const file = await readJson<ShardBlocksFile>(name);
      if (!file || !Array.isArray(file.docs) || !Array.isArray(file.sources) || file.docs.length !== m.shards[oldShard]) {
        throw new Error(`index ${version.dir} is damaged: ${name} does not list the shard's documents; rebuild it`);
      }
      return file;
    },
    async boilerplate() {
      return decodeTable(await version.readGzip(BOILERPLATE_FILE), `${version.dir}/${BOILERPLATE_FILE}`);
    },
  };
}

/** A version's per-shard source lists; throws when the file is missing, damaged or not a list. */
async function readSources(version: VersionReader): Promise<ShardSources[]> {
  const sources = JSON.parse(await version.readGzip(SOURCES_FILE)) as unknown;
  if (!Array.isArray(sources)) throw new Error(`index ${version.dir} is damaged: ${SOURCES_FILE} is not a list; rebuild it`);
  return sources as ShardSources[];
}

/** Running sums: the first document number of each shard. */
function starts(sizes: readonly number[]): number[] {
  let at = 0;
  return sizes.map((n) => ((at += n), at - n));
}

/** The previous shard holding exactly `part`'s files with unchanged content, or null. */
export async function reuseShard(prev: PreviousIndex, part: readonly CorpusFile[]): Promise<ReusedShard | null> {
  const j = part.length > 0 ? prev.byFirst.get(part[0].id) : undefined;
  if (j === undefined) return null;
  const old = prev.sources[j].files;
  if (old.length !== part.length) return null;
  const racyAfter = prev.manifest.buildStartedMs - RACY_MS;
  const files: SourceRecord[] = [];
  for (let i = 0; i < part.length; i++) {
    const f = part[i];
    const o = old[i];
    if (o.path !== f.id || !(await sameContent(f, o, racyAfter))) return null;
    files.push(o.mtimeMs === f.mtimeMs ? o : { ...o, mtimeMs: f.mtimeMs });
  }
  return { shard: j, files };
}

/** Compare the new shards' files with the previous index's. */
export function countChanges(prev: PreviousIndex | null, now: readonly ShardSources[]): Changes {
  const before = new Map<string, string | null>();
  if (prev) for (const [path, { record }] of prev.live) before.set(path, record.sha1);
  const changes: Changes = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  const seen = new Set<string>();
  for (const s of now) {
    for (const f of s.files) {
      seen.add(f.path);
      if (!before.has(f.path)) changes.added++;
      else if (f.sha1 !== null && before.get(f.path) === f.sha1) changes.unchanged++;
      else changes.changed++;
    }
  }
  for (const path of before.keys()) if (!seen.has(path)) changes.removed++;
  return changes;
}

/**
 * True when the corpus differs from the live index of `out` by path, size or mtime (a
 * cheap check: one stat per file, no reading), or when there is no usable index.
 */
export async function corpusDiffers(corpus: string, out: string): Promise<boolean> {
  const known = new Map<string, SourceRecord>();
  try {
    const version = await openVersion(out);
    for (const [path, { record }] of liveSources(version.manifest, await readSources(version))) known.set(path, record);
  } catch {
    return true;
  }
  const { files } = await walkCorpus(corpus);
  if (known.size !== files.length) return true;
  return files.some((f) => {
    const o = known.get(f.id);
    return !o || o.size !== f.size || o.mtimeMs !== f.mtimeMs;
  });
}

/** True when every shard is reused in place with the same file records: the live index is up to date. */
export function upToDate(prev: PreviousIndex, reuse: ReadonlyArray<ReusedShard | null>): boolean {
  if (reuse.length !== prev.manifest.shards.length) return false;
  return reuse.every((r, k) => {
    if (!r || r.shard !== k) return false;
    const old = prev.sources[k].files;
    return r.files.every((f, i) => f.mtimeMs === old[i].mtimeMs);
  });
}
