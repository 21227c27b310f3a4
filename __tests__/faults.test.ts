import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { SearchEngine } from '../src';
import { createApp } from '../src/server/app';
import { createLogger } from '../src/server/log';
import { ensureDist, spawnServe, type ServeProcess } from './helpers/dist';
import { buildTempIndex, rawRequest, renderFiles, type BuiltIndex } from './helpers/server';

/**
 * Faults inside the server: an exception in one request is a 500 JSON answer without a
 * stack and does not affect the next request; SIGTERM lets requests in flight finish.
 */

const STACK = /\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+|\.js:\d+|node_modules|\/work\//;
const SECRET = 'engine exploded in /work/main/src/secret.ts:42';

/** A real engine whose methods fail for the input "boom" (a Proxy: no mocking library). */
function faultyEngine(engine: SearchEngine): SearchEngine {
  const failing: Record<string, (arg: string) => unknown> = {
    search: (q) => (q === 'boom' ? fail() : q === 'boom-string' ? fail('a thrown string') : undefined),
    suggest: (q) => (q === 'boom' ? fail() : undefined),
    get: (id) => (id === 'boom' ? fail(Object.assign(new Error(SECRET), { status: 'nonsense' })) : undefined),
  };
  return new Proxy(engine, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const guard = failing[prop as string];
      return (...args: unknown[]) => {
        guard?.(args[0] as string);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function fail(err: unknown = new Error(SECRET)): never {
  throw err;
}

describe('an exception inside one request', () => {
  let server: Server;
  let url: string;
  const logged: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const engine = SearchEngine.fromDocuments([
      { id: 'a.md', title: '城市的清晨', text: '清晨的城市很安静，只有环卫工人在扫街。' },
      { id: 'b.md', title: '城市的夜晚', text: '夜晚的城市灯火通明。' },
    ]);
    const app = createApp(faultyEngine(engine), {
      logger: createLogger('error', (l) => logged.push(JSON.parse(l) as Record<string, unknown>)),
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test.each([
    ['search throws an Error', '/api/search?q=boom', '/api/search?q=%E5%9F%8E%E5%B8%82'],
    ['search throws a string', '/api/search?q=boom-string', '/api/search?q=%E5%9F%8E%E5%B8%82'],
    ['suggest throws', '/api/suggest?q=boom', '/api/suggest?q=%E5%9F%8E'],
    ['get throws an Error with a bogus status', '/api/docs/boom', '/api/docs/a.md'],
  ])('%s: 500 {error: "internal error"}, no stack; the next request succeeds', async (_name, bad, good) => {
    const before = logged.length;
    const res = await rawRequest(url, bad);
    expect(res.status).toBe(500);
    expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
    expect(res.json).toEqual({ error: 'internal error' });
    expect(res.text).not.toMatch(STACK);
    expect(res.text).not.toContain('exploded');
    // The operator gets the details in the log instead.
    expect(logged.slice(before)).toContainEqual(expect.objectContaining({ level: 'error', msg: 'request failed' }));
    const next = await rawRequest(url, good);
    expect(next.status).toBe(200);
  });

  test('failing and succeeding requests at the same time do not affect each other', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => rawRequest(url, i % 2 ? '/api/search?q=boom' : '/api/search?q=%E5%9F%8E%E5%B8%82')),
    );
    answers.forEach((res, i) => {
      if (i % 2) expect(res.status).toBe(500);
      else expect({ status: res.status, total: (res.json as { total: number }).total }).toEqual({ status: 200, total: 2 });
    });
  });
});

/** A raw HTTP/1.1 request, sent in two parts so that it is in flight for as long as we like. */
interface HeldRequest {
  socket: Socket;
  finish: () => void;
  answer: Promise<{ status: number; body: string }>;
}

function holdRequest(port: number, path: string): Promise<HeldRequest> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const answer = new Promise<{ status: number; body: string }>((res, rej) => {
      socket.setEncoding('utf8').on('data', (d: string) => (data += d));
      socket.on('error', rej);
      socket.on('close', () => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
        res({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
      });
    });
    answer.catch(() => undefined);
    socket.once('error', reject);
    socket.once('connect', () => {
      // Everything but the blank line that ends the headers.
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`);
      resolve({ socket, finish: () => socket.write('\r\n'), answer });
    });
  });
}

/** A keep-alive connection that has had its answer and now sits idle; `closed` resolves when the server closes it. */
function idleConnection(port: number): Promise<{ closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((res) => socket.on('close', () => res()));
    let data = '';
    socket.once('error', reject);
    socket.setEncoding('utf8').on('data', (d: string) => {
      data += d;
      if (/^HTTP\/1\.1 200[\s\S]*\r\n\r\n\{[\s\S]*\}$/.test(data)) resolve({ closed });
    });
    socket.once('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
  });
}

describe('graceful shutdown of the compiled server', () => {
  let index: BuiltIndex;
  let serve: ServeProcess | null = null;

  beforeAll(async () => {
    ensureDist();
    index = await buildTempIndex(
      renderFiles({
        'a.md': { title: '港口的早晨', body: '<p>渔船在港口靠岸，海鸥在头顶盘旋。</p>' },
        'b.md': { title: '灯塔', body: '<p>港口外的灯塔整夜亮着。</p>' },
      }),
    );
  }, 60_000);
  afterAll(() => {
    if (serve && serve.proc.exitCode === null && serve.proc.signalCode === null) serve.proc.kill('SIGKILL');
    index?.cleanup();
  });

  test('SIGTERM: 20 requests in flight complete with 200, new connections are refused, exit 0', async () => {
    serve = spawnServe({ PORT: '0', HOST: '127.0.0.1', INDEX_DIR: index.indexDir, LOG_LEVEL: 'info', RATE_LIMIT: '0' });
    const url = String((await serve.waitFor('listening')).url);
    const port = Number(new URL(url).port);

    // An idle keep-alive connection must not hold the shutdown up.
    const idle = await idleConnection(port);
    const held = await Promise.all(
      Array.from({ length: 20 }, (_, i) => holdRequest(port, `/api/search?q=%E6%B8%AF%E5%8F%A3&page=${1 + (i % 3)}`)),
    );
    // Let the server accept every connection and read the partial headers.
    await new Promise((r) => setTimeout(r, 300));

    const sigterm = Date.now();
    serve.proc.kill('SIGTERM');
    await serve.waitForLine('shutdown', (l) => typeof l.msg === 'string' && l.msg.startsWith('SIGTERM'));
    // No longer listening: refused, or reset if it raced the listening socket's close.
    await expect(rawRequest(url, '/healthz')).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);

    for (const h of held) h.finish();
    const answers = await Promise.all(held.map((h) => h.answer));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(JSON.parse(a.body)).toMatchObject({ query: '港口', total: 2 });
    }
    await idle.closed;
    const { code, signal } = await serve.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // Well before the 10 s grace period: nothing was left hanging.
    expect(Date.now() - sigterm).toBeLessThan(5_000);
    expect(serve.stderr()).toBe('');
  }, 60_000);
});
