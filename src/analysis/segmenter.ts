import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A Chinese word segmenter. zhsearch only needs two operations: search-mode words
 * (overlapping, for the index vocabulary) and precise-mode words (for splitting long
 * query chunks). Both run with HMM on so that unknown names stay whole.
 *
 * Two backends cut (nearly) the same words: `nodejieba` (the default, cppjieba compiled
 * at install) and `@node-rs/jieba` (jieba-rs, prebuilt; about twice as fast to cut and
 * to load). The backend is chosen at build time and recorded in the manifest; queries
 * use the same one.
 */
export interface Segmenter {
  /** Backend name recorded in the manifest. */
  readonly name: SegmenterBackend;
  /** Backend, version and user-dictionary fingerprint: index and query must agree. */
  readonly fingerprint: string;
  /** Search-mode segmentation: long words and the shorter words inside them. */
  cutForSearch(text: string): string[];
  /** Precise-mode segmentation: one best cut. */
  cut(text: string): string[];
}

/** The supported segmenter backends. */
export const SEGMENTER_BACKENDS = ['nodejieba', '@node-rs/jieba'] as const;
export type SegmenterBackend = (typeof SEGMENTER_BACKENDS)[number];

/** Options for {@link getSegmenter}. */
export interface SegmenterOptions {
  /** Backend (default: `ZHSEARCH_SEGMENTER` from the environment, else `nodejieba`). */
  backend?: SegmenterBackend;
  /** Path of a user dictionary in jieba format (`word [freq] [tag]` per line). */
  userDict?: string;
}

/** The default backend: `ZHSEARCH_SEGMENTER`, else nodejieba. */
export function defaultBackend(): SegmenterBackend {
  const env = process.env.ZHSEARCH_SEGMENTER;
  if (env === undefined || env === '') return 'nodejieba';
  if ((SEGMENTER_BACKENDS as readonly string[]).includes(env)) return env as SegmenterBackend;
  throw new Error(`ZHSEARCH_SEGMENTER must be one of ${SEGMENTER_BACKENDS.join(', ')} (got ${JSON.stringify(env)})`);
}

const loaded = new Map<string, Segmenter>();
/** nodejieba keeps one dictionary per JS environment: remember which user dictionary it holds. */
let nodejiebaDict: string | undefined;

/**
 * The process-wide segmenter for a backend and user dictionary, loaded once (the
 * dictionaries cost a second or more and tens of MB).
 */
export function getSegmenter(options: SegmenterOptions = {}): Segmenter {
  const backend = options.backend ?? defaultBackend();
  const key = `${backend}\0${options.userDict ?? ''}`;
  const cached = loaded.get(key);
  if (cached && (backend !== 'nodejieba' || nodejiebaDict === (options.userDict ?? ''))) return cached;
  const { fingerprint, userDict } = describe(backend, options.userDict);
  const segmenter = backend === 'nodejieba' ? loadNodejieba(options.userDict) : loadNodeRs(userDict);
  const result: Segmenter = { ...segmenter, name: backend, fingerprint };
  loaded.set(key, result);
  return result;
}

/**
 * The fingerprint {@link getSegmenter} would give, without loading a dictionary (a build
 * that segments in worker threads needs it only for the manifest). Throws, naming the
 * file, when the user dictionary cannot be read.
 */
export function segmenterFingerprint(options: SegmenterOptions = {}): { name: SegmenterBackend; fingerprint: string } {
  const name = options.backend ?? defaultBackend();
  return { name, fingerprint: describe(name, options.userDict).fingerprint };
}

function describe(backend: SegmenterBackend, path: string | undefined): { fingerprint: string; userDict: Buffer | null } {
  let userDict: Buffer | null = null;
  if (path) {
    try {
      userDict = readFileSync(path);
    } catch (err) {
      throw new Error(`user dictionary ${path} cannot be read: ${(err as Error).message}`);
    }
  }
  const dictHash = userDict ? createHash('sha256').update(userDict).digest('hex').slice(0, 16) : 'none';
  return { fingerprint: `${backend}@${packageVersion(backend)};hmm;userdict=${dictHash}`, userDict };
}

type Loaded = Pick<Segmenter, 'cut' | 'cutForSearch'>;

interface NodejiebaModule {
  load(options?: { userDict?: string; idfDict?: string; stopWordDict?: string }): void;
  cut(text: string, hmm?: boolean): string[];
  cutForSearch(text: string, hmm?: boolean): string[];
}

function loadNodejieba(userDict: string | undefined): Loaded {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const jieba = require('nodejieba') as NodejiebaModule;
  // nodejieba also loads a keyword extractor's IDF table (megabytes of memory)
  // that zhsearch never uses; a one-line stand-in keeps it out. Cutting is unaffected.
  const stub = keywordStub();
  jieba.load({ ...(userDict ? { userDict } : {}), ...(stub ? { idfDict: stub, stopWordDict: stub } : {}) });
  nodejiebaDict = userDict ?? '';
  return {
    cutForSearch: (text) => jieba.cutForSearch(text, true),
    cut: (text) => jieba.cut(text, true),
  };
}

/**
 * A one-line file for nodejieba's keyword-extractor tables (it refuses an empty one),
 * written once to the temp folder; null when that fails, and the defaults are loaded.
 */
function keywordStub(): string | null {
  const path = join(tmpdir(), 'zhsearch-nodejieba-stub-1.utf8');
  const content = '的 1\n';
  try {
    if (readFileSync(path, 'utf8') === content) return path;
  } catch {
    // not there yet
  }
  try {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, path);
    return path;
  } catch {
    return null;
  }
}

interface NodeRsJieba {
  cut(text: string, hmm?: boolean): string[];
  cutForSearch(text: string, hmm?: boolean): string[];
  loadDict(dict: Uint8Array): void;
}

function loadNodeRs(userDict: Buffer | null): Loaded {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(dict: Uint8Array): NodeRsJieba } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
  const jieba = Jieba.withDict(dict);
  if (userDict) jieba.loadDict(userDict);
  return {
    cutForSearch: (text) => jieba.cutForSearch(text, true),
    cut: (text) => jieba.cut(text, true),
  };
}

function packageVersion(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`${name}/package.json`) as { version: string }).version;
}
