import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, arch, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getSegmenter, SearchEngine, type Post } from '../src';
import { readCorpus } from './bench/corpus';
import { prepareCorpus } from './bench/prepare';
import { serveColdStartMs } from './bench/serve-cold';
import { writeDocsBlock } from './bench/write-docs';
import { PATHOLOGICAL, QUESTIONS } from './bench/free-text';
import {
  ENGINE_LABELS,
  ENGINES,
  SPAWN_ENV,
  TIMED_KNOWN_ITEMS,
  type BuildResult,
  type ChildOutput,
  type EngineName,
  type HttpResult,
  type QueryFile,
  type QueryResult,
} from './bench/protocol';
import { fail, intArg, parseOrExit } from './lib/cli';
import { DEFAULT_SIZES, GroundTruth, knownItemRank, makeQuerySet, type EvalQuery, type KnownItem } from './lib/queryset';
import { processRssMB } from './lib/proc';
import { median, quantile, table } from './lib/stats';

/** `zhsearch serve` cold starts (COLD_START_SAMPLES spawns), or why they could not be measured. */
async function serveColdStart(indexDir: string, query: string, timeoutMs: number): Promise<number[] | string> {
  const samples: number[] = [];
  try {
    for (let i = 0; i < COLD_START_SAMPLES; i++) samples.push(await serveColdStartMs(indexDir, query, timeoutMs));
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
  return samples;
}

/** Spawns per engine whose median is the cold start. */
const COLD_START_SAMPLES = 3;

/** Known items drawn for MRR@10 (eval draws DEFAULT_SIZES.knownItems; the first 100 are the same). */
const BENCH_KNOWN_ITEMS = 1000;

const USAGE = `usage: npm run bench -- --corpus DIR [--scale N] [--runs N] [--others LIST] [--json] [--quick] [--timeout-min N]

Benchmarks zhsearch against three baselines (SQLite FTS5 over jieba words, SQLite FTS5
trigram + LIKE, MiniSearch over jieba words) on the query set and ground truth of
\`npm run eval\` (seed 42). Every engine builds and answers in its own child process;
zhsearch is also load-tested over HTTP (wrk, or autocannon where wrk is not installed;
127.0.0.1, 10 connections).

  --corpus DIR    folder of posts (required)
  --scale N       replicate the corpus N times (perturbed copies), default 1
  --runs N        timed repetitions per query after a warm-up pass, default 3 (1 with --quick)
  --others LIST   engines to run besides zhsearch, comma-separated, or none (default: all of
                  ${ENGINES.filter((e) => e !== 'zhsearch').join(', ')}); e.g. --others none for growth runs
  --quick         CI variant: first 500 posts, --runs 1, 3 s HTTP runs, 3 min per child
  --known-items N known-item queries for MRR@10, default ${BENCH_KNOWN_ITEMS} (100 leave about ±0.01 of
                  sampling noise, as large as the gaps between engines); the first ${TIMED_KNOWN_ITEMS}
                  also join the latency passes and the HTTP load
  --timeout-min N hard limit per child process in minutes (default 10, 3 with --quick)
  --write-docs    also write the output into docs/benchmarks.md (between its bench-output markers)
  --json          full results as JSON on stdout (the table goes to stderr; use npm run --silent
                  so that npm's own banner stays off stdout)

Exits non-zero only when a child process crashes or times out, never on the numbers.`;

const SEED = 42;

/** The engines of --others (all baselines when absent); exits 2 naming an unknown one. */
function parseOthers(value: string | undefined): EngineName[] {
  const all = ENGINES.filter((e) => e !== 'zhsearch');
  if (value === undefined) return all;
  if (value === 'none') return [];
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(all as readonly string[]).includes(n))
      fail(`--others: unknown engine ${JSON.stringify(n)} (known: ${all.join(', ')}, or none)`, 2);
  }
  return all.filter((e) => names.includes(e));
}
const QUICK_POSTS = 500;
const CAVEAT = 'medians; compare ratios within one run';

interface Metrics {
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

interface EngineRun {
  engine: EngineName;
  label: string;
  build: BuildResult | null;
  query: Omit<QueryResult, 'matched' | 'knownTop' | 'latencyMs'> | null;
  metrics: Metrics | null;
  error: string | null;
}

type ChildResult<T> = { ok: true; result: T } | { ok: false; error: string };

const running = new Set<ChildProcess>();
let tmp: string | null = null;

function killAll(): void {
  for (const c of running) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

function cleanup(): void {
  killAll();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}

const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          scale: { type: 'string', default: '1' },
          runs: { type: 'string' },
          quick: { type: 'boolean', default: false },
          'timeout-min': { type: 'string' },
          others: { type: 'string' },
          'known-items': { type: 'string', default: String(BENCH_KNOWN_ITEMS) },
          json: { type: 'boolean', default: false },
          'write-docs': { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
        allowPositionals: false,
      }),
    USAGE,
  );
  if (!values.corpus) fail('give --corpus DIR\n\n' + USAGE, 2);
  const quick = values.quick;
  const scale = intArg(values.scale, '--scale', 1, 8);
  const runs = intArg(values.runs, '--runs', 1, 100, 2, quick ? 1 : 3);
  const timeoutMin = values['timeout-min'] === undefined ? (quick ? 3 : 10) : Number(values['timeout-min']);
  if (!(timeoutMin > 0)) fail('--timeout-min must be a positive number', 2);
  const timeoutMs = timeoutMin * 60_000;
  const others = parseOthers(values.others);
  const knownItems = intArg(values['known-items'], '--known-items', 0, 10_000);
  const httpSeconds = quick ? 3 : 10;
  const corpus = resolve(values.corpus);
  const stream = values.json ? process.stderr : process.stdout;
  // What is printed is also kept, for --write-docs.
  const printed: string[] = [];
  const out = { write: (text: string): void => void (printed.push(text), stream.write(text)) };

  const machine = {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    totalMemGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${platform()} ${arch()}`,
  };
  out.write(
    `zhsearch bench: ${machine.cores} cores (${machine.cpu}), ${machine.totalMemGiB} GiB RAM, node ${machine.node}, ${machine.platform} — ${CAVEAT}\n`,
  );

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping children and removing temporary files`);
      cleanup();
      process.exit(130);
    });
  }
  process.on('exit', killAll);

  const started = Date.now();
  tmp = mkdtempSync(join(tmpdir(), 'zhsearch-bench-'));
  const dir = tmp;
  let failed = false;
  try {
    const prepared = await prepareCorpus(corpus, dir, { limit: quick ? QUICK_POSTS : null, scale });
    log(
      `corpus ${prepared.dir === corpus ? corpus : `${prepared.dir} (from ${corpus}${quick ? `, first ${QUICK_POSTS} posts` : ''}${scale > 1 ? `, ×${scale}` : ''})`}: ${prepared.files} files`,
    );

    const child = <T>(name: string, mode: string, args: string[]): Promise<ChildResult<T>> => runChild<T>(dir, name, mode, args, timeoutMs);
    const runs_: EngineRun[] = [];

    // 1. zhsearch build; its documents define the query set and the ground truth.
    const zIndex = join(dir, 'index-zhsearch');
    log('zhsearch: build …');
    const zBuild = await child<BuildResult>('zhsearch', 'build', [prepared.dir, zIndex]);
    logBuild('zhsearch', zBuild);

    const q0 = Date.now();
    const qs = await querySet(zBuild.ok ? zIndex : null, prepared.dir, knownItems);
    const queryFile: QueryFile = {
      queries: qs.queries.map((q) => ({ words: q.words })),
      knownItems: qs.knownItems.map((k) => ({ words: k.words })),
      runs,
      freeText: { questions: [...QUESTIONS], pathological: PATHOLOGICAL.map((p) => p.q) },
    };
    const queriesPath = join(dir, 'queries.json');
    writeFileSync(queriesPath, JSON.stringify(queryFile));
    // Further cold-start samples: a fresh process that answers the same first query and stops.
    const coldPath = join(dir, 'queries-cold.json');
    writeFileSync(
      coldPath,
      JSON.stringify({ queries: queryFile.queries.slice(0, 1), knownItems: [], runs: 0, coldOnly: true } satisfies QueryFile),
    );
    /** The query phase of one engine, then its cold start as the median of COLD_START_SAMPLES spawns. */
    const queryRun = async (engine: EngineName, index: string): Promise<ChildResult<QueryResult>> => {
      const q = await child<QueryResult>(engine, 'query', [index, queriesPath]);
      if (!q.ok) return q;
      const samples = [q.result.coldStartMs];
      for (let i = 1; i < COLD_START_SAMPLES; i++) {
        const c = await child<QueryResult>(engine, 'query', [index, coldPath]);
        if (!c.ok) return { ok: false, error: `cold-start sample: ${c.error}` };
        samples.push(c.result.coldStartMs);
      }
      return { ok: true, result: { ...q.result, coldStartMs: median(samples), coldStartSamplesMs: samples } };
    };
    log(
      `query set: ${qs.queries.length} queries + ${qs.knownItems.length} known items over ${qs.docs} documents (seed ${SEED}, ${((Date.now() - q0) / 1000).toFixed(1)} s)`,
    );

    // 2. zhsearch queries in a fresh process, then HTTP.
    let http: HttpOutcome | null = null;
    let serveCold: number[] | string = 'not measured';
    {
      const run = newRun('zhsearch', zBuild);
      if (zBuild.ok) {
        log('zhsearch: query …');
        finishRun(run, await queryRun('zhsearch', zIndex), qs);
        log('zhsearch: HTTP …');
        http = await httpBench(dir, zIndex, queriesPath, httpSeconds, timeoutMs);
        if (http.error) log(`zhsearch HTTP: error: ${http.error}`);
        log('zhsearch serve: cold start …');
        serveCold = await serveColdStart(zIndex, qs.queries[0]?.words.join(' ') ?? '中国', timeoutMs);
      }
      runs_.push(run);
    }
    rmSync(zIndex, { recursive: true, force: true });

    // 3. Baselines, one at a time.
    for (const engine of others) {
      const idx = join(dir, `index-${engine}`);
      log(`${ENGINE_LABELS[engine]}: build …`);
      const b = await child<BuildResult>(engine, 'build', [prepared.dir, idx]);
      logBuild(engine, b);
      const run = newRun(engine, b);
      if (b.ok) {
        log(`${ENGINE_LABELS[engine]}: query …`);
        finishRun(run, await queryRun(engine, idx), qs);
      }
      runs_.push(run);
      rmSync(idx, { recursive: true, force: true });
    }

    failed = runs_.some((r) => r.error !== null) || (http !== null && http.error !== null);
    const report = render(runs_, http, { corpus, scale, quick, runs, docs: qs.docs, qs, httpSeconds });
    out.write(report.text + '\n');
    out.write(
      typeof serveCold === 'string'
        ? `zhsearch serve cold start: ${serveCold}\n`
        : `zhsearch serve cold start (\`zhsearch serve --index DIR\`: process start to the first answered /api/search, compiled, median of ${serveCold.length}): ${(median(serveCold) / 1000).toFixed(2)} s (${serveCold.map((x) => (x / 1000).toFixed(2)).join(', ')})\n`,
    );
    const totalS = (Date.now() - started) / 1000;
    out.write(`total ${totalS.toFixed(0)} s\n`);
    if (values.json) {
      process.stdout.write(
        JSON.stringify(
          {
            machine: { ...machine, caveat: CAVEAT },
            options: { corpus, scale, quick, runs, seed: SEED, timeoutMin, httpSeconds },
            corpus: { dir: corpus, files: prepared.files, docs: qs.docs },
            querySet: { queries: qs.queries.length, knownItems: qs.knownItems.length, byKind: countKinds(qs.queries) },
            engines: runs_,
            http,
            serveColdStartMs: serveCold,
            ratios: report.ratios,
            totalSeconds: Math.round(totalS),
          },
          null,
          2,
        ) + '\n',
      );
    }
    if (values['write-docs']) {
      const argv = process.argv.slice(2).filter((a) => a !== '--write-docs' && a !== '--json');
      const file = writeDocsBlock(`npm run bench -- ${argv.join(' ')}`, printed.join(''));
      log(`wrote the output into ${file}`);
    }
  } finally {
    cleanup();
  }
  if (failed) {
    process.stderr.write('bench: a child process crashed or timed out (see the error rows)\n');
    process.exitCode = 1;
  }
}

interface Qs {
  docs: number;
  queries: EvalQuery[];
  knownItems: KnownItem[];
  expected: Array<Set<string>>;
}

/**
 * The eval query set and its ground truth over the benchmarked documents: zhsearch's
 * own documents when its build worked, else the same parser run here.
 */
async function querySet(indexDir: string | null, corpusDir: string, knownItems: number): Promise<Qs> {
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

function newRun(engine: EngineName, b: ChildResult<BuildResult>): EngineRun {
  return {
    engine,
    label: ENGINE_LABELS[engine],
    build: b.ok ? b.result : null,
    query: null,
    metrics: null,
    error: b.ok ? null : `build: ${b.error}`,
  };
}

function finishRun(run: EngineRun, q: ChildResult<QueryResult>, qs: Qs): void {
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
  let tp = 0;
  let found = 0;
  let relevant = 0;
  let macro = 0;
  let imperfect = 0;
  const kinds = new Map<string, { n: number; tp: number; found: number; relevant: number }>();
  qs.queries.forEach((query, i) => {
    const expected = qs.expected[i];
    const got = new Set(matched[i]);
    let hit = 0;
    for (const id of got) if (expected.has(id)) hit++;
    tp += hit;
    found += got.size;
    relevant += expected.size;
    macro += expected.size > 0 ? hit / expected.size : 1;
    if (hit < expected.size || hit < got.size) imperfect++;
    const k = kinds.get(query.kind) ?? { n: 0, tp: 0, found: 0, relevant: 0 };
    k.n++;
    k.tp += hit;
    k.found += got.size;
    k.relevant += expected.size;
    kinds.set(query.kind, k);
  });
  let rr = 0;
  qs.knownItems.forEach((k, i) => {
    const rank = knownItemRank(knownTop[i].slice(0, 10), k);
    if (rank >= 0) rr += 1 / (rank + 1);
  });
  run.metrics = {
    recall: relevant > 0 ? tp / relevant : 1,
    precision: found > 0 ? tp / found : 1,
    macroRecall: qs.queries.length > 0 ? macro / qs.queries.length : 1,
    imperfectQueries: imperfect,
    mrr10: qs.knownItems.length > 0 ? rr / qs.knownItems.length : 0,
    byKind: Object.fromEntries(
      [...kinds.entries()].map(([k, v]) => [
        k,
        { queries: v.n, recall: v.relevant ? v.tp / v.relevant : 1, precision: v.found ? v.tp / v.found : 1 },
      ]),
    ),
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

function logBuild(engine: EngineName, b: ChildResult<BuildResult>): void {
  if (b.ok)
    log(
      `${ENGINE_LABELS[engine]}: built ${b.result.docs} documents in ${(b.result.ms / 1000).toFixed(1)} s, ${mb(b.result.bytes)} MB, peak RSS ${mb(b.result.maxRssKB * 1024)} MB`,
    );
  else log(`${ENGINE_LABELS[engine]}: build error: ${b.error}`);
}

/** Start a benchmark child and wait for its result file; a hard time limit kills it. */
function runChild<T>(dir: string, name: string, mode: string, args: string[], timeoutMs: number): Promise<ChildResult<T>> {
  const resultFile = join(dir, `${name}-${mode}.result.json`);
  const script = join(__dirname, 'bench', `${name}.js`);
  return new Promise((resolvePromise) => {
    let settled = false;
    const settle = (r: ChildResult<T>): void => {
      if (!settled) {
        settled = true;
        resolvePromise(r);
      }
    };
    const t0 = Date.now();
    const proc = spawn(process.execPath, [script, mode, resultFile, ...args], {
      stdio: ['ignore', 2, 2], // a child's output goes to our stderr: stdout stays clean for --json
      env: { ...process.env, [SPAWN_ENV]: String(t0) },
    });
    running.add(proc);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.on('error', (err) => {
      clearTimeout(timer);
      running.delete(proc);
      settle({ ok: false, error: `cannot start ${script}: ${err.message}` });
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(proc);
      if (timedOut) return settle({ ok: false, error: `timed out after ${timeoutMs / 60_000} min (killed)` });
      let output: ChildOutput<T> | null = null;
      try {
        output = JSON.parse(readFileSync(resultFile, 'utf8')) as ChildOutput<T>;
        rmSync(resultFile, { force: true });
      } catch {
        output = null;
      }
      if (code === 0 && output?.ok) settle({ ok: true, result: output.result });
      else if (output && !output.ok) settle({ ok: false, error: output.error });
      else settle({ ok: false, error: signal ? `killed by ${signal}` : `exited with code ${code} and no result` });
    });
  });
}

/** What {@link httpBench} measured: the load result (or why not), log lines, the server's RSS in MB. */
interface HttpOutcome {
  result: HttpResult | null;
  error: string | null;
  requestsLogged: number;
  /** When it started listening (index loaded) and after the load test; NaN without /proc. */
  rss: { listening: number; after: number };
}

/** Start the real server on the zhsearch index, load it with the HTTP child, stop it. */
async function httpBench(dir: string, indexDir: string, queriesPath: string, seconds: number, timeoutMs: number): Promise<HttpOutcome> {
  let requestsLogged = 0;
  const server = spawn(process.execPath, [join(__dirname, 'serve.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      INDEX_DIR: indexDir,
      PORT: '0',
      HOST: '127.0.0.1',
      RATE_LIMIT: '0',
      LOG_LEVEL: 'info', // the "listening" line is logged at info; so is every request
      ADMIN_TOKEN: '',
      CORS_ORIGINS: '',
    },
  });
  running.add(server);
  server.stderr.pipe(process.stderr, { end: false });
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`server not listening after ${timeoutMs / 60_000} min`)), timeoutMs);
      let pending = '';
      let listening = false;
      // The server's stdout is always drained (a full pipe would block its logging);
      // before "listening" it is parsed as JSON lines, afterwards lines are only counted.
      server.stdout.on('data', (chunk: Buffer) => {
        if (listening) {
          for (const b of chunk) if (b === 10) requestsLogged++;
          return;
        }
        pending += chunk.toString('utf8');
        let nl: number;
        while (!listening && (nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          let entry: { msg?: string; url?: string } | null = null;
          try {
            entry = JSON.parse(line) as { msg?: string; url?: string };
          } catch {
            continue;
          }
          if (entry?.msg === 'listening' && typeof entry.url === 'string') {
            listening = true;
            clearTimeout(timer);
            for (const c of pending) if (c === '\n') requestsLogged++;
            resolveUrl(entry.url);
          }
        }
      });
      server.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited before listening (${signal ?? `code ${code}`})`));
      });
    });
    log(`server listening at ${url}`);
    // The server has loaded the index when it listens (jieba's dictionary comes after its first answer).
    const rss = { listening: processRssMB(server.pid!), after: NaN };
    const r = await runChild<HttpResult>(dir, 'http', 'run', [url, queriesPath, String(seconds), String(server.pid)], timeoutMs);
    if (server.exitCode !== null || server.signalCode !== null)
      return { result: null, error: 'server died during the load test', requestsLogged, rss };
    rss.after = processRssMB(server.pid!);
    return r.ok ? { result: r.result, error: null, requestsLogged, rss } : { result: null, error: r.error, requestsLogged, rss };
  } catch (err) {
    return { result: null, error: (err as Error).message, requestsLogged, rss: { listening: NaN, after: NaN } };
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(server);
  }
}

interface RenderContext {
  corpus: string;
  scale: number;
  quick: boolean;
  runs: number;
  docs: number;
  qs: Qs;
  httpSeconds: number;
}

interface Ratio {
  baseline: EngineName;
  metric: string;
  /** baseline / zhsearch: above 1, zhsearch is faster / smaller / uses less. */
  factor: number | null;
  text: string;
}

/** Latency of the free-text questions (p50/p95) and the slowest pathological query. */
function freeTextLine(label: string, ms: { questions: number[]; pathological: number[] }): string {
  const q = ms.questions;
  let worst = -1;
  ms.pathological.forEach((t, i) => {
    if (worst < 0 || t > ms.pathological[worst]) worst = i;
  });
  const w =
    worst >= 0
      ? `; slowest pathological query (of ${ms.pathological.length}): ${PATHOLOGICAL[worst].label} ${fmtMs(ms.pathological[worst])} ms`
      : '';
  return `${label}: ${q.length} questions and free-text queries p50 ${fmtMs(median(q))} / p95 ${fmtMs(quantile(q, 0.95))} ms${w}`;
}

function render(runs: EngineRun[], http: HttpOutcome | null, ctx: RenderContext): { text: string; ratios: Ratio[] } {
  const lines: string[] = [];
  const kinds = countKinds(ctx.qs.queries);
  lines.push(
    `corpus ${ctx.corpus}${ctx.quick ? ` (first ${QUICK_POSTS} posts)` : ''}${ctx.scale > 1 ? ` ×${ctx.scale}` : ''}: ${ctx.docs} documents; ` +
      `${ctx.qs.queries.length} queries (${Object.entries(kinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(
          ', ',
        )}) + ${ctx.qs.knownItems.length} known items, seed ${SEED}; latency: median of ${ctx.runs} run(s) per query after a warm-up pass ` +
      `over the queries and the first ${Math.min(TIMED_KNOWN_ITEMS, ctx.qs.knownItems.length)} known items`,
  );
  lines.push('');
  const header = [
    'engine',
    'build s',
    'build RSS MB',
    'index MB',
    'cold start s',
    'RSS MB',
    'recall',
    'precision',
    'MRR@10',
    'p50 ms',
    'p95 ms',
    'p99 ms',
  ];
  const rows = runs.map((r) => {
    if (r.error && !r.build && !r.query) return [r.label, 'ERROR (below)', ...header.slice(2).map(() => '')];
    const b = r.build;
    const q = r.query;
    const m = r.metrics;
    return [
      r.label,
      b ? `${(b.ms / 1000).toFixed(1)}${b.parseMs !== null ? ` (${(b.parseMs / 1000).toFixed(1)})` : ''}` : '-',
      b ? mb(b.maxRssKB * 1024) : '-',
      b ? mb(b.bytes) : '-',
      q ? (q.coldStartMs / 1000).toFixed(2) : r.error ? 'ERROR (below)' : '-',
      q ? mb(q.rssAfterLoadKB * 1024) : '-',
      m ? m.recall.toFixed(4) : '-',
      m ? m.precision.toFixed(4) : '-',
      m ? m.mrr10.toFixed(3) : '-',
      m ? fmtMs(m.latencyMs.p50) : '-',
      m ? fmtMs(m.latencyMs.p95) : '-',
      m ? fmtMs(m.latencyMs.p99) : '-',
    ];
  });
  lines.push(table(header, rows));
  for (const r of runs) if (r.error) lines.push(`ERROR ${r.label}: ${r.error}`);
  for (const r of runs) if (r.query?.freeTextMs) lines.push(freeTextLine(r.label, r.query.freeTextMs));
  const scored = runs.filter((r) => r.metrics);
  if (scored.length > 0)
    lines.push(
      `queries not answered exactly (a missed or a wrong document), and recall averaged per query: ${scored
        .map((r) => `${r.label} ${r.metrics!.imperfectQueries}/${ctx.qs.queries.length}, ${r.metrics!.macroRecall.toFixed(4)}`)
        .join('; ')}`,
    );
  lines.push(
    'build s: corpus folder → index on disk, including reading and parsing the HTML (in parentheses: parsing, for the',
    '  single-threaded baselines; zhsearch parses in its build workers). build RSS: peak RSS of the build process.',
    `cold start: from spawning a fresh process to its first answered query, median of ${COLD_START_SAMPLES} spawns. RSS: after loading and the first query`,
    "  (zhsearch: and after loading jieba's dictionary, which it defers past the first answer as the server does, with",
    "  the server's heap setting HEAP_GROWING_PERCENT=20;",
    '  SQLite reads its file on demand through the OS page cache). recall/precision: micro-averaged against substring',
    '  ground truth (GroundTruth.ids). latency: in-process, one top-10 answer per query:',
  );
  for (const r of runs) if (r.query) lines.push(`    ${r.label}: ${r.query.answer}`);
  if (ctx.scale > 1)
    lines.push(`MRR@10 with --scale ${ctx.scale}: only the post picked as target counts, its near-identical copies compete with it.`);

  const ratios: Ratio[] = [];
  const z = runs.find((r) => r.engine === 'zhsearch');
  if (z?.metrics && z.build && z.query) {
    lines.push('');
    lines.push('zhsearch compared with each baseline (same run):');
    for (const r of runs) {
      if (r.engine === 'zhsearch' || r.engine === 'zhsearch-rs') continue;
      if (!r.metrics || !r.build || !r.query) {
        lines.push(`  vs ${r.label}: no numbers (${r.error ?? 'missing'})`);
        continue;
      }
      const items: Ratio[] = [
        ratio(r, 'p50', z.metrics.latencyMs.p50, r.metrics.latencyMs.p50, ['faster', 'slower']),
        ratio(r, 'p95', z.metrics.latencyMs.p95, r.metrics.latencyMs.p95, ['faster', 'slower']),
        ratio(r, 'build', z.build.ms, r.build.ms, ['faster', 'slower']),
        ratio(r, 'index', z.build.bytes, r.build.bytes, ['smaller', 'larger']),
        ratio(r, 'RSS after load', z.query.rssAfterLoadKB, r.query.rssAfterLoadKB, ['less', 'more']),
        ratio(r, 'build peak RSS', z.build.maxRssKB, r.build.maxRssKB, ['less', 'more']),
        ratio(r, 'cold start', z.query.coldStartMs, r.query.coldStartMs, ['faster', 'slower']),
      ];
      ratios.push(...items);
      lines.push(`  vs ${r.label}: ${items.map((i) => i.text).join(', ')}`);
    }
  }

  if (http) {
    lines.push('');
    if (http.result) {
      const h = http.result;
      lines.push(
        `HTTP (zhsearch server, ${h.client} on 127.0.0.1, ${h.healthz.connections} connections, ${ctx.httpSeconds} s each, after two passes over the ${h.searchPaths} search URLs):`,
      );
      lines.push(
        table(
          ['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'timeouts', 'server CPU', 'KB/answer'],
          [h.healthz, h.search, h.searchIdentity].map((l) => [
            l.path,
            l.requests,
            l.rps.toFixed(0),
            l.p50Ms,
            l.p99Ms,
            l.non2xx,
            l.errors,
            l.timeouts,
            Number.isFinite(l.serverCpu) ? `${Math.round(l.serverCpu * 100)} %` : 'n/a',
            l.requests > 0 ? (l.bytesRead / l.requests / 1024).toFixed(2) : 'n/a',
          ]),
        ),
      );
      const rr = h.healthz.rps > 0 ? h.search.rps / h.healthz.rps : NaN;
      const ri = h.healthz.rps > 0 ? h.searchIdentity.rps / h.healthz.rps : NaN;
      const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
      lines.push(
        `search/healthz req/s = ${fmt(rr)} (target ≥ 0.6: ${rr >= 0.6 ? 'met' : 'MISSED'}); without gzip ${fmt(ri)}`,
        `(requests send Accept-Encoding: gzip, deflate as browsers and HTTP libraries do, except the "no gzip" row.`,
        ` server CPU: of one core during the load; well under 100 % means the load generator, which shares the two`,
        ` cores, was the limit${h.client === 'autocannon' ? ': install wrk (Debian package) for a client that needs less CPU per request' : ''}.`,
        ` KB/answer: bytes received per response, headers included)`,
      );
      lines.push(`(server run with LOG_LEVEL=info, as deployed: every request is logged; ${http.requestsLogged} log lines)`);
      lines.push(
        `server RSS: ${http.rss.listening} MB when listening (index loaded; jieba's dictionary loads after the first answer), ${http.rss.after} MB after the load test`,
      );
    } else {
      lines.push(`HTTP: ERROR ${http.error}`);
    }
  }
  return { text: lines.join('\n'), ratios };
}

function ratio(r: EngineRun, metric: string, zh: number, base: number, words: [string, string]): Ratio {
  if (!(zh > 0) || !(base > 0)) return { baseline: r.engine, metric, factor: null, text: `${metric} n/a` };
  const f = base / zh;
  const text = f >= 1 ? `${metric} ${times(f)} ${words[0]}` : `${metric} ${times(1 / f)} ${words[1]}`;
  return { baseline: r.engine, metric, factor: Math.round(f * 1000) / 1000, text };
}

function times(f: number): string {
  return `${f >= 10 ? f.toFixed(0) : f.toFixed(1)}×`;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1);
}

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

function countKinds(qs: EvalQuery[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const q of qs) out[q.kind] = (out[q.kind] ?? 0) + 1;
  return out;
}

main().catch((err: unknown) => {
  cleanup();
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
