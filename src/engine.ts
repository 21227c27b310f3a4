import { bigramKey } from './analysis/bigrams';
import { allCjk } from './analysis/terms';
import { normalize, NORMALIZATION_VERSION } from './analysis/normalize';
import type { BigramLookup } from './format/bigram-postings';
import { getSegmenter, SEGMENTER_BACKENDS, segmenterFingerprint, type Segmenter, type SegmenterBackend } from './analysis/segmenter';
import { FLEX_OPTIONS, flexMapChunks } from './format/flex';
import { ShardBuilder } from './indexer/shard';
import { htmlToText } from './ingest/html';
import type { Post } from './ingest/post';
import { decodeDocsBytes, decodeVocab, type PostMeta } from './format/codec';
import type { IndexSource } from './store/backend';
import { fileSource } from './store/files';
import { groupDuplicates } from './indexer/duplicates';
import { StoryGroups, validGroups } from './query/dedupe';
import { BIGRAM_FILE, DUPLICATES_FILE, FORMAT_VERSION, shardFiles, TERM_SCHEME, TITLE_BIGRAM_FILE, type Manifest } from './format/manifest';
import { createDocTable, type DocTable } from './query/doctable';
import { BigramFile } from './segment/bigram-file';
import { FileDocTexts, MemoryDocTexts, type DocTexts } from './segment/doc-texts';
import { TextFile } from './segment/text-file';
import {
  Budget,
  budgetFor,
  containsText,
  isBigram,
  matchPlan,
  QUERY_COST_BUDGET,
  rareRun,
  type MatchFilters,
  type MatchResult,
} from './query/execute';
import { facetCounts, type Facets } from './query/facets';
import { MAX_QUERY_LENGTH, parseQuery, QueryError } from './query/parse';
import { planQuery, type PlanTerm, type QueryPlan } from './query/plan';
import { rankDocs, type Ranked } from './query/rank';
import { highlightAll, makeSnippet, SNIPPET_LENGTH, unitWeights } from './query/snippet';
import { Suggester } from './query/suggest';
import { keyTerms } from './query/related';
import { loadSynonyms, type Synonyms } from './analysis/synonyms';
import { didYouMean, type CorrectionSource } from './query/correct';
import { pinyinQuery } from './query/interpret';
import { LruCache } from './lru';
import type { FlexMapEntry } from './format/flex-index';
import { FlexShards, PackedWordPostings, type WordIndex } from './query/word-postings';

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
}

/** A query planned and matched, with how it was reinterpreted (see `runQuery`). */
interface QueryRun {
  plan: QueryPlan;
  matched: MatchResult;
  interpretedAs: string | null;
  interpretedBy: 'pinyin' | 'spelling' | null;
  budget: Budget;
  /** The did-you-mean for few hits, when asked for and the query was not reinterpreted. */
  suggestion: string | null;
}

/** A related article (see {@link SearchEngine.related}). */
export interface RelatedArticle {
  id: string;
  title: string;
  url: string | null;
  date: string | null;
  score: number;
}

/** One row of {@link SearchEngine.exportRows}: a hit without snippets. */
export interface ExportRow {
  rank: number;
  id: string;
  title: string;
  url: string | null;
  date: string | null;
  author: string | null;
  categories: string[];
  tags: string[];
  score: number;
  /** Other matching posts of the same story (hidden when collapsed). */
  duplicates: number;
}

/** Most rows one export returns. */
export const MAX_EXPORT = 10_000;

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
   * (default 8 Mi); the rest stay in the index files, read on demand.
   */
  textCache?: number;
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
/** Shard files read ahead of the one being decoded while an index loads. */
const READ_AHEAD = 3;

/**
 * A loaded index, ready to answer queries. Immutable once created: a new build is
 * served by opening a new engine and swapping it in.
 */
export class SearchEngine {
  private readonly table: DocTable;
  private readonly byId = new Map<string, number>();
  private readonly suggester: Suggester;
  /**
   * Recent results, read-only (frozen): search boxes repeat queries (paging back,
   * suggestions clicked, popular words), and an engine never changes once loaded, so a
   * reload swaps the cache out with it.
   */
  private readonly results: LruCache<string, SearchResult>;
  /** The segmenter, once loaded (see {@link loadSegmenter}). */
  private segmenterInstance: Segmenter | null = null;
  private loadSegmenterOnce: (() => Segmenter) | null = null;
  private readonly stories: StoryGroups;

  private constructor(
    posts: Post[],
    private readonly words: WordIndex,
    private readonly bigrams: BigramLookup,
    private readonly titleBigrams: BigramLookup,
    vocab: Array<[string, number]>,
    private readonly info: IndexInfo,
    segmenter: Segmenter | (() => Segmenter),
    private readonly synonyms: Synonyms,
    resultCache: number = DEFAULT_RESULT_CACHE,
    /** The posts' bodies (their `text` reads the display body from here). */
    private readonly texts: DocTexts,
    ntitle: string[] | undefined,
    groups: number[][] = [],
    /** Set by the embedder; undefined picks the budget per query ({@link budgetFor}). */
    private readonly queryBudget?: number,
  ) {
    this.results = new LruCache(resultCache, { admitOnRepeat: true });
    if (typeof segmenter === 'function') this.loadSegmenterOnce = segmenter;
    else this.segmenterInstance = segmenter;
    this.stories = new StoryGroups(posts.length, groups);
    posts.forEach((p, i) => this.byId.set(p.id, i));
    this.table = createDocTable(
      posts,
      (term) => this.postings(term),
      (term) => (isBigram(term) ? this.bigrams.lookup(bigramKey(term)) : null),
      (term) => (isBigram(term) ? this.titleBigrams.lookup(bigramKey(term)) : null),
      texts,
      ntitle,
    );
    this.suggester = new Suggester(vocab, this.table.posts, this.table.ntitle);
  }

  /**
   * Load the live index version of a folder (`indexDir`) or of any storage backend
   * (an {@link IndexSource}, e.g. Redis); checks format version and checksums.
   */
  static async open(index: string | IndexSource, options: OpenOptions = {}): Promise<SearchEngine> {
    const version = await (typeof index === 'string' ? fileSource(index) : index).open();
    const m = version.manifest;
    checkCompatible(m, version.dir);
    if (options.segmenter && options.segmenter !== m.tokenizer.backend) {
      throw new Error(`index ${version.dir} was built with the ${m.tokenizer.backend} segmenter; queries cannot use ${options.segmenter}`);
    }
    // jieba's dictionary takes ~1.8 s and ~230 MB (nodejieba) to load, and only queries
    // with a Chinese run longer than 4 characters need it: load it on first use (or when
    // the caller asks, see loadSegmenter), but check the user dictionary now.
    const tokenizer = { backend: m.tokenizer.backend, userDict: m.tokenizer.userDict ?? undefined };
    segmenterFingerprint(tokenizer);
    const segmenter = (): Segmenter => getSegmenter(tokenizer);
    const synonyms = loadSynonyms(options.synonyms);
    const metas: PostMeta[] = [];
    const ntitle: string[] = [];
    const textFiles: TextFile[] = [];
    const words = PackedWordPostings.builder();
    type ShardRead = { docs: Buffer; text: string; flex: string | FlexMapEntry[] };
    const readShard = async (k: number): Promise<ShardRead> => {
      const names = shardFiles(k);
      // A backend that stores FlexSearch natively (Redis adapter) hands over its entries.
      const [docs, text, flex] = await Promise.all([
        version.readGzipBytes(names.docs),
        version.localFile(names.text),
        version.loadFlexEntries ? version.loadFlexEntries(k) : version.readGzip(names.flex),
      ]);
      return { docs, text, flex };
    };
    // Bigram postings and document bodies stay in their files, read by position on
    // demand: only the dictionaries and per-document tables are loaded here.
    const others = Promise.all([
      Promise.all([version.localFile(BIGRAM_FILE), version.localFile(TITLE_BIGRAM_FILE)]),
      version.readGzip('vocab.json.gz'),
      version.readGzip(DUPLICATES_FILE),
    ]);
    // Shards are read a few ahead of the one being decoded, not all at once: the raw JSON
    // of every shard held together was the largest part of the load's peak memory.
    // Slots are emptied once read, so that a loaded shard's bytes can be collected.
    const ahead: Array<Promise<ShardRead> | undefined> = [];
    const read = (k: number): void => {
      if (k >= m.shards.length) return;
      const p = readShard(k);
      p.catch(() => undefined); // every read is awaited below, or abandoned with the load
      ahead[k] = p;
    };
    others.catch(() => undefined);
    for (let k = 0; k < READ_AHEAD; k++) read(k);
    // A server reloads while it answers queries: decode in steps, yielding to the event
    // loop between them, so that no request waits for the whole load.
    for (let k = 0; k < m.shards.length; k++) {
      const part = await ahead[k]!;
      ahead[k] = undefined;
      read(k + READ_AHEAD);
      const name = shardFiles(k).docs;
      const docs = decodeDocsBytes(part.docs, name);
      if (docs.length !== m.shards[k]) {
        throw new Error(
          `index ${version.dir} is damaged: shard ${k} has ${docs.length} documents, manifest says ${m.shards[k]}; rebuild it`,
        );
      }
      textFiles.push(TextFile.open(part.text, docs.length));
      await nextTurn();
      const flexName = `${version.dir}/${shardFiles(k).flex}`;
      if (typeof part.flex !== 'string') words.addShard(part.flex, metas.length, docs.length, flexName);
      else for (const chunk of flexMapChunks(part.flex, flexName)) words.addShardJson(chunk, metas.length, docs.length, flexName);
      for (const d of docs) {
        metas.push(d);
        ntitle.push(normalize(d.title));
      }
      await nextTurn();
    }
    const [bigramPaths, vocabJson, groupJson] = await others;
    const bigrams = BigramFile.open(bigramPaths[0]);
    const titleBigrams = BigramFile.open(bigramPaths[1]);
    await nextTurn();
    const vocab = decodeVocab(vocabJson);
    await nextTurn();
    const groups = validGroups(JSON.parse(groupJson), metas.length, `${version.dir}/${DUPLICATES_FILE}`);
    const info = { docs: metas.length, builtAt: m.builtAt, formatVersion: m.formatVersion, dir: version.dir };
    const texts = new FileDocTexts(textFiles, options.textCache);
    const posts = metas.map((meta, d) => withBody(meta, texts, d));
    return new SearchEngine(
      posts,
      words.finish(),
      bigrams,
      titleBigrams,
      vocab,
      info,
      segmenter,
      synonyms,
      options.resultCache,
      texts,
      ntitle,
      groups,
      options.queryBudget,
    );
  }

  /** Build an in-memory engine from documents, with no files involved (for embedding apps). */
  static fromDocuments(
    docs: readonly DocumentInput[],
    options: {
      userDict?: string;
      segmenter?: SegmenterBackend;
      resultCache?: number;
      synonyms?: string | false;
      queryBudget?: number;
    } = {},
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
    const words = new FlexShards([{ flex: shard.flex, offset: 0, size: shard.posts.length }]);
    const synonyms = loadSynonyms(options.synonyms);
    const groups = groupDuplicates(shard.posts.map((p, i) => [p.url, shard.sigs[i]]));
    return new SearchEngine(
      shard.posts,
      words,
      shard.bigrams,
      shard.titleBigrams,
      vocab,
      info,
      segmenter,
      synonyms,
      options.resultCache,
      new MemoryDocTexts(
        shard.posts.map((p) => p.text),
        shard.ntexts,
      ),
      undefined,
      groups,
      options.queryBudget,
    );
  }

  /**
   * Load the segmenter's dictionary now. An engine from {@link open} otherwise loads it
   * with the first query that needs it (a Chinese run of 5+ characters); a server calls
   * this once it is listening, so that no user's query pays the load.
   */
  loadSegmenter(): void {
    void this.segmenter;
  }

  private get segmenter(): Segmenter {
    if (this.segmenterInstance === null) {
      this.segmenterInstance = this.loadSegmenterOnce!();
      this.loadSegmenterOnce = null;
    }
    return this.segmenterInstance;
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
    const collapse = options.collapse ?? true;
    if (typeof collapse !== 'boolean') throw new QueryError('collapse must be true or false', 'collapse');

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
      collapse,
    ]);
    const cached = this.results.get(key);
    if (cached) return { ...cached, hits: cached.hits.slice(), tookMs: msSince(started) };

    const { plan, matched, interpretedAs, interpretedBy, budget, suggestion } = this.runQuery(query, filters, { suggest: true });
    const finalPlan = plan;
    const finalMatched = matched;
    const page = collapse
      ? collapsedRanking(
          this.stories,
          (need) => rankDocs(this.table, finalMatched, finalPlan, sort, need),
          offset + limit,
          finalMatched.docs.length,
        )
      : rankDocs(this.table, matched, plan, sort, offset + limit);
    const inMatches = page.slice(offset, offset + limit).some((r) => this.stories.grouped(r.doc)) ? new Set(matched.docs) : null;
    // Snippet weights depend on the query only: computed once, not per hit.
    const weights = unitWeights(plan.highlight, this.table.size, (u) => this.unitDf(u));
    const hits = page.slice(offset, offset + limit).map(({ doc, score }) => this.hit(doc, score, plan, matched, inMatches, weights));
    const full = this.fullMatchDocs(plan, matched, budget);
    const result: SearchResult = {
      query,
      total: collapse ? this.stories.countStories(matched.docs) : matched.docs.length,
      offset,
      limit,
      tookMs: 0,
      hits,
      facets: facetCounts(this.table, matched.docs, collapse ? this.stories : undefined),
      suggestion,
      interpretedAs,
      interpretedBy,
      terms: plan.terms.map((t) => ({ text: t.text, required: t.required })),
      fullMatches: collapse ? this.stories.countStories(full) : full.length,
      truncated: matched.truncated || budget.exhausted,
    };
    this.results.set(key, deepFreeze(result));
    return { ...result, hits: hits.slice(), tookMs: msSince(started) };
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
    const { matched } = this.runQuery(query, this.filters(options), {
      synonyms: options.synonyms !== false,
      reinterpret: options.reinterpret !== false,
    });
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

  /**
   * The "did you mean" of `query` alone (null when none), without searching: the
   * correction {@link search} offers when the query finds few posts.
   */
  didYouMean(query: string): string | null {
    if (typeof query !== 'string' || query.length > MAX_QUERY_LENGTH) return null;
    return this.runQuery(query, this.filters({}), { reinterpret: false, suggest: true }).suggestion;
  }

  /** One document by id, or null. */
  get(id: string): Post | null {
    const d = this.byId.get(id);
    return d === undefined ? null : { ...this.table.posts[d] };
  }

  /**
   * Plan and match a query the one way search, export, matchIds and didYouMean share:
   * synonyms (unless turned off); a Latin-letter query that matched nothing read as
   * pinyin; a query that still matched nothing searched as its spelling correction, when
   * did-you-mean finds one (it only proposes sound- and look-alikes, never another name).
   * With `suggest`, a query left with few hits gets its did-you-mean. One cost budget
   * covers all of it.
   */
  private runQuery(
    query: string,
    filters: MatchFilters,
    how: { synonyms?: boolean; reinterpret?: boolean; suggest?: boolean } = {},
  ): QueryRun {
    const plan = (q: string): QueryPlan =>
      planQuery(parseQuery(q), () => this.segmenter, {
        synonyms: how.synonyms === false ? undefined : this.synonyms,
        rareRun: (run, parts) => rareRun(this.table, run, parts),
      });
    const first = plan(query);
    const budget = new Budget(this.queryBudget ?? budgetFor(first, QUERY_COST_BUDGET));
    const match = (p: QueryPlan): MatchResult =>
      p.groups.length === 0 ? { docs: [], units: new Map(), masks: null, truncated: false } : matchPlan(this.table, p, filters, budget);
    const matched = match(first);
    const asTyped: QueryRun = { plan: first, matched, interpretedAs: null, interpretedBy: null, budget, suggestion: null };
    const reinterpret = how.reinterpret !== false;
    if (reinterpret && matched.docs.length === 0 && !budget.exhausted) {
      const zh = pinyinQuery(query, this.suggester, (q) => this.corrections(filters).count(q) > 0);
      const zhPlan = zh ? plan(zh) : null;
      const zhMatched = zhPlan ? match(zhPlan) : null;
      if (zhPlan && zhMatched && zhMatched.docs.length > 0) {
        return { plan: zhPlan, matched: zhMatched, interpretedAs: zh, interpretedBy: 'pinyin', budget, suggestion: null };
      }
    }
    const wantsCorrection =
      (reinterpret && matched.docs.length === 0 && !budget.exhausted) || (how.suggest && matched.docs.length <= FEW_HITS);
    if (!wantsCorrection || first.highlight.length === 0) return asTyped;
    const fixed = didYouMean(query, first.highlight, matched.docs.length, this.suggester, this.corrections(filters));
    if (fixed && reinterpret && matched.docs.length === 0 && !budget.exhausted) {
      const fixedPlan = plan(fixed);
      const fixedMatched = match(fixedPlan);
      if (fixedMatched.docs.length > 0) {
        return { plan: fixedPlan, matched: fixedMatched, interpretedAs: fixed, interpretedBy: 'spelling', budget, suggestion: null };
      }
    }
    return { ...asTyped, suggestion: how.suggest ? fixed : null };
  }

  /**
   * The matches that contain every listed term (or a synonym of it). Terms that are OR
   * alternatives are looked up in the text, within the query's budget: past it the
   * count covers the documents checked so far.
   */
  private fullMatchDocs(plan: QueryPlan, matched: MatchResult, budget: Budget): number[] {
    if (plan.terms.every((t) => t.required)) return matched.docs;
    const out: number[] = [];
    for (const d of matched.docs) {
      if (budget.exhausted) break;
      if (plan.terms.every((t) => this.holds(plan, matched, d, t, budget))) out.push(d);
    }
    return out;
  }

  /**
   * True when matched document `d` holds term `t` (or a synonym): required terms always,
   * a term that is a group of its own by the match masks, an OR alternative by its text.
   */
  private holds(plan: QueryPlan, matched: MatchResult, d: number, t: PlanTerm, budget: Budget | null): boolean {
    if (t.required) return true;
    const g = plan.groups.findIndex(
      (grp, i) => plan.roles[i] !== 'required' && grp[0].units.length === 1 && grp[0].units[0].text === t.text,
    );
    if (g >= 0 && matched.masks) return (matched.masks[d] & (1 << g)) !== 0;
    return t.variants.some((u) => containsText(this.table, d, u, budget));
  }

  /** The vocabulary and match counts that "did you mean" draws on. */
  private corrections(filters: MatchFilters): CorrectionSource {
    const s = this.suggester;
    return {
      sounds: s.sounds,
      df: (w) => s.df(w),
      bigramDocs: (b) => (isBigram(b) ? this.bigrams.count(bigramKey(b)) : 0),
      latinWords: () => s.latinWords(),
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
    const exclude = new Set([d, ...this.stories.others(d)]);
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
  *exportRows(query: string, options: Omit<SearchOptions, 'limit'> = {}, max: number = MAX_EXPORT): IterableIterator<ExportRow> {
    const limit = intOption(max, 'limit', MAX_EXPORT, 1, MAX_EXPORT);
    const offset = intOption(options.offset, 'offset', 0, 0, 1_000_000);
    const collapse = options.collapse ?? true;
    const sort = options.sort ?? 'relevance';
    if (sort !== 'relevance' && sort !== 'date') throw new QueryError('sort must be "relevance" or "date"', 'sort');
    const { plan, matched } = this.runQuery(query, this.filters(options));
    if (plan.groups.length === 0) return;
    const need = offset + limit;
    const ranked = collapse
      ? collapsedRanking(this.stories, (k) => rankDocs(this.table, matched, plan, sort, k), need, matched.docs.length)
      : rankDocs(this.table, matched, plan, sort, need);
    const inMatches = new Set(matched.docs);
    let rank = offset;
    for (const { doc, score } of ranked.slice(offset, need)) {
      const p = this.table.posts[doc];
      yield {
        rank: ++rank,
        id: p.id,
        title: p.title,
        url: p.url,
        date: p.date,
        author: p.author,
        categories: [...p.categories],
        tags: [...p.tags],
        score: Math.round(score * 1000) / 1000,
        duplicates: this.stories.others(doc).filter((o) => inMatches.has(o)).length,
      };
    }
  }

  /** Ids of the other posts of `id`'s story (duplicates), or null for an unknown id. */
  duplicatesOf(id: string): string[] | null {
    const d = this.byId.get(id);
    return d === undefined ? null : this.stories.others(d).map((o) => this.table.posts[o].id);
  }

  /** Number of stories with more than one post. */
  get duplicateGroups(): number {
    return this.stories.count;
  }

  private hit(doc: number, score: number, plan: QueryPlan, found: MatchResult, inMatches: Set<number> | null, weights: number[]): Hit {
    const p = this.table.posts[doc];
    const units = plan.highlight;
    const matched: string[] = [];
    const missing: string[] = [];
    for (const t of plan.terms) (this.holds(plan, found, doc, t, null) ? matched : missing).push(t.text);
    const dupes = inMatches ? this.stories.others(doc).filter((d) => inMatches.has(d)) : [];
    return {
      id: p.id,
      title: p.title,
      url: p.url,
      date: p.date,
      author: p.author,
      categories: [...p.categories],
      tags: [...p.tags],
      score: Math.round(score * 1000) / 1000,
      snippet: makeSnippet(this.texts.display(doc), this.table.text(doc), units, SNIPPET_LENGTH, weights),
      titleHighlighted: highlightAll(p.title, this.table.ntitle[doc], units),
      duplicates: dupes.length,
      duplicateIds: dupes.map((d) => this.table.posts[d].id),
      matched,
      missing,
    };
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

/**
 * The ranking with one document per story, at least `need` long unless the matches run
 * out: ranks more of the matches until enough distinct stories are found.
 */
function collapsedRanking(stories: StoryGroups, rank: (need: number) => Ranked[], need: number, matches: number): Ranked[] {
  let want = need;
  for (;;) {
    const ranked = rank(want);
    const shown = stories.collapse(ranked);
    if (shown.length >= need || ranked.length >= matches || want >= matches) return shown;
    want = Math.min(matches, want * 4);
  }
}

/** Freeze a result and everything in it (cached results are shared between callers). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A post whose body is read from `texts` when asked for (an opened index keeps bodies on disk). */
function withBody(meta: PostMeta, texts: DocTexts, d: number): Post {
  return Object.defineProperty({ ...meta }, 'text', { get: () => String(texts.display(d)), enumerable: true }) as Post;
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

/** Milliseconds since `started` (a process.hrtime.bigint() reading), to 0.01 ms: what `tookMs` reports. */
export function msSince(started: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
}
