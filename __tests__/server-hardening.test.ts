import * as crypto from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { RunningServer } from '../src/server/main';
import { tempDir } from './helpers/corpus';
import { ensureDist, spawnServe } from './helpers/dist';
import { buildTempIndex, rawRequest, renderFiles, startTestServer, type BuiltIndex } from './helpers/server';

// timingSafeEqual, observed: node:crypto's own export cannot be spied on in place.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

/**
 * The HTTP server against clients that misbehave: slow headers, bodies where none
 * belong, raw UTF-8 in the request line; and the admin token check, CORS caching
 * headers and what the process does after an uncaught exception.
 */

const TOKEN = 'tide-table-lantern-9';
let index: BuiltIndex;
let srv: RunningServer;

beforeAll(async () => {
  index = await buildTempIndex(
    renderFiles({
      'a.md': { title: '司马青禾的渡口', date: '2021-02-03', body: '<p>渡口的船夫每天清晨把缆绳解开。</p>' },
      'b.md': { title: '渡口以北', date: '2022-02-03', body: '<p>过了渡口再往北，是一片芦苇荡。</p>' },
    }),
  );
  srv = await startTestServer(index.indexDir, { adminToken: TOKEN, corsOrigins: ['https://allowed.example'] });
});
afterAll(async () => {
  await srv?.close(1000);
  index?.cleanup();
});

/** A raw connection to the test server. */
function open(): Promise<Socket> {
  const { port } = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or `timeoutMs` passes: null). */
function readUntilClosed(s: Socket, timeoutMs: number): Promise<{ text: string; ms: number } | null> {
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      resolve(null);
    }, timeoutMs);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started });
    });
  });
}

function parseRaw(text: string): { status: number; headers: Record<string, string>; body: string } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}

describe('request line', () => {
  test('raw UTF-8 in the URL gets a JSON 400 that says to percent-encode', async () => {
    const s = await open();
    const answer = readUntilClosed(s, 5_000);
    s.write(Buffer.from('GET /api/search?q=司马青禾 HTTP/1.1\r\nHost: localhost\r\n\r\n', 'utf8'));
    const got = await answer;
    expect(got).not.toBeNull();
    const res = parseRaw(got!.text);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body) as { error: string };
    expect(body.error).toMatch(/percent-encode/);
    expect(body.error).toContain('--data-urlencode');
  });

  test('on a kept-alive connection, after a first answer, raw UTF-8 still gets the JSON 400', async () => {
    const s = await open();
    const answer = readUntilClosed(s, 5_000);
    s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((r) => s.once('data', r));
    s.write(Buffer.from('GET /api/search?q=渡口 HTTP/1.1\r\nHost: localhost\r\n\r\n', 'utf8'));
    const text = (await answer)!.text;
    const second = text.slice(text.indexOf('HTTP/1.1', 1));
    expect(parseRaw(second).status).toBe(400);
    expect((JSON.parse(parseRaw(second).body) as { error: string }).error).toMatch(/percent-encode/);
  });

  test('other malformed requests still get 400, as JSON', async () => {
    const s = await open();
    const answer = readUntilClosed(s, 5_000);
    s.write('NOT A REQUEST\r\n\r\n');
    const res = parseRaw((await answer)!.text);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: 'malformed HTTP request' });
  });
});

describe('slow clients', () => {
  test('a client that sends its headers a byte at a time is cut off within about 10 s', async () => {
    const s = await open();
    const answer = readUntilClosed(s, 20_000);
    s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    const drip = setInterval(() => {
      if (!s.destroyed) s.write('a');
    }, 500);
    const got = await answer;
    clearInterval(drip);
    expect(got).not.toBeNull();
    expect(got!.ms).toBeLessThan(13_000);
    expect(parseRaw(got!.text).status).toBe(408);
  }, 30_000);
});

describe('request bodies', () => {
  test('a GET with a body is refused (413 JSON) and the connection closed without reading the body', async () => {
    const s = await open();
    const answer = readUntilClosed(s, 5_000);
    s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2048\r\n\r\n' + 'x'.repeat(100));
    const got = await answer;
    expect(got).not.toBeNull();
    const res = parseRaw(got!.text);
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body)).toEqual({ error: 'a GET request takes no body' });
  });

  test('a 5 MB text/plain POST to /admin/reload is refused at once, the rest never read', async () => {
    const s = await open();
    const answer = readUntilClosed(s, 5_000);
    s.write(
      `POST /admin/reload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: text/plain\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n` +
        'x'.repeat(4096),
    );
    const got = await answer;
    expect(got).not.toBeNull();
    const res = parseRaw(got!.text);
    expect(res.status).toBe(413);
    expect((JSON.parse(res.body) as { error: string }).error).toMatch(/at most 1024 bytes/);
  });

  test('a POST on a search route is still 405, and closes the connection', async () => {
    const res = await rawRequest(srv.url, '/api/search?q=a', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', connection: 'keep-alive' },
      body: 'abc',
    });
    expect(res.status).toBe(405);
    expect(res.headers.connection).toBe('close');
  });
});

describe('CORS', () => {
  test('Vary: Origin is sent for refused origins and for requests without one, not only for allowed origins', async () => {
    for (const headers of [{ origin: 'https://allowed.example' }, { origin: 'https://evil.example' }, {} as Record<string, string>]) {
      const res = await rawRequest(srv.url, '/api/search?q=%E6%B8%A1%E5%8F%A3', { headers });
      expect(res.status).toBe(200);
      expect(String(res.headers.vary)).toMatch(/(^|, *)Origin(,|$)/i);
    }
  });
});

describe('admin token', () => {
  test('the check compares fixed-size digests, whatever the length of the token sent', async () => {
    const spy = crypto.timingSafeEqual as jest.MockedFunction<typeof crypto.timingSafeEqual>;
    for (const sent of ['x', TOKEN.slice(1), TOKEN + 'x'.repeat(100)]) {
      spy.mockClear();
      const res = await rawRequest(srv.url, '/admin/reload', { method: 'POST', headers: { authorization: `Bearer ${sent}` } });
      expect(res.status).toBe(401);
      expect(spy).toHaveBeenCalledTimes(1);
      const [a, b] = spy.mock.calls[0] as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
    }
    const ok = await rawRequest(srv.url, '/admin/reload', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
  });
});

describe('uncaught exceptions', () => {
  test('the server logs the exception and exits with code 1 instead of serving on in an undefined state', async () => {
    ensureDist();
    const tmp = tempDir();
    try {
      const boom = join(tmp.dir, 'boom.js');
      // Preloaded into the server process: an exception no code path catches, once it is up.
      writeFileSync(boom, "setTimeout(() => { throw new Error('boom from the test'); }, 1500);\n");
      const serve = spawnServe({
        INDEX_DIR: index.indexDir,
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_OPTIONS: `--require ${boom}`,
        LOG_LEVEL: 'info',
      });
      await serve.waitFor('listening');
      const exit = await Promise.race([serve.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      if (exit === null) serve.proc.kill('SIGKILL');
      expect(exit).toEqual({ code: 1, signal: null });
      const line = serve.lines.find((l) => String(l.msg).startsWith('uncaught exception'));
      expect(String(line?.error)).toContain('boom from the test');
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
