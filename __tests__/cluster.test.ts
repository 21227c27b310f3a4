import { cpSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { buildIndex } from '../src/indexer/build';
import { SearchEngine } from '../src/engine';
import { buildRedisIndex } from '../src/indexer/build-redis';
import { parseWorkers } from '../src/server/cluster';
import { configFromEnv } from '../src/server/config';
import { renderPost, tempDir } from './helpers/corpus';
import { ensureDist, spawnServe, type ServeProcess } from './helpers/dist';
import { itRedis, startRedis, type TestRedis } from './helpers/redis';
import { descendantPids, mapsJieba } from './helpers/proc';

const CORPUS = join(__dirname, '..', 'corpus');
const NEW_WORD = '琥珀灯塔';

/** GET on a fresh connection each time, so the cluster spreads requests over its workers. */
function fresh(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    }).on('error', reject);
  });
}

function addPost(dir: string): void {
  writeFileSync(
    join(dir, '2024-02-02-新港夜游.md'),
    renderPost({ title: '新港夜游记', date: '2024-02-02', body: `<p>海堤尽头的${NEW_WORD}在夜里亮起，游人沿着栈道慢慢走。</p>` }),
  );
}

async function listening(serve: ServeProcess, workers: number): Promise<string> {
  const url = (await serve.waitForLine('listening', (l) => l.msg === 'listening', 60_000)).url as string;
  await serve.waitForLine(`${workers} listening`, () => serve.lines.filter((l) => l.msg === 'listening').length === workers, 60_000);
  expect(new Set(serve.lines.filter((l) => l.msg === 'listening').map((l) => l.url))).toEqual(new Set([url]));
  return url;
}

/** Every one of 20 requests (spread over the workers) finds the new post. */
async function allFind(url: string): Promise<void> {
  const answers = await Promise.all(Array.from({ length: 20 }, () => fresh(`${url}/api/search?q=${encodeURIComponent(NEW_WORD)}`)));
  expect(answers.map((a) => [a.status, a.body.total])).toEqual(answers.map(() => [200, 1]));
}

describe('--workers N (node:cluster)', () => {
  beforeAll(() => ensureDist());

  it('parses --workers and WORKERS, naming the one that is wrong', () => {
    expect(parseWorkers(undefined, undefined)).toBe(1);
    expect(parseWorkers('2', '9')).toBe(2);
    expect(parseWorkers(undefined, '3')).toBe(3);
    expect(() => parseWorkers('0')).toThrow(/--workers must be a whole number from 1 to 64/);
    expect(() => parseWorkers(undefined, 'two')).toThrow(/WORKERS must be/);
  });

  it('reads REDIS_URL and INDEX_NAME, naming the variable that is wrong', () => {
    expect(configFromEnv({ REDIS_URL: 'redis://127.0.0.1:6379', INDEX_NAME: 'news' })).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      indexName: 'news',
    });
    expect(() => configFromEnv({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/INDEX_NAME must be set with REDIS_URL/);
    expect(() => configFromEnv({ REDIS_URL: 'http://x', INDEX_NAME: 'news' })).toThrow(/REDIS_URL must start with redis:\/\//);
    expect(() => configFromEnv({ REDIS_URL: 'redis://x', INDEX_NAME: 'News!' })).toThrow(/INDEX_NAME must be 1-63 lower-case/);
  });

  it('serves a file index from 2 workers on one port; SIGHUP reloads every worker; SIGTERM exits 0', async () => {
    const corpus = tempDir();
    const out = tempDir();
    cpSync(CORPUS, corpus.dir, { recursive: true });
    await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
    const serve = spawnServe({ WORKERS: '2', PORT: '0', HOST: '127.0.0.1', INDEX_DIR: out.dir, LOG_LEVEL: 'info', RATE_LIMIT: '0' });
    try {
      const url = await listening(serve, 2);
      expect((await fresh(`${url}/api/search?q=${encodeURIComponent(NEW_WORD)}`)).body.total).toBe(0);
      addPost(corpus.dir);
      await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
      serve.proc.kill('SIGHUP');
      await serve.waitForLine('2 reloads', () => serve.lines.filter((l) => l.msg === 'index reloaded').length === 2, 60_000);
      await allFind(url);
      serve.proc.kill('SIGTERM');
      expect(await serve.exited).toEqual({ code: 0, signal: null });
    } finally {
      serve.proc.kill('SIGKILL');
      corpus.cleanup();
      out.cleanup();
    }
  });

  it('workers segment through the primary: one jieba dictionary, answers as one process gives', async () => {
    const out = tempDir();
    await buildIndex({ corpus: CORPUS, out: out.dir, workers: 0 });
    const serve = spawnServe({ WORKERS: '2', PORT: '0', HOST: '127.0.0.1', INDEX_DIR: out.dir, LOG_LEVEL: 'info', RATE_LIMIT: '0' });
    const engine = await SearchEngine.open(out.dir);
    try {
      const url = await listening(serve, 2);
      // Questions typed without spaces: runs longer than 4 characters need jieba.
      for (const q of ['城市里的夜市为什么越来越受欢迎', '共享单车为什么退潮了', '地铁五号线什么时候开通']) {
        const want = engine.search(q);
        expect(want.total).toBeGreaterThan(0);
        const answers = await Promise.all(Array.from({ length: 6 }, () => fresh(`${url}/api/search?q=${encodeURIComponent(q)}`)));
        for (const a of answers) {
          expect(a.status).toBe(200);
          expect([a.body.total, (a.body.hits as Array<{ id: string }>).map((h) => h.id)]).toEqual([want.total, want.hits.map((h) => h.id)]);
        }
      }
      const workers = descendantPids(serve.proc.pid!);
      expect(workers).toHaveLength(2);
      expect(workers.map(mapsJieba)).toEqual([false, false]);
      expect(mapsJieba(serve.proc.pid!)).toBe(true);
    } finally {
      serve.proc.kill('SIGKILL');
      out.cleanup();
    }
  });

  itRedis()('serves a Redis index from 2 workers that follow a flip by themselves', async () => {
    const redis: TestRedis = await startRedis();
    const corpus = tempDir();
    cpSync(CORPUS, corpus.dir, { recursive: true });
    await buildRedisIndex({ corpus: corpus.dir, redisUrl: redis.url, name: 'news', workers: 0 });
    const serve = spawnServe({
      WORKERS: '2',
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redis.url,
      INDEX_NAME: 'news',
      LOG_LEVEL: 'info',
      RATE_LIMIT: '0',
    });
    try {
      const url = await listening(serve, 2);
      addPost(corpus.dir);
      await buildRedisIndex({ corpus: corpus.dir, redisUrl: redis.url, name: 'news', workers: 0 });
      await serve.waitForLine('2 reloads', () => serve.lines.filter((l) => l.msg === 'index reloaded').length === 2, 60_000);
      await allFind(url);
      serve.proc.kill('SIGTERM');
      expect(await serve.exited).toEqual({ code: 0, signal: null });
    } finally {
      serve.proc.kill('SIGKILL');
      corpus.cleanup();
      await redis.cleanup();
    }
  });
});
