import { configFromEnv } from '../src/server/config';
import { tuneHeap } from '../src/server/heap';
import { startServer } from '../src/server/main';

/** `npm run serve`: serve INDEX_DIR as it is (no build). Settings come from the environment. */
async function main(): Promise<void> {
  try {
    const config = configFromEnv();
    tuneHeap(config.heapGrowingPercent);
    await startServer(config, { handleSignals: true });
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

void main();
