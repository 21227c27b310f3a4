import type { Server } from 'node:http';
import { SearchEngine } from '../engine';
import { createApp, type ZhsearchApp } from './app';
import type { ServerConfig } from './config';
import { createLogger } from './log';

/** A running server. */
export interface RunningServer {
  app: ZhsearchApp;
  server: Server;
  /** The bound address, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Stop accepting connections and wait for requests in flight (at most `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

/**
 * Open the index, start listening, and wire process signals: SIGHUP reloads the index,
 * SIGTERM/SIGINT shut down gracefully. Used by `npm run serve` and `npm start`.
 */
export async function startServer(config: ServerConfig, opts: { handleSignals?: boolean } = {}): Promise<RunningServer> {
  const log = createLogger(config.logLevel);
  const t0 = Date.now();
  const engine = await SearchEngine.open(config.indexDir);
  log.info('index loaded', { dir: config.indexDir, docs: engine.stats.docs, ms: Date.now() - t0 });
  const app = createApp(engine, {
    reload: async () => {
      const next = await SearchEngine.open(config.indexDir);
      next.loadSegmenter(); // before the swap (instant unless the new index has another dictionary)
      return next;
    },
    adminToken: config.adminToken,
    corsOrigins: config.corsOrigins,
    rateLimit: config.rateLimit,
    logger: log,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info('listening', { url });
  // Answer from the first moment, and load jieba's dictionary right after (it blocks the
  // event loop for ~1.8 s) rather than in the first query that needs it.
  setImmediate(() => {
    try {
      const t = Date.now();
      engine.loadSegmenter();
      log.debug('segmenter loaded', { ms: Date.now() - t });
    } catch (err) {
      log.error('segmenter failed to load', { error: (err as Error).message });
    }
  }).unref();

  let closing: Promise<void> | null = null;
  const close = (graceMs = 10_000): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, graceMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };

  if (opts.handleSignals) {
    process.on('SIGHUP', () => {
      log.info('SIGHUP: reloading the index');
      app.reload().catch(() => undefined); // failure is logged; the old index keeps serving
    });
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        log.info(`${sig}: shutting down after requests in flight`);
        void close().then(() => process.exit(0));
      });
    }
    process.on('uncaughtException', (err) => log.error('uncaught exception', { error: err.stack }));
    process.on('unhandledRejection', (err) => log.error('unhandled rejection', { error: err instanceof Error ? err.stack : String(err) }));
  }
  return { app, server, url, close };
}
