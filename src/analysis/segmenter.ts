import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * A Chinese word segmenter. zhsearch only needs two operations: search-mode words
 * (overlapping, for the index vocabulary) and precise-mode words (for splitting long
 * query chunks). Both run with HMM on so that unknown names stay whole.
 */
export interface Segmenter {
  /** Backend name recorded in the manifest, e.g. `nodejieba`. */
  readonly name: string;
  /** Backend version plus user-dictionary fingerprint: index and query must agree. */
  readonly fingerprint: string;
  /** Search-mode segmentation: long words and the shorter words inside them. */
  cutForSearch(text: string): string[];
  /** Precise-mode segmentation: one best cut. */
  cut(text: string): string[];
}

/** Options for {@link getSegmenter}. */
export interface SegmenterOptions {
  /** Path of a user dictionary in jieba format (`word [freq] [tag]` per line). */
  userDict?: string;
}

interface JiebaModule {
  load(options?: { userDict?: string }): void;
  cut(text: string, hmm?: boolean): string[];
  cutForSearch(text: string, hmm?: boolean): string[];
}

let loaded: { key: string; segmenter: Segmenter } | undefined;

/**
 * The process-wide jieba segmenter. nodejieba keeps one dictionary per JS environment,
 * so it is loaded once and reloaded only when a different user dictionary is asked for.
 */
export function getSegmenter(options: SegmenterOptions = {}): Segmenter {
  const key = options.userDict ?? '';
  if (loaded && loaded.key === key) return loaded.segmenter;
  // Loaded lazily: the dictionary costs ~1.5 s and tens of MB, and a query engine
  // over an index built without jieba words never needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const jieba = require('nodejieba') as JiebaModule;
  let dictHash = 'none';
  if (options.userDict) {
    let content: Buffer;
    try {
      content = readFileSync(options.userDict);
    } catch (err) {
      throw new Error(`user dictionary ${options.userDict} cannot be read: ${(err as Error).message}`);
    }
    dictHash = createHash('sha256').update(content).digest('hex').slice(0, 16);
    jieba.load({ userDict: options.userDict });
  } else {
    jieba.load();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const version = (require('nodejieba/package.json') as { version: string }).version;
  const segmenter: Segmenter = {
    name: 'nodejieba',
    fingerprint: `nodejieba@${version};hmm;userdict=${dictHash}`,
    cutForSearch: (text) => jieba.cutForSearch(text, true),
    cut: (text) => jieba.cut(text, true),
  };
  loaded = { key, segmenter };
  return segmenter;
}
