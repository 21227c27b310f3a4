import type { VocabColumns } from '../format/codec';
import type { BigramLookup } from '../format/bigram-postings';
import type { DocTexts } from '../segment/doc-texts';
import type { SegmenterBackend, Segmenter } from '../analysis/segmenter';
import type { Synonyms } from '../analysis/synonyms';
import type { Post } from '../ingest/post';
import type { Facets } from '../query/facets';
import type { WordIndex } from '../query/word-postings';

/** Options of {@link SearchEngine.search}. */
export interface SearchOptions {
  /** Hits to skip (default 0). */
  offset?: number;
  /** Hits to return: default 10, at most {@link MAX_LIMIT}. */
  limit?: number;
  /** Keep documents in any of these categories. */
  categories?: string[];
  /** Keep documents with any of these tags. */
  tags?: string[];
  /** Keep documents by this author (exact). */
  author?: string;
  /** Earliest date, ISO (`2021-10-26` or a full date-time), inclusive. */
  from?: string;
  /** Latest date, ISO, inclusive (a bare date means the end of that day). */
  to?: string;
  /** `relevance` (default; ties newest first) or `date` (newest first). */
  sort?: 'relevance' | 'date';
  /** Show one post per story (default true); false shows every duplicate as its own hit. */
  collapse?: boolean;
  /**
   * Search the query exactly as typed (default false): no pinyin reading and no spelling
   * correction, as when a reader follows "search instead for" after `interpretedAs`.
   */
  asTyped?: boolean;
}

/** One search hit. `snippet` and `titleHighlighted` are HTML: escaped text plus `<mark>`. */
export interface Hit {
  id: string;
  title: string;
  url: string | null;
  date: string | null;
  author: string | null;
  categories: string[];
  tags: string[];
  score: number;
  snippet: string;
  titleHighlighted: string;
  /** Other matching posts of the same story ("N more from the same story"); hidden unless `collapse: false`. */
  duplicates: number;
  duplicateIds: string[];
  /** The listed query terms (see {@link SearchResult.terms}) this post contains, in title or body. */
  matched: string[];
  /** The listed query terms this post lacks (empty for a full match). */
  missing: string[];
}

/** A query term as interpreted (see {@link SearchResult.terms}). */
export interface QueryTerm {
  text: string;
  /** False for a term that became optional (question words; every word of a free-text query). */
  required: boolean;
}

/** The answer to a search. */
export interface SearchResult {
  query: string;
  /** Matching posts; with `collapse` (the default), matching stories. */
  total: number;
  offset: number;
  limit: number;
  tookMs: number;
  hits: Hit[];
  /** Counts over all matches (not only this page). */
  facets: Facets;
  /** A spelling suggestion when the query found little (null when none). */
  suggestion: string | null;
  /**
   * The query searched instead when the one typed found nothing: Latin letters read as
   * pinyin, or a spelling correction ({@link interpretedBy} says which); null otherwise.
   */
  interpretedAs: string | null;
  /** Why {@link interpretedAs} was searched: `pinyin` or `spelling` (null when it is null). */
  interpretedBy: 'pinyin' | 'spelling' | null;
  /** The query's terms after interpretation, normalized; dropped stop words are not listed. */
  terms: QueryTerm[];
  /** Matching posts (stories when collapsed, like `total`) that contain every listed term. */
  fullMatches: number;
  /** True when the per-query cost budget stopped matching early: the answer is partial. */
  truncated: boolean;
  /**
   * For a keywords query of two or more words (typed without operators, not read as free
   * text) that fewer posts hold together than this page reaches: the posts that hold all
   * but its last word, ranked, filling the rest of the page. They are not `hits` and not
   * counted in `total`; each lists the last word in `missing`. Null otherwise.
   */
  relaxed: RelaxedMatches | null;
}

/** Posts holding a query's words but its last (see {@link SearchResult.relaxed}). */
export interface RelaxedMatches {
  /** The words they hold (the query without its last word), normalized. */
  query: string;
  /** The word they lack. */
  dropped: string;
  /** How many posts hold `query` but not every word of the query typed. */
  total: number;
  hits: Hit[];
}

/** A related article (see {@link SearchEngine.related}). */
export interface RelatedArticle {
  id: string;
  title: string;
  url: string | null;
  date: string | null;
  score: number;
}

/** The fields of a hit that describe its post (a hit and an export row share them). */
export type PostFields = Pick<Hit, 'id' | 'title' | 'url' | 'date' | 'author' | 'categories' | 'tags' | 'score'>;

/**
 * One row of {@link SearchEngine.exportRows}: a hit without snippets or term lists, with
 * its rank. `duplicates` counts the other matching posts of the same story.
 */
export interface ExportRow extends PostFields, Pick<Hit, 'duplicates'> {
  rank: number;
}

/** A document handed to {@link SearchEngine.fromDocuments}. */
export interface DocumentInput {
  id: string;
  title: string;
  /** Plain text (paragraphs separated by '\n'), or give `html`. */
  text?: string;
  html?: string;
  date?: string | Date | null;
  author?: string | null;
  url?: string | null;
  tags?: string[];
  categories?: string[];
}

/** Options of {@link SearchEngine.open}. */
export interface OpenOptions {
  /** Refuse the index unless it was built with this segmenter backend. */
  segmenter?: SegmenterBackend;
  /** Results kept for repeated queries (default 1,024; 0 turns the cache off, e.g. to measure latency). */
  resultCache?: number;
  /**
   * Synonyms file (format in analysis/synonyms.ts), or false for none. Default: the file
   * named by SYNONYMS_FILE, else zhsearch's own list.
   */
  synonyms?: string | false;
  /**
   * Work one query may do before its answer is cut short and flagged `truncated` (default
   * `QUERY_COST_BUDGET`, or `SINGLE_SCAN_BUDGET` for a query that must scan for at most
   * one unit; see query/execute.ts).
   */
  queryBudget?: number;
  /**
   * UTF-16 code units of document bodies kept decoded in memory for repeated reads
   * (default 1 Mi); the rest stay in the index files, read on demand.
   */
  textCache?: number;
  /**
   * Load jieba's dictionary in a worker thread, started once the index is loaded (it
   * never blocks this thread, and does not compete with the index load); queries call it synchronously (tens of µs a
   * call). One thread per process and dictionary, shared by every engine opened with
   * this option. Default false: the dictionary loads in this thread on first use.
   */
  segmenterThread?: boolean;
}

/** Options of {@link SearchEngine.fromDocuments}. */
export interface FromDocumentsOptions {
  userDict?: string;
  segmenter?: SegmenterBackend;
  resultCache?: number;
  synonyms?: string | false;
  queryBudget?: number;
}

/** Facts about the loaded index. */
export interface IndexInfo {
  docs: number;
  builtAt: string;
  formatVersion: number;
  dir: string | null;
}

/**
 * Everything an engine is made of, whether loaded from an index ({@link loadIndex}) or
 * built in memory ({@link buildInMemory}). Internal: not part of the public API.
 */
export interface EngineParts {
  posts: Post[];
  words: WordIndex;
  bigrams: BigramLookup;
  titleBigrams: BigramLookup;
  /** Sorted by word (code units). */
  vocab: VocabColumns;
  info: IndexInfo;
  /** The segmenter, or a loader run on first use. */
  segmenter: Segmenter | (() => Segmenter);
  synonyms: Synonyms;
  resultCache?: number;
  /** The posts' bodies, normalized and as displayed (an opened index reads them from its files). */
  texts: DocTexts;
  /** Normalized titles, when the loader has them (computed from the posts when absent). */
  ntitle?: string[];
  /** Duplicate groups: arrays of document numbers, 2+ each. */
  groups: number[][];
  /**
   * Live documents per shard, in document order (shards hold consecutive numbers): word
   * postings list documents shard by shard, and ranking reads their order per shard.
   */
  shardSizes: number[];
  /** Set by the embedder; undefined picks the budget per query (`budgetFor`). */
  queryBudget?: number;
}
