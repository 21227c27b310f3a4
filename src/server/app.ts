import express, { type RequestHandler } from 'express';
import type { SearchEngine } from '../engine';
import { docRoute, relatedRoute } from './docs-route';
import { EngineHolder, type ReloadInfo } from './engine-holder';
import { exportRoute } from './export-route';
import { bearerMatches, refuseUnwantedBodies, reloadFailure } from './guards';
import { createLogger } from './log';
import { corsFor, errorHandler, methodNotAllowed, notFound, rateLimitFor, requestLog, securityHeaders, whileAvailable } from './middleware';
import type { AppOptions } from './options';
import { openSearchRoute, pageFiles } from './page';
import { single } from './params';
import { searchRoute } from './search-route';
import { archiveStats } from './stats';

export type { AppOptions } from './options';

/** The Express app plus the handle to swap its engine. */
export interface ZhsearchApp extends express.Express {
  /** The engine answering new requests. */
  currentEngine(): SearchEngine;
  /** Load a new engine with `options.reload` and swap it in; the old one keeps serving on failure. */
  reload(): Promise<ReloadInfo>;
}

/**
 * Create the zhsearch HTTP app over an engine: JSON API, the search page and the
 * OpenSearch description. Requests read the engine once when they start, so a reload
 * swaps engines atomically while requests in flight finish on the old one.
 */
export function createApp(initial: SearchEngine, options: AppOptions = {}): ZhsearchApp {
  const log = options.logger ?? createLogger('silent');
  const engines = new EngineHolder(initial, options.reload, log);
  const current = (): SearchEngine => engines.current();

  const app = express() as unknown as ZhsearchApp;
  app.disable('x-powered-by');
  // Every search answer carries its own tookMs, so an ETag (a SHA-1 of each body) never matches.
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', false);

  app.use(requestLog(log));
  app.use(securityHeaders());
  app.use(refuseUnwantedBodies);
  if (options.corsOrigins && options.corsOrigins.length > 0) app.use(corsFor(options.corsOrigins));
  if (options.rateLimit && options.rateLimit > 0) app.use(rateLimitFor(options.rateLimit));
  if (options.available) app.use(whileAvailable(options.available));

  /** A read-only route: GET (and HEAD) run `handlers`, every other method is a 405. */
  const get = (path: string, ...handlers: RequestHandler[]): void =>
    void app
      .route(path)
      .get(...handlers)
      .all(methodNotAllowed);
  get('/api/search', exportRoute(engines), searchRoute(engines, options.responseCache));
  get('/api/suggest', (req, res) => void res.json({ suggestions: current().suggest(single(req, 'q') ?? '') }));
  get('/api/stats', (_req, res) => void res.json(archiveStats(current())));
  get('/api/docs/*id', relatedRoute(engines), docRoute(engines));
  get('/healthz', (_req, res) => {
    const s = current().info();
    res.json({ status: 'ok', docs: s.docs, builtAt: s.builtAt, formatVersion: s.formatVersion });
  });
  get('/opensearch.xml', openSearchRoute(options.publicUrl));

  app.post('/admin/reload', express.json({ limit: '1kb' }), (req, res, next) => {
    if (!options.adminToken) {
      res.status(404).json({ error: 'reload is disabled: set ADMIN_TOKEN to enable it' });
      return;
    }
    if (!bearerMatches(req.get('authorization'), options.adminToken)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong bearer token' });
      return;
    }
    engines.reload().then(
      (info) => res.json({ status: 'reloaded', ...info }),
      (err: unknown) => {
        if (res.headersSent) return next(err);
        const failure = reloadFailure(err, options.available?.() ?? true);
        if (failure.status === 503) res.set('Retry-After', '5');
        res.status(failure.status).json({ error: `reload failed: ${failure.reason}; still serving the previous index`, status: 'failed' });
      },
    );
  });

  app.use(pageFiles());
  app.use(notFound);
  app.use(errorHandler(log));

  app.currentEngine = current;
  app.reload = () => engines.reload();
  return app;
}
