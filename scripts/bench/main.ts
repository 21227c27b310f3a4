import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, arch, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fail, intArg, parseOrExit } from '../lib/cli';
import { median } from '../lib/stats';
import { finishRun, logBuild, newRun, querySet, type EngineRun } from './engine-run';
import { PATHOLOGICAL, QUESTIONS } from './free-text';
import { httpBench, type HttpOutcome } from './http-bench';
import { prepareCorpus } from './prepare';
import { ENGINE_LABELS, ENGINES, TIMED_KNOWN_ITEMS, type BuildResult, type EngineName, type QueryFile, type QueryResult } from './protocol';
import { countKinds, render } from './report';
import { killAll, runChild, type ChildResult } from './run-child';
import { serveColdStartMs } from './serve-cold';
import { measureUpdates, renderUpdates, type UpdateOutcome } from './updates';
import { BENCH_KNOWN_ITEMS, CAVEAT, COLD_START_SAMPLES, log, QUICK_POSTS, SEED, UPDATE_ROUNDS, WATCH_ROUNDS } from './settings';
import { writeDocsBlock } from './write-docs';

/**
 * The benchmark driver (`npm run bench`, dist/scripts/bench.js): prepares the corpus, runs
 * each engine's build and query children (run-child.ts), the HTTP load (http-bench.ts),
 * scores them (engine-run.ts) and prints the report (report.ts).
 */

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
  --quick         CI variant: first 500 posts, --runs 1, 3 s HTTP runs, 3 min per child, no index-update figures
  --known-items N known-item queries for MRR@10, default ${BENCH_KNOWN_ITEMS} (100 leave about ±0.01 of
                  sampling noise, as large as the gaps between engines); the first ${TIMED_KNOWN_ITEMS}
                  also join the latency passes and the HTTP load
  --timeout-min N hard limit per child process in minutes (default 10, 3 with --quick)
  --write-docs    also write the output into docs/benchmarks.md (between its bench-output markers)
  --json          full results as JSON on stdout (the table goes to stderr; use npm run --silent
                  so that npm's own banner stays off stdout)

Exits non-zero only when a child process crashes or times out, never on the numbers.`;

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

let tmp: string | null = null;

function cleanup(): void {
  killAll();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}

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
    const engineRuns: EngineRun[] = [];

    // 1. zhsearch build; its documents define the query set and the ground truth.
    const zIndex = join(dir, 'index-zhsearch');
    log('zhsearch: build …');
    const zBuild = await child<BuildResult>('zhsearch', 'build', [prepared.dir, zIndex]);
    logBuild('zhsearch', zBuild);

    const querySetStart = Date.now();
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
      `query set: ${qs.queries.length} queries + ${qs.knownItems.length} known items over ${qs.docs} documents (seed ${SEED}, ${((Date.now() - querySetStart) / 1000).toFixed(1)} s)`,
    );

    // 2. zhsearch queries in a fresh process, then HTTP.
    let http: HttpOutcome | null = null;
    let twoWorkers: HttpOutcome | null = null;
    let serveCold: number[] | string = 'not measured';
    {
      const run = newRun('zhsearch', zBuild);
      if (zBuild.ok) {
        log('zhsearch: query …');
        finishRun(run, await queryRun('zhsearch', zIndex), qs);
        log('zhsearch: HTTP …');
        http = await httpBench(dir, zIndex, queriesPath, httpSeconds, timeoutMs);
        if (http.error) log(`zhsearch HTTP: error: ${http.error}`);
        if (!quick) {
          log('zhsearch HTTP: 2 workers …');
          twoWorkers = await httpBench(dir, zIndex, queriesPath, httpSeconds, timeoutMs, 2);
          if (twoWorkers.error) log(`zhsearch HTTP, 2 workers: error: ${twoWorkers.error}`);
        }
        log('zhsearch serve: cold start …');
        serveCold = await serveColdStart(zIndex, qs.queries[0]?.words.join(' ') ?? '中国', timeoutMs);
      }
      engineRuns.push(run);
    }
    rmSync(zIndex, { recursive: true, force: true });

    // 2b. Index updates (incremental build, watch mode) on a copy of the corpus; not in the CI variant.
    let updates: UpdateOutcome | null = null;
    if (!quick && zBuild.ok) {
      updates = await measureUpdates(prepared.dir, dir, { rounds: UPDATE_ROUNDS, watchRounds: WATCH_ROUNDS, timeoutMs, log });
      if (!updates.ok) log(`updates: error: ${updates.error}`);
    }

    // 3. Baselines, one at a time.
    let nodeRs: { one: HttpOutcome; two: HttpOutcome } | null = null;
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
      if (b.ok && engine === 'zhsearch-rs' && !quick) {
        // The server's memory with the other segmenter (its own targets): the same load, 1 and 2 processes.
        log(`${ENGINE_LABELS[engine]}: HTTP, 1 and 2 workers …`);
        nodeRs = {
          one: await httpBench(dir, idx, queriesPath, httpSeconds, timeoutMs),
          two: await httpBench(dir, idx, queriesPath, httpSeconds, timeoutMs, 2),
        };
      }
      engineRuns.push(run);
      rmSync(idx, { recursive: true, force: true });
    }

    failed =
      engineRuns.some((r) => r.error !== null) ||
      [http, twoWorkers, nodeRs?.one ?? null, nodeRs?.two ?? null].some((h) => h !== null && h.error !== null);
    const report = render(engineRuns, http, { corpus, scale, quick, runs, docs: qs.docs, qs, httpSeconds, twoWorkers, nodeRs });
    out.write(report.text + '\n');
    out.write(
      typeof serveCold === 'string'
        ? `zhsearch serve cold start: ${serveCold}\n`
        : `zhsearch serve cold start (\`zhsearch serve --index DIR\`: process start to the first answered /api/search, compiled, median of ${serveCold.length}): ${(median(serveCold) / 1000).toFixed(2)} s (${serveCold.map((x) => (x / 1000).toFixed(2)).join(', ')})\n`,
    );
    if (updates) out.write(renderUpdates(updates).join('\n') + '\n');
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
            engines: engineRuns,
            http,
            httpTwoWorkers: twoWorkers,
            httpNodeRs: nodeRs,
            serveColdStartMs: serveCold,
            updates,
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

main().catch((err: unknown) => {
  cleanup();
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
