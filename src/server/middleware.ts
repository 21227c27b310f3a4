import cors from 'cors';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import { QueryError } from '../engine';
import type { Logger } from './log';
import { BadRequest } from './params';

/** One log entry per finished request: method, path, status and milliseconds. */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
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
  };
}

/** Security headers; the page loads only its own scripts and data: images. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: { 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"], 'upgrade-insecure-requests': null },
    },
  });
}

/**
 * CORS for an allow-list of origins. `Vary: Origin` goes on every answer, refused origins
 * included, so a cache in front keeps answers for different origins apart.
 */
export function corsFor(origins: string[]): RequestHandler {
  return cors({ origin: origins, methods: ['GET', 'HEAD'] });
}

/** At most `perMinute` requests per client IP, answered with a JSON 429 beyond that. */
export function rateLimitFor(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json({ error: `rate limit: at most ${perMinute} requests per minute` });
    },
  });
}

/** 503 for the API and /healthz while the index store cannot be reached. */
export function whileAvailable(available: () => boolean): RequestHandler {
  return (req, res, next) => {
    if (available() || !(req.path === '/healthz' || req.path.startsWith('/api/'))) return next();
    res
      .status(503)
      .set('Retry-After', '1')
      .json({ error: 'index store unavailable: the connection to Redis is down; retrying', status: 'unavailable' });
  };
}

/** The answer of a GET route to any other method. */
export const methodNotAllowed: RequestHandler = (req, res) => {
  res
    .status(405)
    .set('Allow', 'GET, HEAD')
    .json({ error: `method ${req.method} is not allowed here; use GET` });
};

/** JSON 404 for everything no route answered. */
export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: `not found: ${req.method} ${req.path.slice(0, 200)}` });
};

/** Bad parameters are 400s naming the parameter; other client errors keep their status; the rest is a logged 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
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
  };
}

function httpStatus(err: unknown): number {
  if (typeof err !== 'object' || err === null) return 500;
  const e = err as { status?: unknown; statusCode?: unknown };
  return typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
}
