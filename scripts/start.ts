import cluster from 'node:cluster';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { buildIndex } from '../src';
import { watchInWorker } from '../src/indexer/watch';
import { walkCorpus } from '../src/ingest/walk';
import { parseWorkers, runCluster } from '../src/server/cluster';
import { configFromEnv } from '../src/server/config';
import { tuneHeap } from '../src/server/heap';
import { startServer } from '../src/server/main';
import { parseArgs } from 'node:util';
import { parseOrExit } from './lib/cli';

const USAGE = `usage: npm start [-- --corpus DIR] [--watch | --workers N]

Builds INDEX_DIR (default index-data/) from the corpus (default corpus/) when it is
missing or older than the newest post, then serves it (PORT, default 3000).
With --watch, new, changed and deleted posts are indexed incrementally as they
appear and the server swaps the new index in without dropping a request.
--workers N (or WORKERS) serves with N processes on the one port. With REDIS_URL and
INDEX_NAME it serves that Redis index instead (built with build-index --backend redis).`;

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string', default: process.env.CORPUS_DIR || 'corpus' },
          watch: { type: 'boolean', default: false },
          workers: { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
        allowPositionals: true,
      }),
    USAGE,
  );
  try {
    const config = configFromEnv();
    tuneHeap(config.heapGrowingPercent);
    const workers = parseWorkers(values.workers);
    if (values.watch) {
      if (workers > 1) throw new Error('--watch serves with one process: leave out --workers (or WORKERS)');
      if (config.redisUrl) throw new Error('--watch updates a file index: unset REDIS_URL');
      await serveAndWatch(values.corpus, config);
      return;
    }
    // Workers only serve: the primary (or the single process) builds first.
    const reason = cluster.isPrimary && !config.redisUrl ? await staleReason(values.corpus, config.indexDir) : null;
    if (reason) {
      process.stderr.write(`building ${config.indexDir} from ${values.corpus} (${reason})…\n`);
      const report = await buildIndex({ corpus: values.corpus, out: config.indexDir });
      process.stderr.write(
        `indexed ${report.indexed} documents in ${(report.ms / 1000).toFixed(1)} s (${report.skipped.length} skipped)\n`,
      );
    }
    if (runCluster(workers, config.logLevel)) return;
    const running = await startServer(config, { handleSignals: true });
    if (cluster.isPrimary) process.stderr.write(`zhsearch is serving ${running.url}\n`);
    else if (cluster.worker?.id === 1) process.stderr.write(`zhsearch is serving ${running.url} with ${workers} workers\n`);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/** Build incrementally, serve, and on every update of the corpus rebuild and swap the index in. */
async function serveAndWatch(corpus: string, config: ReturnType<typeof configFromEnv>): Promise<void> {
  let running: Awaited<ReturnType<typeof startServer>> | null = null;
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
  running = await startServer(config, { handleSignals: true });
  process.stderr.write(`zhsearch is serving ${running.url}, watching ${corpus}\n`);
}

/** Why the index must be (re)built, or null when it is up to date. */
async function staleReason(corpus: string, indexDir: string): Promise<string | null> {
  let builtAt: number;
  try {
    const current = (await fs.readFile(join(indexDir, 'CURRENT'), 'utf8')).trim();
    const manifest = JSON.parse(await fs.readFile(join(indexDir, current, 'manifest.json'), 'utf8')) as { builtAt: string };
    builtAt = Date.parse(manifest.builtAt);
  } catch {
    return 'no index yet';
  }
  const { files } = await walkCorpus(corpus);
  const newest = files.reduce((m, f) => Math.max(m, f.mtimeMs), 0);
  return newest > builtAt ? 'the corpus changed since the last build' : null;
}

void main();
