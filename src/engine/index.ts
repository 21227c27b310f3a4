/** The engine layer: {@link SearchEngine} and its public types, options and limits. */
export { SearchEngine, msSince } from './engine';
export { DEFAULT_LIMIT, MAX_LIMIT, MAX_EXPORT } from './options';
export { FEW_HITS } from './run-query';
export { QueryError } from '../query/parse';
export type {
  SearchOptions,
  SearchResult,
  Hit,
  QueryTerm,
  RelatedArticle,
  ExportRow,
  DocumentInput,
  OpenOptions,
  FromDocumentsOptions,
  IndexInfo,
} from './types';
