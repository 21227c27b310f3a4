import { request } from 'node:http';
import { join } from 'node:path';
import { isListening, spawnServe, untilListening } from '../lib/serve-process';

/** The compiled CLI, as `npx zhsearch` runs it (no compile step). */
const CLI = join(__dirname, '..', '..', 'src', 'cli', 'main.js');

/** One GET; resolves with the status code, rejects on a connection error. */
export function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Cold start of `zhsearch serve --index DIR`: milliseconds from spawning the process to
 * its first 200 answer to GET /api/search?q=`query` (polled every 10 ms from the moment
 * it listens). The process is stopped afterwards.
 */
export async function serveColdStartMs(indexDir: string, query: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  const server = spawnServe(
    { LOG_LEVEL: 'info', RATE_LIMIT: '0', WORKERS: '' },
    { args: [CLI, 'serve', '--index', indexDir, '--port', '0', '--host', '127.0.0.1'], stopParsingAfter: isListening },
  );
  try {
    const base = await untilListening(server, timeoutMs);
    const url = `${base}/api/search?q=${encodeURIComponent(query)}`;
    const deadline = t0 + timeoutMs;
    for (;;) {
      const status = await getStatus(url).catch(() => 0);
      if (status === 200) return performance.now() - t0;
      if (performance.now() > deadline) throw new Error(`zhsearch serve: no 200 answer in time (last status ${status})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await server.stop();
  }
}
