import { wholeNumber, wholeNumberRule } from '../engine/options';
import { checkIndexName } from '../store/index-name';
import { DEFAULT_HEAP_GROWING_PERCENT } from './heap';
import { parseLogLevel, type LogLevel } from './log';

/** Server settings, from environment variables (see README "Configuration"). */
export interface ServerConfig {
  port: number;
  host: string;
  indexDir: string;
  /** Serve an index from Redis (REDIS_URL) instead of INDEX_DIR; needs {@link indexName}. */
  redisUrl?: string;
  /** Index name in Redis (INDEX_NAME). */
  indexName?: string;
  adminToken?: string;
  /** The site's public URL (PUBLIC_URL), used in the OpenSearch description; relative URLs without it. */
  publicUrl?: string;
  corsOrigins: string[];
  /** Requests per minute per IP; 0 = off. */
  rateLimit: number;
  logLevel: LogLevel;
  /** How far V8's heap may grow over live data before a full GC, in % (0 = V8's default). */
  heapGrowingPercent: number;
}

/** Read PORT, HOST, INDEX_DIR, REDIS_URL, INDEX_NAME, ADMIN_TOKEN, PUBLIC_URL, CORS_ORIGINS, RATE_LIMIT, LOG_LEVEL and HEAP_GROWING_PERCENT; bad values throw naming the variable. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const redisUrl = env.REDIS_URL || undefined;
  const indexName = env.INDEX_NAME || undefined;
  if (redisUrl && !indexName) throw new Error('INDEX_NAME must be set with REDIS_URL (the --name given to build-index --backend redis)');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new Error('REDIS_URL must start with redis:// or rediss://');
  if (redisUrl && indexName) checkIndexName(indexName, 'INDEX_NAME');
  return {
    redisUrl,
    indexName,
    port: intVar(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    indexDir: env.INDEX_DIR || 'index-data',
    adminToken: env.ADMIN_TOKEN || undefined,
    publicUrl: publicUrlVar(env.PUBLIC_URL),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    rateLimit: intVar(env, 'RATE_LIMIT', 600, 0, 1_000_000),
    logLevel: parseLogLevel(env.LOG_LEVEL),
    heapGrowingPercent: intVar(env, 'HEAP_GROWING_PERCENT', DEFAULT_HEAP_GROWING_PERCENT, 0, 400),
  };
}

function intVar(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = wholeNumber(v, min, max);
  if (n === null) throw new Error(`${wholeNumberRule(name, min, max)} (got ${JSON.stringify(v)})`);
  return n;
}

/** PUBLIC_URL: an http(s) URL without query or fragment (a path prefix is allowed). */
function publicUrlVar(v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`PUBLIC_URL must be an http:// or https:// URL (got ${JSON.stringify(v.slice(0, 100))})`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash || u.username || u.password) {
    throw new Error(
      `PUBLIC_URL must be an http:// or https:// URL without query, fragment or credentials (got ${JSON.stringify(v.slice(0, 100))})`,
    );
  }
  return u.href.replace(/\/+$/, '');
}
