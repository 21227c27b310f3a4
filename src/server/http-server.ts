import type { Express } from 'express';
import { createServer, IncomingMessage, ServerResponse, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The HTTP server for an Express app, creating each request and response with the
 * app's prototypes (`app.request`, `app.response`) already in place.
 *
 * Why: Express 5 re-parents every request and response with `Object.setPrototypeOf`, which
 * V8 handles slowly and which leaves garbage that forces frequent full collections under load
 * (docs/ARCHITECTURE.md, Performance notes); with the final prototype in place from the
 * start, Express's call is a no-op. Each subclass's prototype is spliced in front of the
 * app's and the app is pointed at it, so the chain Express expects is unchanged.
 */
export function createHttpServer(app: Express, options: { connectionsCheckingInterval?: number } = {}): Server {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse<AppRequest> {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as unknown as Express['request'];
  app.response = AppResponse.prototype as unknown as Express['response'];
  const server = createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse, ...options }, app);
  server.on('clientError', answerClientError);
  return server;
}

/**
 * Answer a request Node's parser refused, as Node would (400, 408 or 431, then close),
 * but with a JSON body that says what was wrong. The common case is a URL typed with raw
 * non-ASCII characters (`curl 'host/api/search?q=中文'`): the parser refuses any byte
 * over 0x7f in the request line, and Node's own answer is an empty 400.
 */
function answerClientError(
  err: Error & { code?: string; rawPacket?: Buffer },
  socket: Duplex & { _httpMessage?: { headersSent?: boolean } | null },
): void {
  // As Node does: answer unless a response on this connection has begun (it would be corrupted).
  const inFlight = socket._httpMessage;
  if (socket.writable && (!inFlight || !inFlight.headersSent)) {
    let status = 400;
    let message = 'malformed HTTP request';
    if (err.code === 'HPE_HEADER_OVERFLOW') [status, message] = [431, 'request headers too large'];
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') [status, message] = [408, 'request timed out: the headers or body came too slowly'];
    else if (rawRequestLineHasNonAscii(err.rawPacket)) {
      message =
        'the URL contains raw non-ASCII characters: percent-encode them (UTF-8), e.g. curl -G --data-urlencode "q=中文" http://HOST/api/search';
    }
    const body = Buffer.from(JSON.stringify({ error: message }));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    socket.write(body);
  }
  socket.destroy();
}

function rawRequestLineHasNonAscii(packet: Buffer | undefined): boolean {
  if (!packet) return false;
  const end = packet.indexOf(10);
  const line = end < 0 ? packet : packet.subarray(0, end);
  return line.some((b) => b > 0x7f);
}
