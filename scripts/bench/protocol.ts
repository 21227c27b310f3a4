/**
 * What the benchmark parent (scripts/bench/main.ts) and its child processes
 * (scripts/bench/<engine>.ts, http.ts) exchange.
 *
 * A child is started as `node dist/scripts/bench/<name>.js <mode> <resultFile> …args`.
 * It writes one {@link ChildOutput} as JSON to `resultFile` and exits (0 on success).
 * The parent passes the spawn time in BENCH_SPAWN_MS so a child can measure its cold
 * start from the moment it was started, and the query set as a {@link QueryFile}.
 */

export const ENGINES = ['zhsearch', 'zhsearch-rs', 'fts5-jieba', 'fts5-trigram', 'minisearch'] as const;
export type EngineName = (typeof ENGINES)[number];

export const ENGINE_LABELS: Record<EngineName, string> = {
  zhsearch: 'zhsearch',
  'zhsearch-rs': 'zhsearch @node-rs/jieba',
  'fts5-jieba': 'FTS5 jieba',
  'fts5-trigram': 'FTS5 trigram+LIKE',
  minisearch: 'MiniSearch jieba',
};

/** Environment variable holding the parent's Date.now() just before it spawned the child. */
export const SPAWN_ENV = 'BENCH_SPAWN_MS';

/** One query: normalized words, all required (AND). */
export interface BenchQuery {
  words: string[];
}

/**
 * Known items that also join the timed passes and the HTTP load: the first 100 (the same
 * draws whatever --known-items is), so latency and requests/s keep one query mix while
 * MRR@10 is measured over as many items as asked for.
 */
export const TIMED_KNOWN_ITEMS = 100;

/** The query set handed to every engine's query process. */
export interface QueryFile {
  /** Recall/precision queries (every matching id is asked for), then latency. */
  queries: BenchQuery[];
  /** Known-item queries: top 10 is asked for (MRR@10); the first {@link TIMED_KNOWN_ITEMS} are timed too. */
  knownItems: BenchQuery[];
  /** Timed repetitions of each query after the warm-up pass. */
  runs: number;
  /** Answer the first query and stop: a further cold-start sample (the rest of the result is empty). */
  coldOnly?: boolean;
  /** Raw query strings timed by engines that take them (zhsearch): questions and pathological queries. */
  freeText?: { questions: string[]; pathological: string[] };
}

/** A build process's report. */
export interface BuildResult {
  docs: number;
  /** Wall time of the build: corpus folder to index on disk. */
  ms: number;
  /** Part of `ms` spent reading and parsing the posts (null: not separable). */
  parseMs: number | null;
  /** Bytes of every file under the index folder. */
  bytes: number;
  /** process.resourceUsage().maxRSS at the end of the build, KB (includes worker threads). */
  maxRssKB: number;
  /** Files the build could not index. */
  skipped: number;
}

/** A query process's report. */
export interface QueryResult {
  /** From the parent's spawn to the first answered query (top 10); the parent puts the median of its samples here. */
  coldStartMs: number;
  /** Set by the parent: every cold-start sample (this process's first, then fresh cold-only processes). */
  coldStartSamplesMs?: number[];
  /** Time spent opening / loading the index inside the process. */
  loadMs: number;
  /** process.memoryUsage().rss after loading and answering the first query, KB. */
  rssAfterLoadKB: number;
  /** RSS after all queries, KB. */
  rssEndKB: number;
  maxRssKB: number;
  /** For each of QueryFile.queries, every matching id. */
  matched: string[][];
  /** For each of QueryFile.knownItems, the top-10 ids. */
  knownTop: string[][];
  /** Per query (queries then known items), the median of `runs` timed top-10 searches, ms. */
  latencyMs: number[];
  /** What one "top-10" answer included, for the footnotes. */
  answer: string;
  /** Per QueryFile.freeText query, the median of `runs` timed searches, ms (engines that take raw queries). */
  freeTextMs?: { questions: number[]; pathological: number[] };
}

/** One autocannon run. */
export interface LoadResult {
  path: string;
  durationS: number;
  connections: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Bytes the client received, headers included. */
  bytesRead: number;
  /** The server's CPU use during the load, in cores (1 = one core all the time; NaN without /proc). */
  serverCpu: number;
}

/** The load generator: wrk when installed, else autocannon. */
export type HttpClient = 'wrk' | 'autocannon';

/** The HTTP child's report. */
export interface HttpResult {
  client: HttpClient;
  healthz: LoadResult;
  /** With `Accept-Encoding: gzip, deflate`, as browsers, fetch, curl --compressed and requests send it. */
  search: LoadResult;
  /** Without Accept-Encoding (as autocannon, wrk and plain curl): every answer uncompressed. */
  searchIdentity: LoadResult;
  /** Distinct search paths rotated through. */
  searchPaths: number;
  warmupMs: number;
}

export type ChildOutput<T> = { ok: true; result: T } | { ok: false; error: string };
