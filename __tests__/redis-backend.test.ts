import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SearchEngine } from '../src/engine';
import { buildIndex } from '../src/indexer/build';
import { buildRedisIndex } from '../src/indexer/build-redis';
import { RedisIndexStore } from '../src/store/redis';
import { tempDir } from './helpers/corpus';
import { ensureDist, runScript } from './helpers/dist';
import { describeRedis, startRedis, type TestRedis } from './helpers/redis';

// The bundled sample corpus (original articles written for this project).
const CORPUS = join(__dirname, '..', 'corpus');

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeRedis()('Redis backend against the file backend (real redis-server)', () => {
  let redis: TestRedis;
  let out: { dir: string; cleanup: () => void };
  let fileEngine: SearchEngine;
  let redisEngine: SearchEngine;
  let store: RedisIndexStore;

  beforeAll(async () => {
    redis = await startRedis();
    out = tempDir();
    await buildIndex({ corpus: CORPUS, out: out.dir, workers: 0 });
    await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0 });
    fileEngine = await SearchEngine.open(out.dir, { resultCache: 0 });
    store = await RedisIndexStore.connect(redis.url, 'sample');
    redisEngine = await SearchEngine.open(store, { resultCache: 0 });
  });

  afterAll(async () => {
    await store?.close();
    await redis?.cleanup();
    out?.cleanup();
  });

  /** Queries from the corpus itself: title pieces of 2-5 characters, Latin words, operators. */
  function queries(): string[] {
    const qs = new Set<string>(['司马青禾', '青川 OR 澄江', '"地铁五号线"', '疫情 -社区', 'title:咖啡', 'covid', '5g', '中国经济发展问题']);
    for (const p of fileEngine.documents()) {
      const t = p.title.replace(/\s+/g, '');
      for (let i = 0; i + 2 <= t.length; i += 2) for (const n of [2, 3, 4, 5]) if (i + n <= t.length) qs.add(t.slice(i, i + n));
      for (const w of p.text.match(/[A-Za-z]{2,}|\d+/g) ?? []) qs.add(w);
    }
    return [...qs];
  }

  it('serves the same documents, facts and word index as the file backend', () => {
    expect(redisEngine.info().docs).toBe(fileEngine.info().docs);
    expect(redisEngine.info().docs).toBeGreaterThan(5);
    expect(redisEngine.info().dir).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/sample@v1$/);
    expect([...redisEngine.documents()]).toEqual([...fileEngine.documents()]);
  });

  it('answers every query with identical results (hits, scores, order, snippets, facets, totals)', () => {
    const qs = queries();
    expect(qs.length).toBeGreaterThan(100);
    let nonEmpty = 0;
    for (const q of qs) {
      for (const sort of ['relevance', 'date'] as const) {
        const a = fileEngine.search(q, { limit: 100, sort });
        const b = redisEngine.search(q, { limit: 100, sort });
        expect({ ...b, tookMs: 0 }).toEqual({ ...a, tookMs: 0 });
        if (a.total > 0) nonEmpty++;
      }
      expect(redisEngine.matchIds(q)).toEqual(fileEngine.matchIds(q));
      expect(redisEngine.suggest(q.slice(0, 2))).toEqual(fileEngine.suggest(q.slice(0, 2)));
    }
    expect(nonEmpty).toBeGreaterThan(100);
  });

  it("keeps the word index in FlexSearch's Redis adapter layout and the files under NAME:vN", async () => {
    const keys = await store.redis.keys('sample*');
    expect(keys).toContain('sample:current');
    expect(keys).toContain('sample:v1:manifest');
    expect(keys.some((k) => k.startsWith('sample:v1:file:shard-0.docs.json.gz'))).toBe(true);
    expect(keys.some((k) => k.startsWith('sample-v1-s0|map:'))).toBe(true);
    expect(keys).toContain('sample-v1-s0|reg');
    // The export is kept as a file as well: an incremental build starts from a copy of the version.
    expect(keys).toContain('sample:v1:file:shard-0.flex.gz');
  });

  it('refuses a second writer while the build lock is held, then builds, flips and expires the old version', async () => {
    const release = await store.acquireBuildLock();
    await expect(buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0 })).rejects.toThrow(
      /another build holds the build lock of index sample/,
    );
    await release();
    const report = await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0, graceMs: 60_000 });
    expect(report.version).toBe('v2');
    expect(await store.current()).toBe('v2');
    const ttl = await store.redis.pTTL('sample:v1:manifest');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.redis.pTTL('sample-v1-s0|reg')).toBeGreaterThan(0);
    expect(await store.redis.pTTL('sample:v2:manifest')).toBe(-1);
  });

  it('removes the keys of a build that died before its flip at the next build', async () => {
    // A dead build: a version started and partly written, never flipped to.
    await store.redis.sAdd('sample:versions', 'v99');
    await store.redis.set('sample:v99:started', 'x');
    await store.redis.set('sample:v99:file:vocab.json.gz', 'partial');
    await store.redis.sAdd('sample-v99-s0|reg', '1');
    await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0, graceMs: 60_000 });
    expect(await store.redis.keys('sample:v99:*')).toEqual([]);
    expect(await store.redis.keys('sample-v99-*')).toEqual([]);
  });

  it('a watch notices its version vanished, reloads on a new build of the same name, and unsubscribes when stopped', async () => {
    const reader = await RedisIndexStore.connect(redis.url, 'sample');
    try {
      await SearchEngine.open(reader, { resultCache: 0 });
      const flips: string[] = [];
      const lost: string[] = [];
      const stop = reader.watch(
        async (v) => {
          flips.push(v);
          await SearchEngine.open(reader, { resultCache: 0 });
        },
        (v) => lost.push(v),
      );
      const subscribers = async (): Promise<number> => {
        const counts = await store.redis.sendCommand<Array<string | number>>(['PUBSUB', 'NUMSUB', 'sample:flips']);
        return Number(counts[1]);
      };
      await waitFor('the watch subscribed', async () => (await subscribers()) === 1);
      const served = (await store.current())!;
      await store.redis.flushAll();
      await waitFor('the lost version reported', () => lost.length === 1);
      expect(lost).toEqual([served]);
      const report = await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0 });
      expect(report.version).toBe('v1');
      await waitFor('the same-named build loaded', () => flips.length === 1);
      expect(flips).toEqual(['v1']);
      stop();
      await waitFor('the watch unsubscribed', async () => (await subscribers()) === 0);
    } finally {
      await reader.close();
    }
  });

  it('a build killed before its flip: the next build takes over its lock, removes its keys and publishes', async () => {
    ensureDist();
    const args = [
      '--corpus',
      CORPUS,
      '--backend',
      'redis',
      '--redis-url',
      redis.url,
      '--name',
      'crashy',
      '--workers',
      '0',
      '--segmenter',
      '@node-rs/jieba',
    ];
    expect((await runScript('build-index.js', args)).code).toBe(0);
    const crashed = await runScript('build-index.js', args, { ZHSEARCH_CRASH_AT: 'before-flip' });
    expect(crashed.signal).toBe('SIGKILL');
    // Left behind: a complete v2 nobody reads, and the dead build's lock.
    expect(await store.redis.get('crashy:current')).toBe('v1');
    expect(await store.redis.exists('crashy:v2:manifest')).toBe(1);
    expect((await store.redis.keys('crashy-v2-*')).length).toBeGreaterThan(0);
    expect(await store.redis.get('crashy:lock')).toMatch(/^\d+@/);

    const report = await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'crashy', workers: 0 });
    expect(report.version).toBe('v3');
    expect(await store.redis.keys('crashy:v2:*')).toEqual([]);
    expect(await store.redis.keys('crashy-v2-*')).toEqual([]);
    expect(await store.redis.sMembers('crashy:versions')).toEqual(['v3']);
    expect(await store.redis.exists('crashy:lock')).toBe(0);
    const reader = await RedisIndexStore.connect(redis.url, 'crashy');
    try {
      expect((await SearchEngine.open(reader)).info().docs).toBe(fileEngine.info().docs);
    } finally {
      await reader.close();
    }
  }, 60_000);

  it('readers keep raw files in a local cache folder, repair a damaged copy, and after a flip fetch only files they lack', async () => {
    const cache = tempDir();
    const rawKeys = async (): Promise<string[]> => {
      const version = await store.current();
      const manifest = JSON.parse((await store.redis.get(`sample:${version}:manifest`))!) as { files: Record<string, unknown> };
      return Object.keys(manifest.files)
        .filter((f) => f.endsWith('.bin'))
        .map((f) => `sample:${version}:file:${f}`);
    };
    const openReader = async (): Promise<SearchEngine> => {
      const reader = await RedisIndexStore.connect(redis.url, 'sample', { cacheDir: cache.dir });
      try {
        return await SearchEngine.open(reader, { resultCache: 0 });
      } finally {
        await reader.close();
      }
    };
    const answers = (e: SearchEngine): unknown => ['司马青禾', '地铁', 'covid'].map((q) => ({ ...e.search(q, { limit: 100 }), tookMs: 0 }));
    try {
      const first = await openReader();
      const raw = await rawKeys();
      expect(raw.some((k) => k.endsWith(':bigrams.bin'))).toBe(true);
      expect(raw.some((k) => k.endsWith(':shard-0.text.bin'))).toBe(true);
      expect(raw.some((k) => k.endsWith(':words.bin'))).toBe(true);
      const cached = readdirSync(cache.dir);
      for (const k of raw) expect(cached.some((c) => c.endsWith(`-${k.split(':file:')[1]}`))).toBe(true);
      expect(answers(first)).toEqual(answers(fileEngine));

      // A damaged copy in the cache is fetched again, not served.
      const copy = join(
        cache.dir,
        cached.find((c) => c.endsWith('-bigrams.bin'))!,
      );
      const bytes = readFileSync(copy);
      bytes[bytes.length >> 1] ^= 0x5a;
      writeFileSync(copy, bytes);
      expect(answers(await openReader())).toEqual(answers(fileEngine));
      bytes[bytes.length >> 1] ^= 0x5a;
      expect(readFileSync(copy).equals(bytes)).toBe(true);

      // A new build of the same corpus flips to a version whose raw files are all cached:
      // with their keys gone from Redis, a reader still opens it, so it fetched none.
      await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0, graceMs: 60_000 });
      const fresh = await rawKeys();
      expect(fresh).not.toEqual(raw);
      await store.redis.del(fresh);
      expect(answers(await openReader())).toEqual(answers(fileEngine));
      expect(readdirSync(cache.dir).sort()).toEqual(cached.sort());
      // Without the cache, the same version cannot be opened: those files were never fetched.
      const empty = tempDir();
      const reader = await RedisIndexStore.connect(redis.url, 'sample', { cacheDir: empty.dir });
      await expect(SearchEngine.open(reader)).rejects.toThrow(/damaged: .*\.bin is missing/);
      await reader.close();
      empty.cleanup();
    } finally {
      cache.cleanup();
    }
  }, 60_000);

  it('gives clear errors for a bad name, an unreachable Redis and a missing index', async () => {
    await expect(buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'Bad Name', workers: 0 })).rejects.toThrow(/--name must be/);
    await expect(RedisIndexStore.connect('redis://127.0.0.1:1', 'x')).rejects.toThrow(
      /cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/,
    );
    const s = await RedisIndexStore.connect(redis.url, 'nothing-here');
    await expect(SearchEngine.open(s)).rejects.toThrow(/no index nothing-here in Redis .*build-index -- --backend redis/);
    await s.close();
  });
});
