import { INDEXED_WORDS_TAG } from '../analysis/indexed-words';
import type { SegmenterBackend } from '../analysis/segmenter';

/**
 * The manifest of an index version folder: what was built, how, and checksums of
 * every file so that a truncated or corrupted index is refused at load.
 */

/** One file that was skipped, or indexed with a warning. */
export interface FileNote {
  path: string;
  reason: string;
}

/** What the manifest records of one post file: enough to tell later whether it changed. */
export interface SourceRecord {
  /** The document id (path relative to the corpus root). */
  path: string;
  size: number;
  mtimeMs: number;
  /** SHA-1 of the bytes read; null when the file could not be read. */
  sha1: string | null;
}

/** Bump when anything in the on-disk layout or the term scheme changes. */
export const FORMAT_VERSION = 9;

/** Per-file size and checksums. */
export interface FileChecksum {
  bytes: number;
  /** SHA-256 (hex): the file's content address (names in a Redis reader's local cache). */
  sha256: string;
  /**
   * CRC-32 (unsigned): what readers check a file against when they open it, as Lucene's
   * segment footers do; it detects truncation and flipped bits and hashes about 1.6 times
   * as fast as SHA-256, which is most of the cost of opening a large index.
   */
  crc32: number;
}

/** Everything a reader needs to check that it can use an index folder. */
export interface Manifest {
  formatVersion: number;
  /** ISO time the build finished. */
  builtAt: string;
  /** Live documents (stored documents minus {@link deleted}). */
  docCount: number;
  /**
   * Documents per shard, in order, deleted ones included; stored document number = shard
   * offset + local number. Shards from {@link base} on are update segments.
   */
  shards: number[];
  /**
   * Shards in the merged files ({@link BIGRAM_FILE}, {@link WORD_FILE}, vocabulary,
   * duplicate groups); each shard after them is an update segment with posting files of
   * its own ({@link segmentFiles}). Absent when every shard is merged.
   */
  base?: number;
  /** Stored document numbers of deleted documents, ascending (absent when none). */
  deleted?: number[];
  tokenizer: {
    /** Segmenter backend; queries must use the same one. */
    backend: SegmenterBackend;
    /** Backend version and user-dictionary fingerprint. */
    segmenter: string;
    /** Absolute path of the jieba user dictionary used, if any (queries load it too). */
    userDict: string | null;
    normalization: string;
    terms: string;
  };
  flexsearch: { version: string; options: Record<string, unknown> };
  /** SHA-256 over the sorted (id, content hash) of every post file read. */
  corpusFingerprint: string;
  /** Epoch ms when the build started: files modified after it are re-hashed by the next incremental build. */
  buildStartedMs: number;
  /**
   * Build settings that change the index (an incremental build with others rebuilds
   * fully); `boilerplate` is the scheme of template-block removal (absent in indexes
   * built without it).
   */
  build: { maxTextChars: number | null; boilerplate?: string };
  /**
   * Random id of the build that wrote this version: readers of a network store compare it,
   * since version names can repeat after the store loses its data. Absent in indexes built
   * before it was recorded.
   */
  buildId?: string;
  /** Number of duplicate groups in {@link DUPLICATES_FILE}. */
  duplicateGroups: number;
  files: Record<string, FileChecksum>;
}

/** Term scheme tag: bigram posting store + FlexSearch word terms (jieba 3+ words, indexed words, Latin runs). */
export const TERM_SCHEME = `bigram-store+flex-jieba3-latin-singular-v3+${INDEXED_WORDS_TAG}`;

/**
 * The bigram posting store of a version folder (all shards merged), uncompressed and
 * read on demand (src/segment/bigram-file.ts).
 */
export const BIGRAM_FILE = 'bigrams.bin';
/** Bigrams of titles alone (title frequencies for ranking), in the same layout. */
export const TITLE_BIGRAM_FILE = 'title-bigrams.bin';
/**
 * The word posting store of a version folder (all shards merged from their FlexSearch
 * exports), uncompressed and read on demand (src/segment/word-file.ts).
 */
export const WORD_FILE = 'words.bin';

/**
 * Per shard, in order: every post file it was built from (path, size, mtime, content
 * hash), and the files skipped or indexed with a warning (a JSON array of
 * {@link ShardSources}). Only builds read it (an incremental build compares it with the
 * corpus): it grows with the archive, and opening an index for queries skips it.
 */
export const SOURCES_FILE = 'sources.json.gz';

/** The sources of one shard (see {@link SOURCES_FILE}). */
export interface ShardSources {
  files: SourceRecord[];
  skipped: FileNote[];
  warnings: FileNote[];
}

/** Template blocks per source and the build's removals (see indexer/boilerplate). */
export const BOILERPLATE_FILE = 'boilerplate.json.gz';

/** Duplicate groups: arrays of document numbers (see indexer/duplicate-groups). */
export const DUPLICATES_FILE = 'duplicates.json.gz';

/**
 * The posting files of update segment `k` (a shard after {@link Manifest.base}), in the
 * layouts of the merged files, with document numbers local to the shard.
 */
export const segmentFiles = (k: number): { bigrams: string; titleBigrams: string; words: string } => ({
  bigrams: `shard-${k}.bigrams.bin`,
  titleBigrams: `shard-${k}.title-bigrams.bin`,
  words: `shard-${k}.words.bin`,
});

/** Shards in a version's merged files (see {@link Manifest.base}). */
export const baseShards = (m: Pick<Manifest, 'base' | 'shards'>): number => m.base ?? m.shards.length;

/** The file names of shard `k` in a version. */
export const shardFiles = (k: number): { docs: string; text: string; flex: string; vocab: string; sigs: string; blocks: string } => ({
  /** Document metadata (id, title, date, author, url, tags, categories). */
  docs: `shard-${k}.docs.json.gz`,
  /** Document bodies, uncompressed and read on demand (src/segment/text-file.ts). */
  text: `shard-${k}.text.bin`,
  /** The shard's FlexSearch export, from which the build takes its share of {@link WORD_FILE}. */
  flex: `shard-${k}.flex.gz`,
  /** The shard's share of vocab.json.gz, so an incremental build can subtract it. */
  vocab: `shard-${k}.vocab.json.gz`,
  sigs: `shard-${k}.sigs.json.gz`,
  /** Block fingerprints of the shard's posts (indexer/job.ts), so an incremental build can recount. */
  blocks: `shard-${k}.blocks.json.gz`,
});
