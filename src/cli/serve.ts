import cluster from 'node:cluster';
import { parseWorkers, runCluster } from '../server/cluster';
import { configFromEnv, type ServerConfig } from '../server/config';
import { tuneHeap } from '../server/heap';
import type { RunningServer } from '../server/main';
import { fail, parseFlags } from './args';
import type { Command } from './command';

// The server, the indexer and the engine are loaded where they are used (below), not
// here: a cluster's primary only forks and supervises, and every module it loads is
// memory it holds beside the workers (docs/operations.md, "Workers").

const usage = (prog: string): string => `usage: ${prog} [--index DIR] [--port N] [--host H] [--workers N]
       ${prog} --corpus DIR [--index DIR] [--watch] [same options]

Serves the index in --index (default $INDEX_DIR or index-data/) as it is: the search
page on /, the JSON API on /api/search. With REDIS_URL and INDEX_NAME set it serves that
Redis index instead and follows its rebuilds without a restart.

--port N      port to listen on (default $PORT or 3000; 0 picks a free one)
--host H      address to listen on (default $HOST or 127.0.0.1; 0.0.0.0 for every interface)
--workers N   serve with N processes on the one port (default $WORKERS or 1)
--corpus DIR  first build --index from DIR when it is missing or older than the newest post
--watch       with --corpus: index new, changed and deleted posts as they appear and swap
              the new index in without dropping a request (one process)

Other settings (ADMIN_TOKEN, CORS_ORIGINS, RATE_LIMIT, LOG_LEVEL, …) come from the
environment: see the README's configuration table.`;

/** `zhsearch serve`: the HTTP server (page + JSON API), optionally building or watching a corpus first. */
export const serve: Command = { name: 'serve', run };

async function run(argv: string[], prog: string): Promise<void> {
  const { values, positionals } = parseFlags(
    argv,
    {
      index: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      workers: { type: 'string' },
      corpus: { type: 'string' },
      watch: { type: 'boolean', default: false },
    },
    usage(prog),
  );
  if (positionals.length > 0) fail(`unexpected argument ${JSON.stringify(positionals[0])}\n\n${usage(prog)}`, 2);
  try {
    // Flags override their environment variables; configFromEnv validates both alike.
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (values.index !== undefined) env.INDEX_DIR = values.index;
    if (values.port !== undefined) env.PORT = values.port;
    if (values.host !== undefined) env.HOST = values.host;
    const config = configFromEnv(env);
    const workers = parseWorkers(values.workers);
    if (values.watch) {
      if (!values.corpus) throw new Error('--watch needs --corpus DIR (the folder to watch)');
      if (workers > 1) throw new Error('--watch serves with one process: leave out --workers (or WORKERS)');
      if (config.redisUrl) throw new Error('--watch updates a file index: unset REDIS_URL');
      await serveAndWatch(values.corpus, config);
      return;
    }
    // Workers only serve: the primary (or the single process) builds first.
    if (values.corpus && cluster.isPrimary && !config.redisUrl) await buildIfStale(values.corpus, config.indexDir);
    if (runCluster(workers, config.logLevel)) return;
    const running = await serveProcess(config);
    // A banner for people (the JSON log on stdout has the URL for machines).
    if (cluster.isPrimary && (values.corpus || process.stderr.isTTY)) process.stderr.write(`zhsearch is serving ${running.url}\n`);
    else if (cluster.worker?.id === 1) process.stderr.write(`zhsearch is serving ${running.url} with ${workers} workers\n`);
  } catch (err) {
    fail((err as Error).message);
  }
}

/** Build `indexDir` from `corpus` when it is missing or older than the newest post. */
async function buildIfStale(corpus: string, indexDir: string): Promise<void> {
  const reason = await staleReason(corpus, indexDir);
  if (!reason) return;
  process.stderr.write(`building ${indexDir} from ${corpus} (${reason})…\n`);
  const { buildIndex } = await import('../indexer/build');
  const report = await buildIndex({ corpus, out: indexDir });
  process.stderr.write(`indexed ${report.indexed} documents in ${(report.ms / 1000).toFixed(1)} s (${report.skipped.length} skipped)\n`);
}

/**
 * Start the server as this process's owner: signals handled, and the heap's growth limit
 * set once the index is loaded (server/heap.ts says why not before).
 */
async function serveProcess(config: ServerConfig): Promise<RunningServer> {
  const { startServer } = await import('../server/main');
  const running = await startServer(config, { handleSignals: true });
  tuneHeap(config.heapGrowingPercent);
  return running;
}

/** Build incrementally, serve, and on every update of the corpus rebuild and swap the index in. */
async function serveAndWatch(corpus: string, config: ServerConfig): Promise<void> {
  const { watchInWorker } = await import('../indexer/watch');
  let running: RunningServer | null = null;
  const watcher = watchInWorker({
    corpus,
    out: config.indexDir,
    onBuild: async (r) => {
      const c = r.changes;
      process.stderr.write(
        `indexed ${r.indexed} documents in ${(r.ms / 1000).toFixed(1)} s (${r.mode}: ${c.added} added, ${c.changed} changed, ${c.removed} removed)\n`,
      );
      // A failed reload is logged by the app and the old index keeps serving.
      if (running && !r.upToDate) await running.app.reload().catch(() => undefined);
    },
    onError: (err) => process.stderr.write(`update failed, still serving the previous index: ${err.message}\n`),
  });
  await watcher.ready;
  running = await serveProcess(config);
  process.stderr.write(`zhsearch is serving ${running.url}, watching ${corpus}\n`);
}

/** Why the index must be (re)built, or null when it is up to date. */
async function staleReason(corpus: string, indexDir: string): Promise<string | null> {
  // The reader's own checks: a missing, unreadable, other-format or other-tokenizer index must be built.
  const [{ openVersion }, { checkCompatible }, { walkCorpus }] = await Promise.all([
    import('../store/files'),
    import('../engine/open'),
    import('../ingest/walk'),
  ]);
  let builtAt: number;
  try {
    const { manifest } = await openVersion(indexDir);
    checkCompatible(manifest, indexDir);
    builtAt = Date.parse(manifest.builtAt);
  } catch (err) {
    return (err as Error).message;
  }
  const { files } = await walkCorpus(corpus);
  const newest = files.reduce((m, f) => Math.max(m, f.mtimeMs), 0);
  return newest > builtAt ? 'the corpus changed since the last build' : null;
}
