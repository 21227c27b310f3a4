import type { NextFunction, Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks in front of the routes: the admin bearer token, request bodies where none
 * belong, and what a failed reload tells the client.
 */

/**
 * Compare the bearer token by SHA-256 digests: equal lengths always, so the time taken
 * tells nothing about the token's length or content.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/i.exec(header ?? '');
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m ? m[1] : ''), digest(token)) && m !== null;
}

/**
 * A short reason a reload failed, without paths (the log has the full message), and the
 * status to answer: 503 when the index store cannot be reached, 409 otherwise (the new
 * index cannot be used; the old one keeps serving).
 */
export function reloadFailure(err: unknown, storeAvailable: boolean): { status: 409 | 503; reason: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (!storeAvailable || /cannot connect|connection|socket|ECONNREFUSED|client is closed/i.test(message)) {
    return { status: 503, reason: 'the index store cannot be reached' };
  }
  const reasons: Array<[RegExp, string]> = [
    [/checksum/, 'the new index is damaged (a file does not match its checksum)'],
    [/format version/, 'the new index has a format version this server does not read'],
    [/no index|no manifest|no readable manifest/, 'there is no index to load'],
    [/damaged/, 'the new index is damaged'],
    [/segmenter|dictionary/, 'the new index needs another segmenter or dictionary'],
    [/without a way to reload/, 'this server cannot reload'],
  ];
  for (const [re, reason] of reasons) if (re.test(message)) return { status: 409, reason };
  return { status: 409, reason: 'the new index could not be loaded (see the server log)' };
}

/** Bytes a request body may have on POST /admin/reload; no other route takes one. */
const ADMIN_BODY_LIMIT = 1024;

/**
 * Refuse request bodies where none belong, without reading them: a body on GET or HEAD,
 * more than 1 KB (or a body of unknown length that is not JSON) on the admin route. Other methods on
 * routes that take no body get their usual answer (405, 404). Every such answer closes
 * the connection, so the body is never read.
 */
export function refuseUnwantedBodies(req: Request, res: Response, next: NextFunction): void {
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const declared = length !== undefined ? Number(length) : chunked ? Infinity : 0;
  if (declared === 0) return next();
  const admin = req.method === 'POST' && req.path === '/admin/reload';
  // A chunked JSON body is read by the JSON parser, which stops at the same limit.
  if (admin && (declared <= ADMIN_BODY_LIMIT || (declared === Infinity && req.is('application/json')))) return next();
  res.set('Connection', 'close');
  if (admin) {
    res.status(413).json({ error: `request body too large: at most ${ADMIN_BODY_LIMIT} bytes of JSON` });
  } else if (req.method === 'GET' || req.method === 'HEAD') {
    res.status(413).json({ error: `a ${req.method} request takes no body` });
  } else {
    next();
  }
}
