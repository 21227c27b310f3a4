import { LruCache } from '../lru';
import type { CheckedRequest } from './options';
import type { SearchResult } from './types';

/** Results kept when the embedder does not say (OpenOptions.resultCache). */
export const DEFAULT_RESULT_CACHE = 1024;

/**
 * Recent search results, read-only (frozen): search boxes repeat queries (paging back,
 * suggestions clicked, popular words), and an engine never changes once loaded, so a
 * reload swaps the cache out with it.
 */
export class ResultCache {
  private readonly lru: LruCache<string, SearchResult>;

  constructor(size: number = DEFAULT_RESULT_CACHE) {
    this.lru = new LruCache(size, { admitOnRepeat: true });
  }

  /** The key of a query and its checked options: equal keys give equal results. */
  static key(query: string, r: CheckedRequest): string {
    const f = r.filters;
    return JSON.stringify([query, r.offset, r.limit, f.categories, f.tags, f.author, f.fromMs, f.toMs, r.sort, r.collapse, r.asTyped]);
  }

  /** A copy of the cached result (own hits array, `tookMs` since `started`), or null. */
  get(key: string, started: bigint): SearchResult | null {
    const cached = this.lru.get(key);
    return cached ? { ...cached, hits: cached.hits.slice(), tookMs: msSince(started) } : null;
  }

  /**
   * Offer `result` to the cache and return a copy to hand out. A result the cache keeps is
   * frozen, so that callers sharing it cannot change it; one it does not keep (a first
   * offer, or no cache) is not frozen, which would only cost time.
   */
  set(key: string, result: SearchResult, started: bigint): SearchResult {
    if (this.lru.set(key, result)) deepFreeze(result);
    return { ...result, hits: result.hits.slice(), tookMs: msSince(started) };
  }
}

/** Freeze a result and everything in it (cached results are shared between callers). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Milliseconds since `started` (a process.hrtime.bigint() reading), to 0.01 ms: what `tookMs` reports. */
export function msSince(started: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
}
