import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRedisIndex } from '../src/indexer/build-redis';
import type { RunningServer } from '../src/server/main';
import { renderPost, tempCorpus, tempDir } from './helpers/corpus';
import { describeRedis, startRedis, type TestRedis } from './helpers/redis';
import { startTestServer } from './helpers/server';

const CORPUS = join(__dirname, '..', 'corpus');
// A word of the added post that no sample article contains.
const NEW_WORD = '琥珀灯塔';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function get(base: string, path: string): Promise<Answer & { headers: Headers }> {
  const res = await fetch(base + path);
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${path}: not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body, headers: res.headers };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const q = (s: string): string => `/api/search?q=${encodeURIComponent(s)}&size=20`;

describeRedis()('several servers over one Redis index (real redis-server)', () => {
  let redis: TestRedis;
  let corpus: { dir: string; cleanup: () => void };
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    corpus = tempDir();
    cpSync(CORPUS, corpus.dir, { recursive: true });
    await buildRedisIndex({ corpus: corpus.dir, redisUrl: redis.url, name: 'news', workers: 0 });
    for (let i = 0; i < 2; i++) servers.push(await startTestServer('/nonexistent', { redisUrl: redis.url, indexName: 'news' }));
  });

  afterAll(async () => {
    for (const s of servers) await s.close(1_000);
    await redis?.cleanup();
    corpus?.cleanup();
  });

  it('two servers on different ports return identical results', async () => {
    const [a, b] = servers;
    expect(a.url).not.toBe(b.url);
    for (const path of [q('司马青禾'), q('青川 OR 澄江'), q('咖啡'), '/api/suggest?q=%E9%9D%92', '/healthz']) {
      const [x, y] = await Promise.all([get(a.url, path), get(b.url, path)]);
      expect(x.status).toBe(200);
      expect({ ...y.body, tookMs: 0 }).toEqual({ ...x.body, tookMs: 0 });
    }
    expect((await get(a.url, q('司马青禾'))).body.total).toBeGreaterThan(0);
  });

  it('a rebuild and flip while both serve fails no request, and both follow it without a restart', async () => {
    let stop = false;
    const failures: string[] = [];
    let served = 0;
    const hammer = async (base: string): Promise<void> => {
      while (!stop) {
        for (const path of [q('青川'), q('地铁 -广告'), '/healthz']) {
          try {
            const r = await get(base, path);
            if (r.status !== 200) failures.push(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
            served++;
          } catch (err) {
            failures.push(`${path}: ${(err as Error).message}`);
          }
        }
      }
    };
    const load = servers.map((s) => hammer(s.url));
    writeFileSync(
      join(corpus.dir, '2024-02-02-新港夜游.md'),
      renderPost({ title: '新港夜游记', date: '2024-02-02', body: `<p>海堤尽头的${NEW_WORD}在夜里亮起，游人沿着栈道慢慢走。</p>` }),
    );
    const report = await buildRedisIndex({ corpus: corpus.dir, redisUrl: redis.url, name: 'news', workers: 0 });
    expect(report.version).toBe('v2');
    for (const s of servers) {
      await until(`${s.url} finds the new post`, async () => ((await get(s.url, q(NEW_WORD))).body.total as number) === 1);
    }
    stop = true;
    await Promise.all(load);
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(20);
  });

  it('answers 503 JSON while Redis is down and recovers by itself when it is back', async () => {
    const [a, b] = servers;
    await redis.stop();
    for (const s of [a, b]) {
      await until(`${s.url} reports Redis down`, async () => (await get(s.url, '/healthz')).status === 503);
      const search = await get(s.url, q('青川'));
      expect(search.status).toBe(503);
      expect(search.body.error).toMatch(/Redis is down/);
      expect(search.headers.get('retry-after')).toBe('1');
    }
    await redis.start();
    for (const s of [a, b]) {
      await until(`${s.url} healthy again`, async () => (await get(s.url, '/healthz')).status === 200);
      const r = await get(s.url, q(NEW_WORD));
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(1);
    }
  });
});

/** `n` small original posts, each with its own number word. */
function numberedPosts(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    files[`p${i}.md`] = renderPost({
      title: `灯塔日志第${i}号`,
      date: '2023-05-01',
      body: `<p>守塔人在第${i}号日志里写下潮汐和风向。</p>`,
    });
  }
  return files;
}

describeRedis()('servers after Redis loses its data (real redis-server)', () => {
  let redis: TestRedis;
  const servers: RunningServer[] = [];
  const corpora: Array<{ dir: string; cleanup: () => void }> = [];

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    for (const s of servers) await s.close(1_000);
    await redis?.cleanup();
    for (const c of corpora) c.cleanup();
  });

  it('readers on an old v1 reload when a build after FLUSHALL publishes another v1', async () => {
    const sixteen = tempCorpus(numberedPosts(16));
    const fifteen = tempCorpus(numberedPosts(15));
    corpora.push(sixteen, fifteen);
    expect((await buildRedisIndex({ corpus: sixteen.dir, redisUrl: redis.url, name: 'lost', workers: 0 })).version).toBe('v1');
    for (let i = 0; i < 2; i++) servers.push(await startTestServer('/nonexistent', { redisUrl: redis.url, indexName: 'lost' }));
    for (const s of servers) expect((await get(s.url, '/healthz')).body.docs).toBe(16);

    const { createClient } = await import('redis');
    const admin = createClient({ url: redis.url });
    await admin.connect();
    await admin.flushAll();
    await admin.close();

    expect((await buildRedisIndex({ corpus: fifteen.dir, redisUrl: redis.url, name: 'lost', workers: 0 })).version).toBe('v1');
    const fresh = await startTestServer('/nonexistent', { redisUrl: redis.url, indexName: 'lost' });
    servers.push(fresh);
    expect((await get(fresh.url, '/healthz')).body.docs).toBe(15);
    // One load balancer, one answer: the old readers follow within the poll interval.
    for (const s of servers.slice(0, 2)) {
      await until(`${s.url} serves the 15-post build`, async () => (await get(s.url, '/healthz')).body.docs === 15, 10_000);
      expect((await get(s.url, q('守塔人'))).body.total).toBe(15);
    }
  });
});
