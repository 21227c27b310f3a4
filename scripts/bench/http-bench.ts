import { processRssMB, processTreeMemoryMB } from '../lib/proc';
import { isListening, spawnServe, untilListening } from '../lib/serve-process';
import type { HttpResult } from './protocol';
import { runChild, running } from './run-child';
import { log } from './settings';

/** What {@link httpBench} measured: the load result (or why not), log lines, the server's RSS in MB. */
export interface HttpOutcome {
  result: HttpResult | null;
  error: string | null;
  requestsLogged: number;
  /** When it started listening (index loaded) and after the load test; NaN without /proc. */
  rss: { listening: number; after: number };
  /** After the load test, every process of the server (a cluster's primary and workers) together. */
  tree: { rss: number; pss: number };
  workers: number;
}

/**
 * Start the real server on the zhsearch index with `workers` processes, load it with the
 * HTTP child, stop it. (With workers the server CPU column is the primary's alone.)
 */
export async function httpBench(
  dir: string,
  indexDir: string,
  queriesPath: string,
  seconds: number,
  timeoutMs: number,
  workers = 1,
): Promise<HttpOutcome> {
  let listening = 0;
  const none = { rss: NaN, pss: NaN };
  const server = spawnServe(
    {
      INDEX_DIR: indexDir,
      PORT: '0',
      HOST: '127.0.0.1',
      RATE_LIMIT: '0',
      LOG_LEVEL: 'info', // the "listening" line is logged at info; so is every request
      ADMIN_TOKEN: '',
      CORS_ORIGINS: '',
      WORKERS: String(workers),
    },
    // Request lines after "listening" (of every worker) are only counted: parsing them would take CPU from the server.
    { stderr: 'inherit', stopParsingAfter: (l) => isListening(l) && ++listening >= workers },
  );
  running.add(server.proc);
  const pid = server.proc.pid!;
  try {
    const url = await untilListening(server, timeoutMs);
    await server.waitForLine(`${workers} listening`, () => server.lines.filter(isListening).length >= workers, timeoutMs);
    log(`server listening at ${url}${workers > 1 ? ` (${workers} workers)` : ''}`);
    // The server has loaded the index when it listens (jieba's dictionary then loads on a thread).
    const rss = { listening: processRssMB(pid), after: NaN };
    const r = await runChild<HttpResult>(dir, 'http', 'run', [url, queriesPath, String(seconds), String(pid)], timeoutMs);
    const requestsLogged = server.countedLines();
    if (server.proc.exitCode !== null || server.proc.signalCode !== null)
      return { result: null, error: 'server died during the load test', requestsLogged, rss, tree: none, workers };
    rss.after = processRssMB(pid);
    const tree = processTreeMemoryMB(pid);
    return { result: r.ok ? r.result : null, error: r.ok ? null : r.error, requestsLogged, rss, tree, workers };
  } catch (err) {
    return {
      result: null,
      error: (err as Error).message,
      requestsLogged: server.countedLines(),
      rss: { listening: NaN, after: NaN },
      tree: none,
      workers,
    };
  } finally {
    await server.stop(10_000);
    running.delete(server.proc);
  }
}
