/** The engine layer: {@link SearchEngine} and its public types, options and limits. */
export { SearchEngine } from './engine';
export { msSince } from './result-cache';
export {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  MAX_EXPORT,
  asTypedOption,
  collapseOption,
  sortOption,
  wholeNumber,
  wholeNumberRule,
  type SortOrder,
} from './options';
export { FEW_HITS } from './run-query';
export { QueryError } from '../query/parse';
export type {
  SearchOptions,
  SearchResult,
  Hit,
  RelaxedMatches,
  QueryTerm,
  RelatedArticle,
  ExportRow,
  DocumentInput,
  OpenOptions,
  FromDocumentsOptions,
  IndexInfo,
} from './types';
