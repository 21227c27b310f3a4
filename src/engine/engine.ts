// Over 300 lines: SearchEngine is the library's public API, one short method per entry point; splitting the class would split the API.
import { bigramKey } from '../analysis/bigrams';
import { allCjk } from '../analysis/terms';
import { normalize } from '../analysis/normalize';
import type { Segmenter } from '../analysis/segmenter';
import type { BigramLookup } from '../format/bigram-postings';
import type { DocTexts } from '../segment/doc-texts';
import { copyMeta, copyPost, type Post, type PostMeta } from '../ingest/post';
import { DuplicateGroups } from '../query/duplicate-groups';
import { createDocTable, type DocTable } from '../query/doctable';
import { isBigram } from '../query/execute';
import { facetCounts, sameFacets } from '../query/facets';
import { MAX_QUERY_LENGTH, QueryError } from '../query/parse';
import { keyTerms } from '../query/related';
import { Suggester } from '../query/suggest';
import type { WordIndex } from '../query/word-postings';
import type { IndexSource } from '../store/backend';
import { exportRows } from './export';
import { pageHits, relaxedMatches, type HitSources } from './hits';
import { buildInMemory } from './from-documents';
import { loadIndex } from './open';
import { checkRequest, DEFAULT_LIMIT, MAX_EXPORT, MAX_LIMIT, matchFilters } from './options';
import { ResultCache } from './result-cache';
import { QueryRunner } from './run-query';
import type {
  DocumentInput,
  EngineParts,
  ExportRow,
  FromDocumentsOptions,
  IndexInfo,
  OpenOptions,
  RelatedArticle,
  SearchOptions,
  SearchResult,
} from './types';

/**
 * A loaded index, ready to answer queries. Immutable once created: a new build is
 * served by opening a new engine and swapping it in.
 */
export class SearchEngine {
  private readonly table: DocTable;
  private idMap: Map<string, number> | null = null;
  /** Document number by id, built on the first lookup by id (searching never needs it). */
  private get byId(): Map<string, number> {
    return (this.idMap ??= new Map(this.table.posts.map((p, i) => [p.id, i])));
  }
  private readonly suggester: Suggester;
  /** Recent results (see ResultCache). */
  private readonly results: ResultCache;
  /** The segmenter, once loaded (see {@link loadSegmenter}). */
  private segmenterInstance: Segmenter | null = null;
  private loadSegmenterOnce: (() => Segmenter) | null = null;
  /** The posts' bodies (an opened index reads them from its files on demand). */
  private readonly texts: DocTexts;
  private readonly groups: DuplicateGroups;
  private readonly words: WordIndex;
  private readonly bigrams: BigramLookup;
  private readonly titleBigrams: BigramLookup;
  private readonly indexInfo: IndexInfo;
  private readonly runner: QueryRunner;
  /** What hits and export rows are made from. */
  private readonly view: HitSources;

  private constructor(parts: EngineParts) {
    const { posts } = parts;
    this.words = parts.words;
    this.bigrams = parts.bigrams;
    this.titleBigrams = parts.titleBigrams;
    this.texts = parts.texts;
    this.indexInfo = parts.info;
    this.results = new ResultCache(parts.resultCache);
    if (typeof parts.segmenter === 'function') this.loadSegmenterOnce = parts.segmenter;
    else this.segmenterInstance = parts.segmenter;
    const titleBigrams = parts.titleBigrams;
    this.table = createDocTable(
      posts,
      (term) => this.postings(term),
      (term) => (isBigram(term) ? this.bigrams.lookup(bigramKey(term)) : null),
      (term) => (isBigram(term) ? titleBigrams.lookup(bigramKey(term)) : null),
      parts.texts,
      parts.shardSizes,
      parts.ntitle,
    );
    this.groups = new DuplicateGroups(posts.length, parts.groups, sameFacets(this.table));
    this.suggester = new Suggester(parts.vocab, this.table.posts, this.table.ntitle);
    this.runner = new QueryRunner({
      table: this.table,
      suggester: this.suggester,
      bigrams: this.bigrams,
      synonyms: parts.synonyms,
      segmenter: () => this.segmenter,
      queryBudget: parts.queryBudget,
    });
    this.view = { table: this.table, texts: this.texts, groups: this.groups, runner: this.runner };
  }

  /**
   * Load the live index version of a folder (`indexDir`) or of any storage backend
   * (an {@link IndexSource}, e.g. Redis); checks format version and checksums.
   */
  static async open(index: string | IndexSource, options: OpenOptions = {}): Promise<SearchEngine> {
    return new SearchEngine(await loadIndex(index, options));
  }

  /** Build an in-memory engine from documents, with no files involved (for embedding apps). */
  static fromDocuments(docs: readonly DocumentInput[], options: FromDocumentsOptions = {}): SearchEngine {
    return new SearchEngine(buildInMemory(docs, options));
  }

  /**
   * Close the index files an opened engine reads by position (bigram and word postings,
   * document bodies); queries on it throw afterwards. A server closes an engine a reload replaced
   * once requests still using it are done; an engine nobody holds closes its files when
   * collected. Nothing to do for an engine built with {@link fromDocuments}.
   */
  close(): void {
    this.bigrams.close();
    this.titleBigrams.close();
    this.words.close();
    this.texts.close();
  }

  /**
   * Load the segmenter's dictionary now. An engine from {@link open} otherwise loads it
   * with the first query that needs it (a Chinese run of 5+ characters), unless it was
   * opened with `segmenterThread` (the server does), which loads it in a worker thread
   * once the index is loaded; there this returns at once.
   */
  loadSegmenter(): void {
    void this.segmenter;
  }

  private get segmenter(): Segmenter {
    return (this.segmenterInstance ??= this.loadSegmenterOnce!());
  }

  /** Facts about the loaded index (documents, build time, format version, folder), for health checks. */
  info(): IndexInfo {
    return { ...this.indexInfo };
  }

  /** @deprecated The same as {@link info}; kept for existing callers. */
  get stats(): IndexInfo {
    return this.info();
  }

  /**
   * Run a query. Empty queries give an empty result. Throws {@link QueryError} (with
   * the offending parameter) for a query over 256 characters or invalid options.
   */
  search(query: string, options: SearchOptions = {}): SearchResult {
    const started = process.hrtime.bigint();
    if (typeof query !== 'string') throw new QueryError('q must be a string', 'q');
    const checked = checkRequest(options, { dflt: DEFAULT_LIMIT, max: Number.MAX_SAFE_INTEGER, cap: MAX_LIMIT });
    const { offset, limit, filters, sort, collapse, asTyped } = checked;
    const key = ResultCache.key(query, checked);
    const cached = this.results.get(key, started);
    if (cached) return cached;

    const { plan, matched, interpretedAs, interpretedBy, budget, suggestion } = this.runner.run(query, filters, {
      suggest: true,
      reinterpret: !asTyped,
    });
    // Stories when collapsed: a duplicate group counts once.
    const count = (docs: ArrayLike<number>): number => (collapse ? this.groups.countDistinct(docs) : docs.length);
    const total = count(matched.docs);
    const page = { sort, collapse, offset, limit, unitDf: (u: string): number => this.unitDf(u) };
    const hits = pageHits(this.view, plan, matched, { ...page, distinct: total });
    const full = this.runner.fullMatchDocs(plan, matched, budget);
    const relaxed = total < offset + limit ? this.runner.relax(plan, matched, filters, budget) : null;
    const result: SearchResult = {
      query,
      total,
      offset,
      limit,
      tookMs: 0,
      hits,
      facets: facetCounts(this.table, matched.docs, collapse ? this.groups : undefined),
      suggestion,
      interpretedAs,
      interpretedBy,
      terms: plan.terms.map((t) => ({ text: t.text, required: t.required })),
      fullMatches: full === matched.docs ? total : count(full),
      truncated: matched.truncated || budget.exhausted,
      relaxed:
        relaxed &&
        relaxedMatches(this.view, relaxed, count(relaxed.matched.docs), {
          ...page,
          offset: Math.max(0, offset - total),
          limit: offset + limit - Math.max(offset, total),
        }),
    };
    return this.results.set(key, result, started);
  }

  /**
   * Ids of every document matching `query` and the filters, unranked (index order).
   * For exports and evaluation; `search` is the ranked, paged form. `reinterpret: false`
   * matches the query as typed only (no pinyin reading, no spelling correction).
   */
  matchIds(
    query: string,
    options: Omit<SearchOptions, 'offset' | 'limit' | 'sort'> & { synonyms?: boolean; reinterpret?: boolean } = {},
  ): string[] {
    const { matched } = this.runner.run(query, matchFilters(options), {
      synonyms: options.synonyms !== false,
      reinterpret: options.reinterpret !== false,
    });
    return Array.from(matched.docs, (d) => this.table.posts[d].id);
  }

  /** Every document, in index order. An opened index reads each body from disk: for the metadata alone, see {@link metadata}. */
  *documents(): IterableIterator<Post> {
    for (const p of this.table.posts) yield copyPost(p);
  }

  /** Every document's metadata (all but the body), in index order. Reads no body: quick for any archive. */
  *metadata(): IterableIterator<PostMeta> {
    for (const p of this.table.posts) yield copyMeta(p);
  }

  /** Up to `limit` (default 10) completions of a typed prefix: frequent words, then titles. */
  suggest(prefix: string, limit = 10): string[] {
    if (typeof prefix !== 'string' || prefix.length > MAX_QUERY_LENGTH) return [];
    return this.suggester.suggest(normalize(prefix.trim()), Math.min(Math.max(1, limit), 20));
  }

  /**
   * The "did you mean" of `query` alone (null when none), without searching: the
   * correction {@link search} offers when the query finds few posts.
   */
  didYouMean(query: string): string | null {
    if (typeof query !== 'string' || query.length > MAX_QUERY_LENGTH) return null;
    return this.runner.run(query, matchFilters({}), { reinterpret: false, suggest: true }).suggestion;
  }

  /** One document by id, or null. */
  get(id: string): Post | null {
    const d = this.byId.get(id);
    return d === undefined ? null : copyPost(this.table.posts[d]);
  }

  /**
   * Up to `limit` (default 5, at most 20) articles related to `id`, best first: its most
   * characteristic words as an OR query, without the article itself and its duplicates.
   * Null for an unknown id.
   */
  related(id: string, limit = 5): { terms: string[]; articles: RelatedArticle[] } | null {
    const d = this.byId.get(id);
    if (d === undefined) return null;
    const n = Math.min(Math.max(1, Math.floor(limit) || 5), 20);
    const p = this.table.posts[d];
    const df = (w: string): number => (isBigram(w) ? this.bigrams.count(bigramKey(w)) : this.suggester.df(w));
    const terms = keyTerms(p.title, p.text, this.segmenter, df, this.table.size).map((t) => t.term);
    if (terms.length === 0) return { terms, articles: [] };
    const exclude = new Set([d, ...this.groups.others(d)]);
    const r = this.search(terms.join(' OR '), { limit: Math.min(MAX_LIMIT, n + exclude.size) });
    const articles = r.hits
      .filter((h) => !exclude.has(this.byId.get(h.id)!))
      .slice(0, n)
      .map((h) => ({ id: h.id, title: h.title, url: h.url, date: h.date, score: h.score }));
    return { terms, articles };
  }

  /**
   * Ranked rows of a search for export, up to `max` (at most {@link MAX_EXPORT}) from
   * `offset`, produced lazily so that a large export can be streamed.
   */
  exportRows(query: string, options: Omit<SearchOptions, 'limit'> = {}, max: number = MAX_EXPORT): IterableIterator<ExportRow> {
    return exportRows(this.view, query, options, max);
  }

  /** Ids of the other posts of `id`'s duplicate group, or null for an unknown id. */
  duplicatesOf(id: string): string[] | null {
    const d = this.byId.get(id);
    return d === undefined ? null : this.groups.others(d).map((o) => this.table.posts[o].id);
  }

  /** Number of duplicate groups (each of 2+ posts). */
  get duplicateGroupCount(): number {
    return this.groups.count;
  }

  /** @deprecated The same as {@link duplicateGroupCount}; kept for existing callers. */
  get duplicateGroups(): number {
    return this.duplicateGroupCount;
  }

  /** Documents holding a query unit, for snippet weights: its rarest bigram for Chinese, else its vocabulary count. */
  private unitDf(unit: string): number {
    if (unit.length < 2 || !allCjk(unit)) return this.suggester.df(unit);
    let df = Infinity;
    for (let k = 0; k + 2 <= unit.length; k++) df = Math.min(df, this.bigrams.count(bigramKey(unit.slice(k, k + 2))));
    return df;
  }

  /** Posting list of a term: the bigram store for CJK bigrams, the word index for word terms. */
  private postings(term: string): ArrayLike<number> {
    if (isBigram(term)) return this.bigrams.lookup(bigramKey(term))?.docs ?? EMPTY;
    return this.words.lookup(term);
  }
}

const EMPTY = new Uint32Array(0);
