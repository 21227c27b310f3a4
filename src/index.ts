/**
 * zhsearch: Chinese full-text search over archives of Jekyll-style posts.
 *
 *   import { buildIndex, SearchEngine } from 'zhsearch';
 *   await buildIndex({ corpus: 'posts/', out: 'index-data/' });
 *   const engine = await SearchEngine.open('index-data/');
 *   engine.search('王毅 阿富汗', { limit: 10 });
 */
export { buildIndex } from './indexer/build';
export type { BuildOptions, BuildProgress, BuildReport } from './indexer/build';
export type { FileNote } from './format/manifest';
export { watchCorpus } from './indexer/watch';
export type { WatchOptions, CorpusWatcher } from './indexer/watch';
export { SearchEngine, DEFAULT_LIMIT, MAX_LIMIT } from './engine';
export type { SearchOptions, SearchResult, Hit, RelaxedMatches, DocumentInput, IndexInfo, OpenOptions } from './engine';
export type { Facets } from './query/facets';
export { QueryError, MAX_QUERY_LENGTH, parseQuery } from './query/parse';
export type { ParsedQuery, Clause } from './query/parse';
export { parsePost, decodePost } from './ingest/post';
export type { Post, PostMeta, ParseOptions, ParseResult } from './ingest/post';
export { htmlToText } from './ingest/html';
export { normalize } from './analysis/normalize';
export { getSegmenter, SEGMENTER_BACKENDS } from './analysis/segmenter';
export type { Segmenter, SegmenterOptions, SegmenterBackend } from './analysis/segmenter';
export { escapeHtml } from './query/snippet';
