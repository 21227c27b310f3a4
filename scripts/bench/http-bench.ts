import { processRssMB } from '../lib/proc';
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
}

/** Start the real server on the zhsearch index, load it with the HTTP child, stop it. */
export async function httpBench(
  dir: string,
  indexDir: string,
  queriesPath: string,
  seconds: number,
  timeoutMs: number,
): Promise<HttpOutcome> {
  const server = spawnServe(
    {
      INDEX_DIR: indexDir,
      PORT: '0',
      HOST: '127.0.0.1',
      RATE_LIMIT: '0',
      LOG_LEVEL: 'info', // the "listening" line is logged at info; so is every request
      ADMIN_TOKEN: '',
      CORS_ORIGINS: '',
    },
    // Request lines after "listening" are only counted: parsing them would take CPU from the server.
    { stderr: 'inherit', stopParsingAfter: isListening },
  );
  running.add(server.proc);
  const pid = server.proc.pid!;
  try {
    const url = await untilListening(server, timeoutMs);
    log(`server listening at ${url}`);
    // The server has loaded the index when it listens (jieba's dictionary comes after its first answer).
    const rss = { listening: processRssMB(pid), after: NaN };
    const r = await runChild<HttpResult>(dir, 'http', 'run', [url, queriesPath, String(seconds), String(pid)], timeoutMs);
    const requestsLogged = server.countedLines();
    if (server.proc.exitCode !== null || server.proc.signalCode !== null)
      return { result: null, error: 'server died during the load test', requestsLogged, rss };
    rss.after = processRssMB(pid);
    return r.ok ? { result: r.result, error: null, requestsLogged, rss } : { result: null, error: r.error, requestsLogged, rss };
  } catch (err) {
    return { result: null, error: (err as Error).message, requestsLogged: server.countedLines(), rss: { listening: NaN, after: NaN } };
  } finally {
    await server.stop(10_000);
    running.delete(server.proc);
  }
}
