import type { Express } from 'express';
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';

/**
 * The HTTP server for an Express app, creating each request and response with the
 * app's prototypes (`app.request`, `app.response`) already in place.
 *
 * Why: Express 5 re-parents every request and response with `Object.setPrototypeOf`.
 * V8 handles that change of a live object's prototype slowly, and what it leaves behind
 * survives young-generation collections: under load about 4 MB were promoted per
 * scavenge, which forced a full collection, with a 15–25 ms pause, about every second
 * (`node --trace-gc`), and those pauses set the server's p99. An object created with its
 * final prototype makes Express's call a no-op. Subclasses keep V8's fast construction
 * path; each class's prototype is spliced in front of the app's, and the app is pointed
 * at it, so the chain Express expects is unchanged.
 */
export function createHttpServer(app: Express): Server {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse<AppRequest> {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as unknown as Express['request'];
  app.response = AppResponse.prototype as unknown as Express['response'];
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
}
