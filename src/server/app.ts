import express, { type NextFunction, type Request, type Response } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MAX_LIMIT, msSince, type SearchEngine } from '../engine';
import { QueryError } from '../query/parse';
import { escapeHtml } from '../query/snippet';
import { LruCache } from '../lru';
import { deflateBody, gzipWithSuffix, type DeflatedBody } from './gzip';
import { createLogger } from './log';
import type { AppOptions } from './options';
import { mountArchiveRoutes } from './archive-routes';
import { bearerMatches, refuseUnwantedBodies, reloadFailure } from './guards';
import { archiveStats } from './stats';
import { BadRequest, integer, single } from './params';

export type { AppOptions } from './options';

/** The Express app plus the handle to swap its engine. */
export interface ZhsearchApp extends express.Express {
  /** The engine answering new requests. */
  currentEngine(): SearchEngine;
  /** Load a new engine with `options.reload` and swap it in; the old one keeps serving on failure. */
  reload(): Promise<{ docs: number; builtAt: string }>;
}

const MAX_PAGE = 1000;
const DEFAULT_RESPONSE_CACHE = 1024;
/** Smaller answers (no hits, say) are sent as they are: gzip would save too little. */
const GZIP_MIN_BYTES = 1024;

/** A search answer as sent: JSON bytes up to the closing brace (each response ends with its own tookMs). */
interface CachedAnswer {
  head: Buffer;
  /** Compressed on the first request that accepts gzip. */
  gzip: DeflatedBody | null;
}

/**
 * Create the zhsearch HTTP app over an engine: JSON API, the search page and the
 * OpenSearch description. Requests read the engine once when they start, so a reload
 * swaps engines atomically while requests in flight finish on the old one.
 */
export function createApp(initial: SearchEngine, options: AppOptions = {}): ZhsearchApp {
  const log = options.logger ?? createLogger('silent');
  const newCache = (): LruCache<string, CachedAnswer> =>
    new LruCache(options.responseCache ?? DEFAULT_RESPONSE_CACHE, { admitOnRepeat: true });
  let current = initial;
  // Swapped together with `current`, so a response is never cached under another index.
  let responses = newCache();
  let reloading: Promise<{ docs: number; builtAt: string }> | null = null;

  const app = express() as unknown as ZhsearchApp;
  app.disable('x-powered-by');
  // Every search answer carries its own tookMs, so an ETag (a SHA-1 of each body) never matches.
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', false);

  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      log.info('request', {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - start) / 1e6,
      });
    });
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"], 'upgrade-insecure-requests': null },
      },
    }),
  );
  app.use(refuseUnwantedBodies);
  if (options.corsOrigins && options.corsOrigins.length > 0) app.use(cors(options.corsOrigins));
  if (options.rateLimit && options.rateLimit > 0) {
    app.use(
      rateLimit({
        windowMs: 60_000,
        limit: options.rateLimit,
        standardHeaders: 'draft-7',
        legacyHeaders: false,
        handler: (_req, res) => {
          res.status(429).json({ error: `rate limit: at most ${options.rateLimit} requests per minute` });
        },
      }),
    );
  }

  if (options.available) {
    const available = options.available;
    app.use((req, res, next) => {
      if (available() || !(req.path === '/healthz' || req.path.startsWith('/api/'))) return next();
      res
        .status(503)
        .set('Retry-After', '1')
        .json({ error: 'index store unavailable: the connection to Redis is down; retrying', status: 'unavailable' });
    });
  }

  mountArchiveRoutes(app, () => current);
  app.get('/api/stats', (_req, res) => void res.json(archiveStats(current)));
  app.get('/api/search', (req, res) => {
    const started = process.hrtime.bigint();
    const engine = current;
    const cache = responses;
    const q = single(req, 'q') ?? '';
    const page = integer(req, 'page', 1, 1, MAX_PAGE);
    const size = integer(req, 'size', 10, 1, MAX_LIMIT);
    const sortRaw = single(req, 'sort');
    if (sortRaw !== undefined && sortRaw !== '' && sortRaw !== 'relevance' && sortRaw !== 'date') {
      throw new BadRequest('parameter sort must be relevance or date', 'sort');
    }
    const category = single(req, 'category');
    const tag = single(req, 'tag');
    const author = single(req, 'author');
    const collapseRaw = single(req, 'collapse');
    if (collapseRaw !== undefined && !['', 'true', 'false', '1', '0'].includes(collapseRaw)) {
      throw new BadRequest('parameter collapse must be true or false', 'collapse');
    }
    const from = single(req, 'from');
    const to = single(req, 'to');
    const key = JSON.stringify([q, page, size, sortRaw, category, tag, author, collapseRaw, from, to]);
    let answer = cache.get(key);
    let tookMs: number;
    if (answer) {
      tookMs = msSince(started);
    } else {
      const r = engine.search(q, {
        collapse: collapseRaw !== 'false' && collapseRaw !== '0',
        offset: (page - 1) * size,
        limit: size,
        categories: category ? [category] : undefined,
        tags: tag ? [tag] : undefined,
        author: author || undefined,
        from: from || undefined,
        to: to || undefined,
        sort: sortRaw === 'date' ? 'date' : 'relevance',
      });
      tookMs = r.tookMs;
      // Everything but tookMs, serialized once: a repeated request costs a lookup and a copy.
      const { query, total, hits, facets, suggestion, interpretedAs } = r;
      const json = Buffer.from(JSON.stringify({ query, total, page, size, hits, facets, suggestion, interpretedAs }));
      answer = { head: json.subarray(0, -1), gzip: null };
      cache.set(key, answer);
    }
    const suffix = Buffer.from(`,"tookMs":${tookMs}}`);
    res.vary('Accept-Encoding').type('json');
    // Gzip makes a search answer about 40 % of its size (what a client over a real network
    // waits for) for one compression per cached answer; on loopback the server spends
    // about what the saved bytes would have cost it (docs/benchmarks.md, KB/answer).
    if (answer.head.length >= GZIP_MIN_BYTES && acceptsGzip(req)) {
      answer.gzip ??= deflateBody(answer.head);
      res.set('Content-Encoding', 'gzip').send(gzipWithSuffix(answer.gzip, suffix));
    } else {
      res.send(Buffer.concat([answer.head, suffix]));
    }
  });

  app.get('/api/suggest', (req, res) => {
    const q = single(req, 'q') ?? '';
    res.json({ suggestions: current.suggest(q) });
  });

  app.get('/api/docs/*id', (req, res) => {
    const parts = (req.params as { id?: string[] | string }).id;
    const id = Array.isArray(parts) ? parts.join('/') : String(parts ?? '');
    const post = id.length <= 1024 ? current.get(id) : null;
    if (!post) {
      res.status(404).json({ error: `no document with id ${JSON.stringify(id.slice(0, 200))}` });
      return;
    }
    res.json(post);
  });

  app.get('/healthz', (_req, res) => {
    const s = current.stats;
    res.json({ status: 'ok', docs: s.docs, builtAt: s.builtAt, formatVersion: s.formatVersion });
  });

  // Never built from the Host header: a cache in front that ignores Host would keep and
  // serve a description pointing wherever one request said.
  const openSearch = openSearchXml(options.publicUrl?.replace(/\/+$/, '') ?? '');
  app.get('/opensearch.xml', (_req, res) => {
    res.type('application/opensearchdescription+xml').send(openSearch);
  });

  app.post('/admin/reload', express.json({ limit: '1kb' }), (req, res, next) => {
    if (!options.adminToken) {
      res.status(404).json({ error: 'reload is disabled: set ADMIN_TOKEN to enable it' });
      return;
    }
    if (!bearerMatches(req.get('authorization'), options.adminToken)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong bearer token' });
      return;
    }
    app.reload().then(
      (info) => res.json({ status: 'reloaded', ...info }),
      (err: unknown) => {
        if (res.headersSent) return next(err);
        const failure = reloadFailure(err, options.available?.() ?? true);
        if (failure.status === 503) res.set('Retry-After', '5');
        res.status(failure.status).json({ error: `reload failed: ${failure.reason}; still serving the previous index`, status: 'failed' });
      },
    );
  });

  const GET_ROUTES = ['/api/search', '/api/suggest', '/api/stats', '/api/docs/*id', '/healthz', '/opensearch.xml'];
  for (const route of GET_ROUTES) {
    app.all(route, (req, res) => {
      res
        .status(405)
        .set('Allow', 'GET, HEAD')
        .json({ error: `method ${req.method} is not allowed here; use GET` });
    });
  }

  app.use(express.static(publicDir(), { index: 'index.html', dotfiles: 'ignore', fallthrough: true }));

  app.use((req, res) => {
    res.status(404).json({ error: `not found: ${req.method} ${req.path.slice(0, 200)}` });
  });

  // Express identifies error handlers by their four parameters.

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof BadRequest || err instanceof QueryError) {
      res.status(400).json({ error: err.message, parameter: err.parameter });
      return;
    }
    const status = httpStatus(err);
    if (status >= 400 && status < 500) {
      res.status(status).json({ error: status === 413 ? 'request body too large' : 'bad request' });
      return;
    }
    log.error('request failed', { method: req.method, path: req.path, error: err instanceof Error ? err.stack : String(err) });
    if (!res.headersSent) res.status(500).json({ error: 'internal error' });
  });

  app.currentEngine = () => current;
  app.reload = () => {
    if (!options.reload) return Promise.reject(new Error('this server was started without a way to reload'));
    // Concurrent reload requests share one load.
    reloading ??= options
      .reload()
      .then((engine) => {
        current = engine;
        responses = newCache();
        const s = engine.stats;
        log.info('index reloaded', { docs: s.docs, builtAt: s.builtAt });
        return { docs: s.docs, builtAt: s.builtAt };
      })
      .catch((err: unknown) => {
        log.error('reload failed: still serving the previous index', { error: err instanceof Error ? err.message : String(err) });
        throw err;
      })
      .finally(() => {
        reloading = null;
      });
    return reloading;
  };
  return app;
}

// Clients send a handful of distinct Accept-Encoding headers: negotiate each once.
const gzipByHeader = new Map<string, boolean>();
const MAX_NEGOTIATED = 64;

/** True when the client accepts gzip and prefers it to identity (q-values honoured). */
function acceptsGzip(req: Request): boolean {
  const header = req.headers['accept-encoding'] ?? '';
  let gzip = gzipByHeader.get(header);
  if (gzip === undefined) {
    gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    if (gzipByHeader.size >= MAX_NEGOTIATED) gzipByHeader.clear();
    gzipByHeader.set(header, gzip);
  }
  return gzip;
}

function httpStatus(err: unknown): number {
  if (typeof err === 'object' && err !== null) {
    const e = err as { status?: unknown; statusCode?: unknown };
    const s = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
    return s;
  }
  return 500;
}

function cors(origins: string[]) {
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    // Always: a cache in front must keep answers for different origins apart, the
    // refused ones (no CORS headers) included.
    res.vary('Origin');
    if (origin && allowed.has(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Allow-Methods', 'GET, HEAD');
    }
    if (req.method === 'OPTIONS' && origin && allowed.has(origin)) {
      res.status(204).end();
      return;
    }
    next();
  };
}

/** The OpenSearch description; `base` is the public URL without a trailing slash, or '' for relative URLs. */
function openSearchXml(base: string): string {
  const b = escapeHtml(base);
  return `<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>zhsearch</ShortName>
  <Description>zhsearch 中文全文搜索</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Url type="text/html" method="get" template="${b}/?q={searchTerms}"/>
</OpenSearchDescription>
`;
}

/** The static page folder, found from the package root (works from src/ and dist/src/). */
function publicDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'src', 'server', 'public');
    dir = dirname(dir);
  }
  return join(__dirname, 'public');
}
