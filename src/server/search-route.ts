import type { Request, RequestHandler, Response } from 'express';
import { MAX_LIMIT, msSince, type SearchEngine } from '../engine';
import { LruCache } from '../lru';
import type { EngineHolder } from './engine-holder';
import { deflateBody, gzipWithSuffix, type DeflatedBody } from './gzip';
import { integer, searchFilters, single } from './params';

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
 * GET /api/search as JSON. Owns the response cache: answers serialized once (and gzipped
 * once), kept per engine, so a reload starts an empty cache and nothing is served from
 * another index.
 */
export function searchRoute(engines: EngineHolder, cacheSize = DEFAULT_RESPONSE_CACHE): RequestHandler {
  const newCache = (): LruCache<string, CachedAnswer> => new LruCache(cacheSize, { admitOnRepeat: true });
  let cachedFor: SearchEngine = engines.current();
  let cache = newCache();
  return (req, res) => {
    const started = process.hrtime.bigint();
    const engine = engines.current();
    if (engine !== cachedFor) {
      cachedFor = engine;
      cache = newCache();
    }
    const answers = cache;
    const q = single(req, 'q') ?? '';
    const page = integer(req, 'page', 1, 1, MAX_PAGE);
    const size = integer(req, 'size', 10, 1, MAX_LIMIT);
    const filters = searchFilters(req);
    const key = JSON.stringify([q, page, size, filters]);
    let answer = answers.get(key);
    let tookMs: number;
    if (answer) {
      tookMs = msSince(started);
    } else {
      const r = engine.search(q, { ...filters, offset: (page - 1) * size, limit: size });
      tookMs = r.tookMs;
      // Everything but tookMs, serialized once: a repeated request costs a lookup and a copy.
      const { query, total, hits, facets, suggestion, interpretedAs, interpretedBy, terms, fullMatches, truncated, relaxed } = r;
      const json = Buffer.from(
        JSON.stringify({
          query,
          total,
          page,
          size,
          hits,
          facets,
          suggestion,
          interpretedAs,
          interpretedBy,
          terms,
          fullMatches,
          truncated,
          relaxed,
        }),
      );
      answer = { head: json.subarray(0, -1), gzip: null };
      answers.set(key, answer);
    }
    const suffix = Buffer.from(`,"tookMs":${tookMs}}`);
    res.vary('Accept-Encoding').type('json');
    // Compressed once per cached answer; each response appends its own tookMs (see gzip.ts).
    if (answer.head.length >= GZIP_MIN_BYTES && acceptsGzip(req)) {
      answer.gzip ??= deflateBody(answer.head);
      res.set('Content-Encoding', 'gzip');
      sendParts(res, gzipWithSuffix(answer.gzip, suffix));
    } else {
      sendParts(res, [answer.head, suffix]);
    }
  };
}

/**
 * Send a body given in parts without joining them: joining copied the whole cached answer
 * for every response. Node corks the socket on the first write until the next tick, so
 * the headers and the parts still leave in one system call; a HEAD response gets the
 * length and no body (Node drops body writes for it).
 */
function sendParts(res: Response, parts: readonly Buffer[]): void {
  const length = parts.reduce((n, p) => n + p.length, 0);
  res.setHeader('Content-Length', length);
  for (let i = 0; i < parts.length - 1; i++) res.write(parts[i]);
  res.end(parts[parts.length - 1]);
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
