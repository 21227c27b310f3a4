import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildIndex, getSegmenter, SearchEngine } from '../../src';
import { buildRedisIndex } from '../../src/indexer/build-redis';
import { RedisIndexStore } from '../../src/store/redis';
import { fail, intArg, parseOrExit } from '../lib/cli';
import { makeQuerySet } from '../lib/queryset';
import { median, quantile, table } from '../lib/stats';
import { freePort } from '../lib/net';
import { startServe } from '../lib/serve-process';
import type { LoadResult } from './protocol';

const USAGE = `usage: npm run bench:scale -- --corpus DIR [--redis-url URL] [--seconds N] [--json]
       npm run bench:scale -- --http-only --index DIR --redis-url URL --name NAME [--rounds N] [--seconds N]

Scale-out figures for docs/operations.md (capacity), file backend against the
Redis backend: build time, cold open, in-process query p50/p99 (result cache off),
Redis memory, and HTTP requests/s of the real server with 1 and 2 workers
(autocannon on 127.0.0.1, 10 connections; the query URLs rotate over more pages than
the result cache holds, so answers are computed, not cached).

Without --redis-url a redis-server is started on a free loopback port (Debian's
redis-server must be installed); with it, a throw-away index name is used and removed
afterwards. --http-only measures only requests/s over existing indexes (a file index
and a Redis index of the same corpus), --rounds times in turn, and prints medians.`;

const CONNECTIONS = 10;
const SEED = 42;

/** One load run of the server: the bench's load figures, with the backend and worker count. */
type HttpFigure = Pick<LoadResult, 'requests' | 'rps' | 'p50Ms' | 'p99Ms' | 'non2xx' | 'errors'> & { backend: string; workers: number };

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          'redis-url': { type: 'string' },
          seconds: { type: 'string', default: '10' },
          'http-only': { type: 'boolean', default: false },
          index: { type: 'string' },
          name: { type: 'string' },
          rounds: { type: 'string', default: '3' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    USAGE,
  );
  const seconds = intArg(values.seconds, '--seconds', 1, 120);
  if (values['http-only']) {
    if (!values.index || !values['redis-url'] || !values.name) fail('--http-only needs --index DIR, --redis-url URL and --name NAME', 2);
    const rounds = intArg(values.rounds, '--rounds', 1, 20);
    return httpOnly(values.index, values['redis-url'], values.name, rounds, seconds);
  }
  if (!values.corpus) fail('give --corpus DIR\n\n' + USAGE, 2);
  const log = (s: string): boolean => process.stderr.write(s + '\n');

  const work = mkdtempSync(join(tmpdir(), 'zhsearch-scale-'));
  let redisProc: ChildProcess | null = null;
  const name = `bench-${process.pid}`;
  let store: RedisIndexStore | null = null;
  try {
    let url = values['redis-url'];
    if (!url) {
      if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0)
        fail('redis-server not found: apt-get install redis-server, or give --redis-url');
      const port = await freePort();
      redisProc = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', work, '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      url = `redis://127.0.0.1:${port}`;
      await waitFor(async () => {
        try {
          const s = await RedisIndexStore.connect(url!, 'probe');
          await s.close();
          return true;
        } catch {
          return false;
        }
      }, 10_000);
    }
    store = await RedisIndexStore.connect(url, name);
    const memBefore = await usedMemory(store);

    log('building the file index …');
    const fileBuild = await buildIndex({ corpus: values.corpus, out: join(work, 'index') });
    log(`  ${fileBuild.indexed} documents in ${(fileBuild.ms / 1000).toFixed(1)} s`);
    log('building the Redis index …');
    const redisBuild = await buildRedisIndex({ corpus: values.corpus, redisUrl: url, name });
    log(`  ${redisBuild.indexed} documents in ${(redisBuild.ms / 1000).toFixed(1)} s`);
    const memAfter = await usedMemory(store);
    const keys = await store.redis.dbSize();

    const t0 = Date.now();
    const fileEngine = await SearchEngine.open(join(work, 'index'), { resultCache: 0 });
    const fileOpenMs = Date.now() - t0;
    const t1 = Date.now();
    const redisEngine = await SearchEngine.open(store, { resultCache: 0 });
    const redisOpenMs = Date.now() - t1;

    const posts = [...fileEngine.documents()];
    const textMB = round3(posts.reduce((a, p) => a + Buffer.byteLength(p.title) + Buffer.byteLength(p.text), 0) / 1e6);
    const qs = makeQuerySet(posts, getSegmenter(), SEED);
    const texts = [...qs.queries.map((q) => q.words.join(' ')), ...qs.knownItems.map((k) => k.words.join(' '))];
    const latency = (engine: SearchEngine): { p50: number; p99: number } => {
      for (const t of texts) engine.search(t, { limit: 10 });
      const lat: number[] = [];
      for (let round = 0; round < 3; round++) {
        for (const t of texts) {
          const s = process.hrtime.bigint();
          engine.search(t, { limit: 10 });
          lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        }
      }
      return { p50: round3(median(lat)), p99: round3(quantile(lat, 0.99)) };
    };
    const fileLat = latency(fileEngine);
    const redisLat = latency(redisEngine);

    // 3 pages per query: more distinct URLs than the server's 1,024-result cache.
    const paths: string[] = [];
    for (const page of [1, 2, 3]) for (const t of new Set(texts)) paths.push(`/api/search?q=${encodeURIComponent(t)}&page=${page}`);
    const http: HttpFigure[] = [];
    for (const backend of ['file', 'redis'] as const) {
      for (const workers of [1, 2]) {
        const env = backend === 'file' ? { INDEX_DIR: join(work, 'index') } : { REDIS_URL: url, INDEX_NAME: name };
        log(`HTTP: ${backend} backend, ${workers} worker(s), ${seconds} s …`);
        http.push({ backend, workers, ...(await httpRun(env, workers, paths, seconds)) });
      }
    }

    const result = {
      corpus: values.corpus,
      docs: fileBuild.indexed,
      textMB,
      queries: texts.length,
      file: { buildS: round3(fileBuild.ms / 1000), openS: round3(fileOpenMs / 1000), indexMB: round3(fileBuild.bytes / 1e6), ...fileLat },
      redis: {
        buildS: round3(redisBuild.ms / 1000),
        openS: round3(redisOpenMs / 1000),
        usedMemoryMB: round3((memAfter - memBefore) / 1e6),
        keys,
        ...redisLat,
      },
      http,
      httpPaths: paths.length,
      connections: CONNECTIONS,
      seconds,
    };
    if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    const out = values.json ? process.stderr : process.stdout;
    out.write(
      `${result.docs} documents, ${textMB} MB of text (UTF-8, titles and bodies), ${result.queries} queries (seed ${SEED}); in-process latency with the result cache off\n` +
        table(
          ['backend', 'build s', 'open s', 'storage', 'p50 ms', 'p99 ms'],
          [
            ['file', result.file.buildS, result.file.openS, `${result.file.indexMB} MB on disk`, result.file.p50, result.file.p99],
            [
              'redis',
              result.redis.buildS,
              result.redis.openS,
              `${result.redis.usedMemoryMB} MB Redis memory, ${keys} keys`,
              result.redis.p50,
              result.redis.p99,
            ],
          ],
        ) +
        `\nHTTP /api/search (autocannon, 127.0.0.1, ${CONNECTIONS} connections, ${seconds} s, ${paths.length} rotating uncached URLs; load generator on the same machine)\n` +
        table(
          ['backend', 'workers', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
          http.map((h) => [h.backend, h.workers, h.requests, h.rps, h.p50Ms, h.p99Ms, h.non2xx, h.errors]),
        ) +
        '\n',
    );
    if (http.some((h) => h.non2xx > 0 || h.errors > 0)) process.exitCode = 1;
  } finally {
    if (store) {
      // Remove the throw-away index from a Redis we did not start.
      if (!redisProc)
        for await (const keys of store.redis.scanIterator({ MATCH: `${name}*`, COUNT: 1000 }))
          if (keys.length) await store.redis.unlink(keys);
      await store.close();
    }
    redisProc?.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

/** Requests/s only, over existing indexes: every configuration `rounds` times in turn, medians. */
async function httpOnly(indexDir: string, url: string, name: string, rounds: number, seconds: number): Promise<void> {
  process.stderr.write(`reading the query set's documents from ${indexDir} …\n`);
  const engine = await SearchEngine.open(indexDir, { resultCache: 0 });
  const posts = [...engine.documents()];
  const qs = makeQuerySet(posts, getSegmenter(), SEED);
  const texts = [...new Set([...qs.queries.map((q) => q.words.join(' ')), ...qs.knownItems.map((k) => k.words.join(' '))])];
  const paths: string[] = [];
  for (const page of [1, 2, 3]) for (const t of texts) paths.push(`/api/search?q=${encodeURIComponent(t)}&page=${page}`);
  const configs = [
    { backend: 'file', workers: 1, env: { INDEX_DIR: indexDir } },
    { backend: 'file', workers: 2, env: { INDEX_DIR: indexDir } },
    { backend: 'redis', workers: 1, env: { REDIS_URL: url, INDEX_NAME: name } },
    { backend: 'redis', workers: 2, env: { REDIS_URL: url, INDEX_NAME: name } },
  ];
  const runs = new Map<string, HttpFigure[]>();
  for (let r = 0; r < rounds; r++) {
    for (const c of configs) {
      process.stderr.write(`round ${r + 1}/${rounds}: ${c.backend} backend, ${c.workers} worker(s) … `);
      const f = { backend: c.backend, workers: c.workers, ...(await httpRun(c.env, c.workers, paths, seconds)) };
      process.stderr.write(`${f.rps} req/s\n`);
      const key = `${c.backend}/${c.workers}`;
      runs.set(key, [...(runs.get(key) ?? []), f]);
    }
  }
  process.stdout.write(
    `HTTP /api/search, median of ${rounds} runs (autocannon, 127.0.0.1, ${CONNECTIONS} connections, ${seconds} s, ${paths.length} rotating uncached URLs; load generator on the same machine)\n` +
      table(
        ['backend', 'workers', 'req/s (runs)', 'median req/s', 'median p50 ms', 'median p99 ms', 'non-2xx', 'errors'],
        [...runs.values()].map((fs) => [
          fs[0].backend,
          fs[0].workers,
          fs.map((f) => Math.round(f.rps)).join(' / '),
          median(fs.map((f) => f.rps)),
          median(fs.map((f) => f.p50Ms)),
          median(fs.map((f) => f.p99Ms)),
          fs.reduce((a, f) => a + f.non2xx, 0),
          fs.reduce((a, f) => a + f.errors, 0),
        ]),
      ) +
      '\n',
  );
}

async function usedMemory(store: RedisIndexStore): Promise<number> {
  const info = await store.redis.info('memory');
  const m = /used_memory:(\d+)/.exec(info);
  return m ? Number(m[1]) : 0;
}

/** Start serve.js with `workers` processes, drive it with autocannon, stop it. */
async function httpRun(
  env: NodeJS.ProcessEnv,
  workers: number,
  paths: string[],
  seconds: number,
): Promise<Omit<HttpFigure, 'backend' | 'workers'>> {
  // LOG_LEVEL=info as deployed (every request logged), like the main benchmark's HTTP figures;
  // every worker must be up (one "listening" log line each).
  const server = await startServe({ ...env, WORKERS: String(workers), LOG_LEVEL: 'info', RATE_LIMIT: '0' }, await freePort(), {
    listeners: workers,
    timeoutMs: 180_000,
    stderr: 'inherit',
  });
  try {
    const base = server.url;
    let next = 0;
    const r = await new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: base,
          connections: CONNECTIONS,
          duration: seconds,
          requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
        },
        (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
      );
    });
    return {
      requests: r.requests.total,
      rps: r.requests.average,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors,
    };
  } finally {
    await server.stop();
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a server');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

void main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
