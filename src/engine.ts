import type { Index } from 'flexsearch';
import { bigramKey } from './analysis/bigrams';
import { normalize, NORMALIZATION_VERSION } from './analysis/normalize';
import { BigramPostings } from './indexer/bigram-postings';
import { getSegmenter, SEGMENTER_BACKENDS, type Segmenter, type SegmenterBackend } from './analysis/segmenter';
import { FLEX_OPTIONS, importFlex } from './indexer/flex';
import { shardFiles } from './indexer/job';
import { ShardBuilder } from './indexer/shard';
import { htmlToText } from './ingest/html';
import type { Post } from './ingest/post';
import { decodeDocs, decodeVocab } from './store/codec';
import { openVersion } from './store/files';
import { BIGRAM_FILE, FORMAT_VERSION, TERM_SCHEME, TITLE_BIGRAM_FILE, type Manifest } from './store/manifest';
import { createDocTable, type DocTable } from './query/doctable';
import { isBigram, matchPlan, type MatchFilters } from './query/execute';
import { facetCounts, type Facets } from './query/facets';
import { MAX_QUERY_LENGTH, parseQuery, QueryError } from './query/parse';
import { planQuery } from './query/plan';
import { rankDocs } from './query/rank';
import { highlightAll, makeSnippet } from './query/snippet';
import { Suggester } from './query/suggest';
import { loadSynonyms, type Synonyms } from './analysis/synonyms';
import { didYouMean, type CorrectionSource } from './query/correct';
import { pinyinQuery } from './query/interpret';
import { LruCache } from './lru';

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
}

/** The answer to a search. */
export interface SearchResult {
  query: string;
  total: number;
  offset: number;
  limit: number;
  tookMs: number;
  hits: Hit[];
  /** Counts over all matches (not only this page). */
  facets: Facets;
  /** A spelling suggestion when the query found little (null when none). */
  suggestion: string | null;
  /** The Chinese words searched instead when a Latin-letter query was read as pinyin (null otherwise). */
  interpretedAs: string | null;
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
}

/** Facts about the loaded index. */
export interface IndexInfo {
  docs: number;
  builtAt: string;
  formatVersion: number;
  dir: string | null;
}

/** Default and maximum page sizes. */
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;
export const DEFAULT_RESULT_CACHE = 1024;
/** Queries with at most this many hits get a "did you mean" suggestion when a better query exists. */
export const FEW_HITS = 2;

interface Shard {
  flex: Index;
  offset: number;
  size: number;
}

/**
 * A loaded index, ready to answer queries. Immutable once created: a new build is
 * served by opening a new engine and swapping it in.
 */
export class SearchEngine {
  private readonly table: DocTable;
  private readonly byId = new Map<string, number>();
  private readonly suggester: Suggester;
  private readonly cache = new LruCache<string, number[]>(512);
  /**
   * Recent results, read-only (frozen): search boxes repeat queries (paging back,
   * suggestions clicked, popular words), and an engine never changes once loaded, so a
   * reload swaps the cache out with it.
   */
  private readonly results: LruCache<string, SearchResult>;

  private constructor(
    posts: Post[],
    private readonly shards: Shard[],
    private readonly bigrams: BigramPostings,
    private readonly titleBigrams: BigramPostings,
    vocab: Array<[string, number]>,
    private readonly info: IndexInfo,
    private readonly segmenter: Segmenter,
    private readonly synonyms: Synonyms,
    resultCache: number = DEFAULT_RESULT_CACHE,
    normalized?: { ntitle: string[]; ntext: string[] },
  ) {
    this.results = new LruCache(resultCache);
    posts.forEach((p, i) => this.byId.set(p.id, i));
    this.table = createDocTable(
      posts,
      (term) => this.postings(term),
      (term) => (isBigram(term) ? this.bigrams.lookup(bigramKey(term)) : null),
      (term) => (isBigram(term) ? this.titleBigrams.lookup(bigramKey(term)) : null),
      normalized,
    );
    this.suggester = new Suggester(vocab, posts, this.table.ntitle);
  }

  /** Load the index in `indexDir` (checks format version and checksums). */
  static async open(indexDir: string, options: OpenOptions = {}): Promise<SearchEngine> {
    const version = await openVersion(indexDir);
    const m = version.manifest;
    checkCompatible(m, version.dir);
    const posts: Post[] = [];
    const shards: Shard[] = [];
    const reading = Promise.all(
      m.shards.map(async (_, k) => {
        const names = shardFiles(k);
        const [docs, flex] = await Promise.all([version.readGzip(names.docs), version.readGzip(names.flex)]);
        return { docs, flex, names };
      }),
    );
    const bigramReading = Promise.all([version.readGzipBytes(BIGRAM_FILE), version.readGzipBytes(TITLE_BIGRAM_FILE)]);
    const vocabReading = version.readGzip('vocab.json.gz');
    // Every read must be awaited (or caught) even when another fails first.
    const all = Promise.all([reading, bigramReading, vocabReading]);
    all.catch(() => undefined);
    // Load jieba (synchronous, ~1.5 s) while the thread pool reads and inflates the files.
    if (options.segmenter && options.segmenter !== m.tokenizer.backend) {
      throw new Error(`index ${version.dir} was built with the ${m.tokenizer.backend} segmenter; queries cannot use ${options.segmenter}`);
    }
    const segmenter = getSegmenter({ backend: m.tokenizer.backend, userDict: m.tokenizer.userDict ?? undefined });
    const synonyms = loadSynonyms(options.synonyms);
    const [loaded, bigramBytes, vocabJson] = await all;
    // A server reloads while it answers queries: decode in steps, yielding to the event
    // loop between them, so that no request waits for the whole load.
    for (const [k, part] of loaded.entries()) {
      await nextTurn();
      const docs = decodeDocs(part.docs, part.names.docs);
      if (docs.length !== m.shards[k]) {
        throw new Error(
          `index ${version.dir} is damaged: shard ${k} has ${docs.length} documents, manifest says ${m.shards[k]}; rebuild it`,
        );
      }
      await nextTurn();
      shards.push({ flex: importFlex(part.flex), offset: posts.length, size: docs.length });
      for (const p of docs) posts.push(p);
    }
    const bigrams = BigramPostings.decode(bigramBytes[0], `${version.dir}/${BIGRAM_FILE}`);
    const titleBigrams = BigramPostings.decode(bigramBytes[1], `${version.dir}/${TITLE_BIGRAM_FILE}`);
    const normalized = { ntitle: [] as string[], ntext: [] as string[] };
    for (let i = 0; i < posts.length; i += 256) {
      await nextTurn();
      for (const p of posts.slice(i, i + 256)) {
        normalized.ntitle.push(normalize(p.title));
        normalized.ntext.push(normalize(p.text));
      }
    }
    await nextTurn();
    const vocab = decodeVocab(vocabJson);
    await nextTurn();
    const info = { docs: posts.length, builtAt: m.builtAt, formatVersion: m.formatVersion, dir: version.dir };
    return new SearchEngine(posts, shards, bigrams, titleBigrams, vocab, info, segmenter, synonyms, options.resultCache, normalized);
  }

  /** Build an in-memory engine from documents, with no files involved (for embedding apps). */
  static fromDocuments(
    docs: readonly DocumentInput[],
    options: { userDict?: string; segmenter?: SegmenterBackend; resultCache?: number; synonyms?: string | false } = {},
  ): SearchEngine {
    const segmenter = getSegmenter({ backend: options.segmenter, userDict: options.userDict });
    const builder = new ShardBuilder(segmenter);
    const seen = new Set<string>();
    for (const d of docs) {
      if (typeof d.id !== 'string' || d.id === '') throw new Error('fromDocuments: every document needs a non-empty string id');
      if (seen.has(d.id)) throw new Error(`fromDocuments: duplicate id ${JSON.stringify(d.id)}`);
      seen.add(d.id);
      builder.addPost(toPost(d));
    }
    const shard = builder.finish();
    const info: IndexInfo = { docs: shard.posts.length, builtAt: new Date().toISOString(), formatVersion: FORMAT_VERSION, dir: null };
    const vocab = [...shard.vocab.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const shards = [{ flex: shard.flex, offset: 0, size: shard.posts.length }];
    const synonyms = loadSynonyms(options.synonyms);
    return new SearchEngine(shard.posts, shards, shard.bigrams, shard.titleBigrams, vocab, info, segmenter, synonyms, options.resultCache);
  }

  /** Index facts for health checks. */
  get stats(): IndexInfo {
    return { ...this.info };
  }

  /**
   * Run a query. Empty queries give an empty result. Throws {@link QueryError} (with
   * the offending parameter) for a query over 256 characters or invalid options.
   */
  search(query: string, options: SearchOptions = {}): SearchResult {
    const started = process.hrtime.bigint();
    if (typeof query !== 'string') throw new QueryError('q must be a string', 'q');
    const offset = intOption(options.offset, 'offset', 0, 0, 1_000_000);
    const limit = Math.min(intOption(options.limit, 'limit', DEFAULT_LIMIT, 1, Number.MAX_SAFE_INTEGER), MAX_LIMIT);
    const filters = this.filters(options);
    const sort = options.sort ?? 'relevance';
    if (sort !== 'relevance' && sort !== 'date') throw new QueryError('sort must be "relevance" or "date"', 'sort');

    const elapsed = (): number => Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;

    const key = JSON.stringify([
      query,
      offset,
      limit,
      filters.categories,
      filters.tags,
      filters.author,
      filters.fromMs,
      filters.toMs,
      sort,
    ]);
    const cached = this.results.get(key);
    if (cached) return { ...cached, hits: cached.hits.slice(), tookMs: elapsed() };

    let plan = planQuery(parseQuery(query), () => this.segmenter, this.synonyms);
    let matched = plan.groups.length === 0 ? { docs: [], units: new Map() } : matchPlan(this.table, plan, filters);
    let interpretedAs: string | null = null;
    if (matched.docs.length === 0) {
      const zh = pinyinQuery(query, this.suggester, (q) => this.corrections(filters).count(q) > 0);
      const zhPlan = zh ? planQuery(parseQuery(zh), () => this.segmenter, this.synonyms) : null;
      const zhMatched = zhPlan && zhPlan.groups.length > 0 ? matchPlan(this.table, zhPlan, filters) : null;
      if (zhPlan && zhMatched && zhMatched.docs.length > 0) [plan, matched, interpretedAs] = [zhPlan, zhMatched, zh];
    }
    const suggestion =
      matched.docs.length <= FEW_HITS && plan.highlight.length > 0 && interpretedAs === null
        ? didYouMean(query, plan.highlight, matched.docs.length, this.suggester, this.corrections(filters))
        : null;
    const ranked = rankDocs(this.table, matched, plan, sort, offset + limit);
    const hits = ranked.slice(offset, offset + limit).map(({ doc, score }) => this.hit(doc, score, plan.highlight));
    const result: SearchResult = {
      query,
      total: matched.docs.length,
      offset,
      limit,
      tookMs: 0,
      hits,
      facets: facetCounts(this.table, matched.docs),
      suggestion,
      interpretedAs,
    };
    this.results.set(key, deepFreeze(result));
    return { ...result, hits: hits.slice(), tookMs: elapsed() };
  }

  /**
   * Ids of every document matching `query` and the filters, unranked (index order).
   * For exports and evaluation; `search` is the ranked, paged form.
   */
  matchIds(query: string, options: Omit<SearchOptions, 'offset' | 'limit' | 'sort'> & { synonyms?: boolean } = {}): string[] {
    const plan = planQuery(parseQuery(query), () => this.segmenter, options.synonyms === false ? undefined : this.synonyms);
    if (plan.groups.length === 0) return [];
    const matched = matchPlan(this.table, plan, this.filters(options));
    return matched.docs.map((d) => this.table.posts[d].id);
  }

  /** Every document, in index order. */
  *documents(): IterableIterator<Post> {
    for (const p of this.table.posts) yield { ...p };
  }

  /** Up to `limit` (default 10) completions of a typed prefix: frequent words, then titles. */
  suggest(prefix: string, limit = 10): string[] {
    if (typeof prefix !== 'string' || prefix.length > MAX_QUERY_LENGTH) return [];
    return this.suggester.suggest(normalize(prefix.trim()), Math.min(Math.max(1, limit), 20));
  }

  /** One document by id, or null. */
  get(id: string): Post | null {
    const d = this.byId.get(id);
    return d === undefined ? null : { ...this.table.posts[d] };
  }

  /** The vocabulary and match counts that "did you mean" draws on. */
  private corrections(filters: MatchFilters): CorrectionSource {
    const s = this.suggester;
    return {
      sounds: s.sounds,
      df: (w) => s.df(w),
      wordsOfLength: (n) => s.wordsOfLength(n),
      latinEntries: () => s.latinEntries(),
      count: (q) => {
        const plan = planQuery(parseQuery(q), () => this.segmenter);
        return plan.groups.length === 0 ? 0 : matchPlan(this.table, plan, filters).docs.length;
      },
    };
  }

  private filters(options: SearchOptions): MatchFilters {
    return {
      categories: options.categories,
      tags: options.tags,
      author: options.author,
      fromMs: dateOption(options.from, 'from', false),
      toMs: dateOption(options.to, 'to', true),
    };
  }

  private hit(doc: number, score: number, units: string[]): Hit {
    const p = this.table.posts[doc];
    return {
      id: p.id,
      title: p.title,
      url: p.url,
      date: p.date,
      author: p.author,
      categories: [...p.categories],
      tags: [...p.tags],
      score: Math.round(score * 1000) / 1000,
      snippet: makeSnippet(p.text, this.table.ntext[doc], units),
      titleHighlighted: highlightAll(p.title, this.table.ntitle[doc], units),
    };
  }

  /** Posting list of a term: the bigram store for CJK bigrams, FlexSearch (all shards) for word terms. */
  private postings(term: string): ArrayLike<number> {
    if (isBigram(term)) return this.bigrams.lookup(bigramKey(term))?.docs ?? EMPTY;
    const hit = this.cache.get(term);
    if (hit) return hit;
    let out: number[] = [];
    for (const s of this.shards) {
      const ids = s.flex.search([term] as unknown as string, { limit: s.size }) as number[];
      if (ids.length === 0) continue;
      if (s.offset === 0 && out.length === 0) out = ids;
      else for (const id of ids) out.push(id + s.offset);
    }
    this.cache.set(term, out);
    return out;
  }
}

const EMPTY = new Uint32Array(0);

/** Freeze a result and everything in it (cached results are shared between callers). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function checkCompatible(m: Manifest, dir: string): void {
  const rebuild = 'rebuild the index (npm run build-index)';
  if (!(SEGMENTER_BACKENDS as readonly string[]).includes(m.tokenizer?.backend)) {
    throw new Error(`index ${dir} names an unknown segmenter ${JSON.stringify(m.tokenizer?.backend)}: ${rebuild}`);
  }
  if (m.tokenizer?.normalization !== NORMALIZATION_VERSION || m.tokenizer?.terms !== TERM_SCHEME) {
    throw new Error(`index ${dir} was built with another tokenizer (${m.tokenizer?.normalization}, ${m.tokenizer?.terms}): ${rebuild}`);
  }
  const opts = m.flexsearch?.options ?? {};
  for (const [k, v] of Object.entries(FLEX_OPTIONS)) {
    if (opts[k] !== v)
      throw new Error(`index ${dir} was built with FlexSearch option ${k}=${String(opts[k])}, expected ${String(v)}: ${rebuild}`);
  }
}

function toPost(d: DocumentInput): Post {
  const text = d.text ?? (d.html !== undefined ? htmlToText(d.html) : '');
  let date: string | null = null;
  if (d.date) {
    const t = d.date instanceof Date ? d.date.getTime() : Date.parse(d.date);
    if (Number.isNaN(t)) throw new Error(`fromDocuments: document ${d.id} has an invalid date ${String(d.date)}`);
    date = new Date(t).toISOString();
  }
  return {
    id: d.id,
    title: d.title ?? '',
    date,
    author: d.author ?? null,
    url: d.url ?? null,
    tags: d.tags ?? [],
    categories: d.categories ?? [],
    text,
  };
}

function intOption(v: number | undefined, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) throw new QueryError(`${name} must be a whole number from ${min} to ${max}`, name);
  return v;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parse an ISO date option; a bare `to` date means the end of that day (UTC). */
function dateOption(v: string | undefined, name: string, endOfDay: boolean): number | undefined {
  if (v === undefined || v === '') return undefined;
  const t = typeof v === 'string' && ISO_DATE.test(v) ? Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v) : NaN;
  // Date.parse rolls 2021-02-30 over into March: a day that does not exist is an error.
  const exists = !Number.isNaN(t) && new Date(Date.parse(`${v.slice(0, 10)}T12:00:00Z`)).toISOString().slice(0, 10) === v.slice(0, 10);
  if (!exists) throw new QueryError(`${name} must be an ISO date such as 2021-10-26`, name);
  return endOfDay && v.length === 10 ? t + 86_400_000 - 1 : t;
}

export { QueryError };
