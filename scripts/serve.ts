import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { runCluster, parseWorkers } from '../src/server/cluster';
import { configFromEnv } from '../src/server/config';
import { tuneHeap } from '../src/server/heap';
import { startServer } from '../src/server/main';
import { parseOrExit } from './lib/cli';

const USAGE = `usage: npm run serve [-- --workers N]

Serves INDEX_DIR as it is (no build), or the Redis index INDEX_NAME when REDIS_URL is
set (following rebuilds without a restart). --workers N (or WORKERS) runs N server
processes on the one port, one per core. Other settings come from the environment.`;

/** `npm run serve`: serve INDEX_DIR or a Redis index as it is (no build). */
async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: { workers: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
        allowPositionals: false,
      }),
    USAGE,
  );
  try {
    const config = configFromEnv();
    tuneHeap(config.heapGrowingPercent);
    const workers = parseWorkers(values.workers);
    if (runCluster(workers, config.logLevel)) return;
    const running = await startServer(config, { handleSignals: true });
    if (cluster.worker?.id === 1) process.stderr.write(`zhsearch is serving ${running.url} with ${workers} workers\n`);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

void main();
