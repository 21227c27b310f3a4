import type { SearchEngine } from '../engine';
import type { Logger } from './log';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Loads a fresh engine for POST /admin/reload and {@link ZhsearchApp.reload}. */
  reload?: () => Promise<SearchEngine>;
  /** Bearer token for POST /admin/reload; the route is disabled without it. */
  adminToken?: string;
  /** Origins allowed to call the API from a browser (CORS); none by default. */
  corsOrigins?: string[];
  /** Requests per minute per client IP; 0 (default) turns the limit off. */
  rateLimit?: number;
  logger?: Logger;
  /**
   * False while the index store (Redis) cannot be reached: /api/* and /healthz then
   * answer 503 JSON until it is back.
   */
  available?: () => boolean;
  /**
   * Search responses kept, as JSON bytes (and gzip, once a client accepts it), for repeated
   * requests (default 1,024; 0 turns it off). A request is cached the second time it is
   * seen; a reload starts an empty cache.
   */
  responseCache?: number;
  /**
   * The public URL of the site (PUBLIC_URL), for the OpenSearch description; without it
   * the description's URLs are relative, never taken from the request's Host header.
   */
  publicUrl?: string;
}
