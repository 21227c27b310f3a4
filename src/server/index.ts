/**
 * zhsearch's HTTP server, for embedding in an application:
 *
 *   import { SearchEngine } from 'zhsearch';
 *   import { createApp, createHttpServer } from 'zhsearch/server';
 *   const app = createApp(await SearchEngine.open('index-data/'));
 *   createHttpServer(app).listen(3000);
 *
 * The types here are zhsearch's own (the app is an Express app inside, but Express's
 * types are not part of this API), so they compile without @types/express.
 */
import type { Express } from 'express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { SearchEngine } from '../engine';
import { createApp as createExpressApp } from './app';
import { createHttpServer as createServerFor } from './http-server';
import type { AppOptions } from './options';

export type { AppOptions } from './options';
export type { Logger, LogLevel } from './log';
export { createLogger } from './log';
export { configFromEnv } from './config';
export type { ServerConfig } from './config';

/** The search app: a request handler for node:http (or a mount point in another Express app) plus the engine swap. */
export interface ZhsearchApp {
  (req: IncomingMessage, res: ServerResponse): void;
  /** The engine answering new requests. */
  currentEngine(): SearchEngine;
  /** Load a new engine with `options.reload` and swap it in; the old one keeps serving on failure. */
  reload(): Promise<{ docs: number; builtAt: string }>;
}

/**
 * The HTTP app over an engine: JSON API (/api/search, /api/related, /healthz…), the
 * search page on / and the OpenSearch description. Requests read the engine once when
 * they start, so a reload swaps engines atomically.
 */
export function createApp(engine: SearchEngine, options: AppOptions = {}): ZhsearchApp {
  return createExpressApp(engine, options);
}

/** A node:http server for an app made by {@link createApp} (faster than `http.createServer(app)`); call `.listen()` on it. */
export function createHttpServer(app: ZhsearchApp): Server {
  return createServerFor(app as unknown as Express);
}
