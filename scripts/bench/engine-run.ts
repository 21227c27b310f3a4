import { getSegmenter, SearchEngine, type Post } from '../../src';
import { MatchTally, mrrAt10, rates } from '../lib/metrics';
import { DEFAULT_SIZES, GroundTruth, makeQuerySet, type EvalQuery, type KnownItem } from '../lib/queryset';
import { quantile } from '../lib/stats';
import { readCorpus } from './corpus';
import { ENGINE_LABELS, type BuildResult, type EngineName, type QueryResult } from './protocol';
import type { ChildResult } from './run-child';
import { log, SEED } from './settings';
import { fmtMs, mb } from './format';

/** The figures of one engine's query phase, scored against the ground truth. */
export interface Metrics {
  /** Micro-averaged over all (query, document) pairs. */
  recall: number;
  precision: number;
  /** Mean of the per-query recalls (each query counts once, however many documents it matches). */
  macroRecall: number;
  /** Queries with a missed or a wrong document. */
  imperfectQueries: number;
  mrr10: number;
  byKind: Record<string, { queries: number; recall: number; precision: number }>;
  latencyMs: { p50: number; p95: number; p99: number; mean: number };
}

/** One engine's build and query phases: what each produced, or the error that stopped it. */
export interface EngineRun {
  engine: EngineName;
  label: string;
  build: BuildResult | null;
  query: Omit<QueryResult, 'matched' | 'knownTop' | 'latencyMs'> | null;
  metrics: Metrics | null;
  error: string | null;
}

/** The query set the engines answer, with the expected ids of each query. */
export interface QuerySetData {
  docs: number;
  queries: EvalQuery[];
  knownItems: KnownItem[];
  expected: Array<Set<string>>;
}

/**
 * The eval query set and its ground truth over the benchmarked documents: zhsearch's
 * own documents when its build worked, else the same parser run here.
 */
export async function querySet(indexDir: string | null, corpusDir: string, knownItems: number): Promise<QuerySetData> {
  let posts: Post[];
  if (indexDir) {
    const t0 = Date.now();
    const engine = await SearchEngine.open(indexDir);
    posts = [...engine.documents()];
    log(`query set: documents from SearchEngine.open in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    log('zhsearch build failed: parsing the corpus here for the query set');
    posts = (await readCorpus(corpusDir)).posts;
  }
  const qs = makeQuerySet(posts, getSegmenter(), SEED, { ...DEFAULT_SIZES, knownItems });
  const truth = new GroundTruth(posts);
  return { docs: posts.length, queries: qs.queries, knownItems: qs.knownItems, expected: qs.queries.map((q) => truth.ids(q.words)) };
}

/** A run started from its build result. */
export function newRun(engine: EngineName, b: ChildResult<BuildResult>): EngineRun {
  return {
    engine,
    label: ENGINE_LABELS[engine],
    build: b.ok ? b.result : null,
    query: null,
    metrics: null,
    error: b.ok ? null : `build: ${b.error}`,
  };
}

/** Score the query phase `q` of `run` against the query set (recall, precision, MRR@10, latency). */
export function finishRun(run: EngineRun, q: ChildResult<QueryResult>, qs: QuerySetData): void {
  if (!q.ok) {
    run.error = `query: ${q.error}`;
    log(`${run.label}: query error: ${q.error}`);
    return;
  }
  const { matched, knownTop, latencyMs, ...rest } = q.result;
  run.query = rest;
  if (matched.length !== qs.queries.length || knownTop.length !== qs.knownItems.length) {
    run.error = 'query: the child answered a different number of queries';
    return;
  }
  const tally = new MatchTally();
  qs.queries.forEach((query, i) => tally.add(query.kind, qs.expected[i], new Set(matched[i])));
  const all = rates(tally.all);
  run.metrics = {
    recall: all.recall,
    precision: all.precision,
    macroRecall: tally.macroRecall(),
    imperfectQueries: tally.imperfect,
    mrr10: mrrAt10(qs.knownItems, (_item, i) => knownTop[i]),
    byKind: Object.fromEntries([...tally.byKind.entries()].map(([k, c]) => [k, rates(c)])),
    latencyMs: {
      p50: quantile(latencyMs, 0.5),
      p95: quantile(latencyMs, 0.95),
      p99: quantile(latencyMs, 0.99),
      mean: latencyMs.reduce((a, b) => a + b, 0) / Math.max(1, latencyMs.length),
    },
  };
  log(
    `${run.label}: cold start ${(rest.coldStartMs / 1000).toFixed(2)} s (${(rest.coldStartSamplesMs ?? [rest.coldStartMs]).map((x) => (x / 1000).toFixed(2)).join(', ')}), recall ${run.metrics.recall.toFixed(4)}, p50 ${fmtMs(run.metrics.latencyMs.p50)} ms`,
  );
}

/** Log what a build produced, or its error. */
export function logBuild(engine: EngineName, b: ChildResult<BuildResult>): void {
  if (b.ok)
    log(
      `${ENGINE_LABELS[engine]}: built ${b.result.docs} documents in ${(b.result.ms / 1000).toFixed(1)} s, ${mb(b.result.bytes)} MB, peak RSS ${mb(b.result.maxRssKB * 1024)} MB`,
    );
  else log(`${ENGINE_LABELS[engine]}: build error: ${b.error}`);
}
