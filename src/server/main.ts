import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { SearchEngine } from '../engine';
import { isWatchable, type IndexSource } from '../store/backend';
import { fileSource } from '../store/files';
import type { RedisIndexStore } from '../store/redis';
import { createApp, type ZhsearchApp } from './app';
import { createHttpServer } from './http-server';
import type { ServerConfig } from './config';
import { createLogger } from './log';

/**
 * The app caches whole search responses (see AppOptions.responseCache): the engine's own
 * result cache would hold the same answers twice. jieba's dictionary loads in a worker
 * thread while the index loads, so the server answers from its first moment.
 */
const SERVER_ENGINE_OPTIONS = { resultCache: 0, segmenterThread: true };

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
  const source = await openSource(config, log);
  let engine: SearchEngine;
  try {
    engine = await SearchEngine.open(source, SERVER_ENGINE_OPTIONS);
  } catch (err) {
    if (isWatchable(source)) await source.close();
    throw err;
  }
  log.info('index loaded', { dir: engine.info().dir ?? source.label, docs: engine.info().docs, ms: Date.now() - t0 });
  // Under --workers, a reload asked of one worker (POST /admin/reload) is passed to the
  // others through the primary; reloads it sends (SIGHUP) or flips each worker sees itself are not.
  let reloadFromPeer = false;
  const app = createApp(engine, {
    reload: async () => {
      const fresh = await SearchEngine.open(source, SERVER_ENGINE_OPTIONS);
      if (cluster.isWorker && !reloadFromPeer && !isWatchable(source)) process.send?.({ zhsearch: 'reload-others' });
      return fresh;
    },
    adminToken: config.adminToken,
    publicUrl: config.publicUrl,
    corsOrigins: config.corsOrigins,
    rateLimit: config.rateLimit,
    logger: log,
    available: isWatchable(source) ? () => source.available() : undefined,
  });
  const unwatch = isWatchable(source)
    ? source.watch(
        (version) => {
          log.info('index alias flipped: loading the new version', { version });
          return app.reload();
        },
        (version) =>
          log.error(
            'the served index version is gone from the store (its data was lost?): answering from memory until a build publishes a new one',
            { version },
          ),
      )
    : () => undefined;
  const server = await new Promise<Server>((resolve, reject) => {
    // Node checks headersTimeout and requestTimeout only every connectionsCheckingInterval
    // (30 s by default): check every second so a slow client is cut at the timeout.
    const s = createHttpServer(app, { connectionsCheckingInterval: 1_000 });
    s.once('error', reject);
    s.listen(config.port, config.host, () => resolve(s));
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info('listening', { url });

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
    }).then(async () => {
      unwatch();
      if (isWatchable(source)) await source.close();
    });
    return closing;
  };

  if (opts.handleSignals) {
    process.on('SIGHUP', () => {
      log.info('SIGHUP: reloading the index');
      reloadFromPeer = true;
      app
        .reload()
        .catch(() => undefined) // failure is logged; the old index keeps serving
        .finally(() => (reloadFromPeer = false));
    });
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        log.info(`${sig}: shutting down after requests in flight`);
        void close().then(() => process.exit(0));
      });
    }
    // After an uncaught exception Node's state is undefined: stop, and let the supervisor
    // (the --workers primary, or the service manager) start a fresh process.
    process.on('uncaughtException', (err) => {
      log.error('uncaught exception: exiting', { error: err.stack ?? String(err) });
      process.exit(1);
    });
    process.on('unhandledRejection', (err) => log.error('unhandled rejection', { error: err instanceof Error ? err.stack : String(err) }));
  }
  return { app, server, url, close };
}

/** The index source a config names: Redis (REDIS_URL + INDEX_NAME) or the INDEX_DIR folder. */
async function openSource(config: ServerConfig, log: ReturnType<typeof createLogger>): Promise<IndexSource> {
  if (!config.redisUrl) return fileSource(config.indexDir);
  // Loaded only when asked for: with the Redis client in the process, opening a file
  // index took markedly longer (cause not found).
  const { RedisIndexStore: Store } = await import('../store/redis');
  let down = false;
  const store: RedisIndexStore = await Store.connect(config.redisUrl, config.indexName ?? '', {
    reconnect: true,
    onError: (err) => {
      // Log the loss once, not every reconnect attempt.
      if (!down) log.error('Redis connection lost: answering 503 until it is back', { error: err.message });
      down = true;
    },
  });
  store.redis.on('ready', () => {
    if (down) log.info('Redis connection back');
    down = false;
  });
  return store;
}
