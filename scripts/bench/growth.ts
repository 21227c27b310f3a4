import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fail, parseOrExit } from '../lib/cli';
import { processRssMB } from '../lib/proc';
import { isListening, spawnServe, untilListening } from '../lib/serve-process';
import { median, quantile, table } from '../lib/stats';
import { getSegmenter, SearchEngine } from '../../src';
import { DEFAULT_SIZES, makeQuerySet } from '../lib/queryset';
import { prepareCorpus } from './prepare';
import type { BuildResult, QueryFile, QueryResult } from './protocol';
import { runChild } from './run-child';
import { getStatus, serveColdStartMs } from './serve-cold';
import { CAVEAT, COLD_START_SAMPLES, log, SEED } from './settings';
import { writeDocsBlock } from './write-docs';

const USAGE = `usage: npm run bench:growth -- --corpus DIR [--scales 1,2,10] [--limit N] [--json]

How zhsearch grows with the archive: the corpus is replicated N times (perturbed copies,
as \`bench --scale\`) for each scale, and for each the bench measures the build (wall
time, peak RSS, index size), the in-process query latency (p50/p99 of the 330 eval
queries, median of 3 passes), the real server's cold start (process start to its first
answered /api/search, median of ${COLD_START_SAMPLES}) and its RSS once listening and after 1,000
searches. Ratios are against the first scale; the targets are RSS ≤ 2×, cold start ≤ 2×,
p50 ≤ 3× at 10×, and build time linear (seconds per 1,000 posts flat).

  --scales LIST  comma-separated copies of the corpus (default 1,2,10)
  --limit N      use only the first N posts of the corpus (a quick check of the script)
  --json         also print the figures as JSON
  --write-docs   also write the output into docs/benchmarks.md (between its growth-output markers)`;

/** Searches sent to the server before its RSS is read again. */
const SERVER_QUERIES = 1000;

/** One scale's figures. */
interface Row {
  scale: number;
  docs: number;
  buildS: number;
  buildRssMB: number;
  indexMB: number;
  p50Ms: number;
  p99Ms: number;
  serveColdS: number;
  rssListeningMB: number;
  rssAfterMB: number;
}

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          scales: { type: 'string', default: '1,2,10' },
          limit: { type: 'string' },
          json: { type: 'boolean', default: false },
          'write-docs': { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    USAGE,
  );
  if (!values.corpus) fail('give --corpus DIR\n\n' + USAGE, 2);
  const scales = values.scales.split(',').map((s) => Number(s.trim()));
  if (scales.length === 0 || scales.some((s) => !Number.isInteger(s) || s < 1 || s > 20)) {
    fail(`--scales ${values.scales}: give whole numbers from 1 to 20, e.g. 1,2,10`, 2);
  }
  const limit = values.limit === undefined ? null : Number(values.limit);
  if (limit !== null && !(Number.isInteger(limit) && limit > 0)) fail(`--limit ${values.limit}: give a positive whole number`, 2);
  const corpus = resolve(values.corpus);
  const timeoutMs = 60 * 60_000;
  const started = Date.now();
  const rows: Row[] = [];
  for (const scale of scales) {
    const dir = mkdtempSync(join(tmpdir(), `zhsearch-growth-${scale}-`));
    try {
      rows.push(await measure(corpus, dir, scale, limit, timeoutMs));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const text = render(rows, corpus, limit, (Date.now() - started) / 1000);
  process.stdout.write(text);
  if (values['write-docs']) {
    const argv = process.argv.slice(2).filter((a) => a !== '--write-docs' && a !== '--json');
    log(`wrote ${writeDocsBlock(`npm run bench:growth -- ${argv.join(' ')}`, text, 'growth-output')}`);
  }
  if (values.json) process.stdout.write(JSON.stringify({ corpus, limit, rows }, null, 2) + '\n');
}

async function measure(corpus: string, dir: string, scale: number, limit: number | null, timeoutMs: number): Promise<Row> {
  const prepared = await prepareCorpus(corpus, dir, { limit, scale });
  log(`×${scale}: ${prepared.files} files; build …`);
  const index = join(dir, 'index');
  const b = await runChild<BuildResult>(dir, 'zhsearch', 'build', [prepared.dir, index], timeoutMs);
  if (!b.ok) throw new Error(`×${scale} build: ${b.error}`);
  // The eval's queries, without the ground truth (a substring scan of every post per word, slow at ×10).
  const engine = await SearchEngine.open(index);
  const docs = engine.info().docs;
  const qs = makeQuerySet([...engine.documents()], getSegmenter(), SEED, { ...DEFAULT_SIZES, knownItems: 0 });
  engine.close();
  const queryFile: QueryFile = { queries: qs.queries.map((q) => ({ words: q.words })), knownItems: [], runs: 3 };
  const queriesPath = join(dir, 'queries.json');
  writeFileSync(queriesPath, JSON.stringify(queryFile));
  log(`×${scale}: queries …`);
  const q = await runChild<QueryResult>(dir, 'zhsearch', 'query', [index, queriesPath], timeoutMs);
  if (!q.ok) throw new Error(`×${scale} queries: ${q.error}`);
  log(`×${scale}: server cold start and RSS …`);
  const first = qs.queries[0]?.words.join(' ') ?? '中国';
  const cold: number[] = [];
  for (let i = 0; i < COLD_START_SAMPLES; i++) cold.push(await serveColdStartMs(index, first, timeoutMs));
  const rss = await serverRss(
    index,
    qs.queries.map((x) => x.words.join(' ')),
    timeoutMs,
  );
  return {
    scale,
    docs,
    buildS: b.result.ms / 1000,
    buildRssMB: b.result.maxRssKB / 1024,
    indexMB: b.result.bytes / 2 ** 20,
    p50Ms: quantile(q.result.latencyMs, 0.5),
    p99Ms: quantile(q.result.latencyMs, 0.99),
    serveColdS: median(cold) / 1000,
    rssListeningMB: rss.listening,
    rssAfterMB: rss.after,
  };
}

/** The server's RSS once it listens and after {@link SERVER_QUERIES} searches (pages 1-3 of each query, in turn). */
async function serverRss(index: string, queries: string[], timeoutMs: number): Promise<{ listening: number; after: number }> {
  const server = spawnServe(
    { INDEX_DIR: index, PORT: '0', HOST: '127.0.0.1', RATE_LIMIT: '0', LOG_LEVEL: 'info', ADMIN_TOKEN: '', CORS_ORIGINS: '' },
    { stopParsingAfter: isListening },
  );
  try {
    const base = await untilListening(server, timeoutMs);
    const pid = server.proc.pid!;
    const listening = processRssMB(pid);
    for (let i = 0; i < SERVER_QUERIES; i++) {
      const query = queries[i % queries.length];
      const page = 1 + (Math.floor(i / queries.length) % 3);
      const status = await getStatus(`${base}/api/search?q=${encodeURIComponent(query)}&page=${page}`);
      if (status !== 200) throw new Error(`server answered ${status} to "${query}"`);
    }
    return { listening, after: processRssMB(pid) };
  } finally {
    await server.stop();
  }
}

function render(rows: Row[], corpus: string, limit: number | null, totalS: number): string {
  const base = rows[0];
  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : '-');
  const fixed = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const lines = [
    `zhsearch growth: ${corpus}${limit === null ? '' : `, first ${limit} posts`} — ${CAVEAT}`,
    '',
    table(
      [
        'scale',
        'posts',
        'build s',
        's/1k posts',
        'build RSS MB',
        'index MB',
        'p50 ms',
        'p99 ms',
        'serve cold s',
        'RSS listening MB',
        'RSS after 1k MB',
      ],
      rows.map((r) => [
        `×${r.scale}`,
        String(r.docs),
        fixed(r.buildS, 1),
        fixed((r.buildS / r.docs) * 1000, 2),
        fixed(r.buildRssMB, 0),
        fixed(r.indexMB, 0),
        fixed(r.p50Ms, 3),
        fixed(r.p99Ms, 2),
        fixed(r.serveColdS, 2),
        fixed(r.rssListeningMB, 0),
        fixed(r.rssAfterMB, 0),
      ]),
    ),
    '',
    `against ×${base.scale}:`,
    ...rows.slice(1).map((r) => {
      const checks = [
        `RSS after 1k ${ratio(r.rssAfterMB, base.rssAfterMB)} (target ≤ 2×)`,
        `serve cold start ${ratio(r.serveColdS, base.serveColdS)} (≤ 2×)`,
        `p50 ${ratio(r.p50Ms, base.p50Ms)} (≤ 3×)`,
        `build time per post ${ratio(r.buildS / r.docs, base.buildS / base.docs)} (linear: 1×)`,
      ];
      return `  ×${r.scale}: ${checks.join(', ')}`;
    }),
    `total ${totalS.toFixed(0)} s`,
    '',
  ];
  return lines.join('\n');
}

main().catch((err: Error) => {
  process.stderr.write(`bench:growth: ${err.message}\n`);
  process.exit(1);
});
