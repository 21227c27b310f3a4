import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SearchEngine } from '../src/engine';
import { buildIndex } from '../src/indexer/build';
import { buildRedisIndex } from '../src/indexer/build-redis';
import { openVersion } from '../src/store/files';
import { RedisIndexStore } from '../src/store/redis';
import { renderPost, tempDir } from './helpers/corpus';
import { ensureDist, runScript } from './helpers/dist';
import { describeRedis, startRedis, type TestRedis } from './helpers/redis';
import { listedBlobs, listedFlexPrefixes, manifestOf, sorted, storedBlobs, storedFlexPrefixes } from './helpers/redis-layout';

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

  it("keeps each file once as the blob of its checksum, and each word index in FlexSearch's Redis adapter under its export's", async () => {
    const keys = await store.redis.keys('sample*');
    const m = await manifestOf(store.redis, 'sample', 'v1');
    expect(keys).toContain('sample:current');
    expect(keys.filter((k) => k.startsWith('sample:v1:')).sort()).toEqual(['sample:v1:manifest', 'sample:v1:started']);
    expect(sorted(await storedBlobs(store.redis, 'sample'))).toEqual(sorted(listedBlobs(m)));
    // The export is kept as a blob as well: an incremental build starts from a copy of the version.
    const flex = m.files['shard-0.flex.gz'];
    expect(keys).toContain(`sample:blob:${flex.sha256}`);
    const prefix = `sample-x${flex.sha256.slice(0, 16)}`;
    expect(keys.some((k) => k.startsWith(`${prefix}|map:`))).toBe(true);
    expect(keys).toContain(`${prefix}|reg`);
    expect(sorted(await storedFlexPrefixes(store.redis, 'sample'))).toEqual(sorted(listedFlexPrefixes('sample', m)));
    expect((await store.redis.sMembers('sample:flex')).sort()).toEqual(sorted(listedFlexPrefixes('sample', m)));
  });

  it('refuses a second writer while the build lock is held, then builds, flips and expires the old version', async () => {
    const lock = await store.acquireBuildLock();
    await expect(buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0 })).rejects.toThrow(
      /another build holds the build lock of index sample/,
    );
    await lock.release();
    const report = await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0, graceMs: 60_000 });
    expect(report.version).toBe('v2');
    expect(await store.current()).toBe('v2');
    // The same corpus again: the same files, every one a blob already.
    expect([report.uploadedBytes, report.reusedBytes]).toEqual([0, report.bytes]);
    for (const key of ['sample:v1:manifest', 'sample:v1:started']) {
      const ttl = await store.redis.pTTL(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    expect(await store.redis.pTTL('sample:v2:manifest')).toBe(-1);
    // Blobs never expire: a build deletes those no manifest lists.
    for (const sha of listedBlobs(await manifestOf(store.redis, 'sample', 'v1')))
      expect(await store.redis.pTTL(`sample:blob:${sha}`)).toBe(-1);
  });

  it('a build that lost its lock to another build before its flip does not flip, and its version is cleaned up later', async () => {
    const live = await store.current();
    const staging = tempDir();
    try {
      const lock = await store.acquireBuildLock();
      const built = await buildIndex({ corpus: CORPUS, out: staging.dir, workers: 0 });
      // A stall past the lock's TTL, and another build took the lock.
      await store.redis.set('sample:lock', 'another-build');
      await expect(store.publish(await openVersion(staging.dir), built.dir, lock)).rejects.toThrow(
        /the build lock of index sample was lost before the flip/,
      );
      expect(await store.current()).toBe(live);
      await lock.release();
      expect(await store.redis.get('sample:lock')).toBe('another-build');
      await store.redis.del('sample:lock');
    } finally {
      staging.cleanup();
    }
    const orphan = (await store.redis.sMembers('sample:versions')).find((v) => v !== live);
    expect(orphan).toBeDefined();
    await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0, graceMs: 60_000 });
    expect(await store.redis.exists(`sample:${orphan}:manifest`)).toBe(0);
  });

  it('removes the keys of a build that died before its flip at the next build, and the blobs and word indexes only it listed', async () => {
    // A dead build: a version started and written, never flipped to. Its manifest lists a
    // blob and a word index no other version has: they go too, since its manifest goes first.
    const sha = createHash('sha256').update('partial').digest('hex');
    const prefix = `sample-x${sha.slice(0, 16)}`;
    const manifest = { shards: [1], files: { 'shard-0.flex.gz': { bytes: 7, sha256: sha, crc32: 0 } } };
    await store.redis.sAdd('sample:versions', 'v99');
    await store.redis.set('sample:v99:started', 'x');
    await store.redis.set('sample:v99:manifest', JSON.stringify(manifest));
    await store.redis.set(`sample:blob:${sha}`, 'partial');
    await store.redis.sAdd('sample:flex', prefix);
    await store.redis.sAdd(`${prefix}|reg`, '1');
    // Keys of a version in the layout before blobs.
    await store.redis.set('sample:v99:file:vocab.json.gz', 'partial');
    await store.redis.sAdd('sample-v99-s0|reg', '1');
    await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0, graceMs: 60_000 });
    expect(await store.redis.keys('sample:v99:*')).toEqual([]);
    expect(await store.redis.keys('sample-v99-*')).toEqual([]);
    expect(await store.redis.exists(`sample:blob:${sha}`)).toBe(0);
    expect(await store.redis.keys(`${prefix}*`)).toEqual([]);
    expect(await store.redis.sIsMember('sample:flex', prefix)).toBe(0);
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

  it('a build killed before its flip: the next build takes over its lock, removes its keys, blobs and word indexes, and publishes', async () => {
    ensureDist();
    // The killed builds index one post more, so that they store blobs and word indexes of their own.
    const changed = tempDir();
    cpSync(CORPUS, changed.dir, { recursive: true });
    writeFileSync(
      join(changed.dir, '2024-02-02-新港夜游.md'),
      renderPost({ title: '新港夜游记', date: '2024-02-02', body: '<p>海堤尽头的琥珀灯塔在夜里亮起。</p>' }),
    );
    const args = (corpus: string): string[] => [
      '--corpus',
      corpus,
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
    const layout = async (): Promise<{ blobs: string[]; flex: string[]; committed: string[] }> => ({
      blobs: sorted(await storedBlobs(store.redis, 'crashy')),
      flex: sorted(await storedFlexPrefixes(store.redis, 'crashy')),
      committed: (await store.redis.sMembers('crashy:flex')).sort(),
    });
    try {
      expect((await runScript('build-index.js', args(CORPUS))).code).toBe(0);
      const v1 = await manifestOf(store.redis, 'crashy', 'v1');
      const crashed = await runScript('build-index.js', args(changed.dir), { ZHSEARCH_CRASH_AT: 'before-flip' });
      expect(crashed.signal).toBe('SIGKILL');
      // Left behind: a complete v2 nobody reads, with blobs and a word index of its own, and the dead build's lock.
      expect(await store.redis.get('crashy:current')).toBe('v1');
      const v2 = await manifestOf(store.redis, 'crashy', 'v2');
      const own = sorted(listedBlobs(v2)).filter((sha) => !listedBlobs(v1).has(sha));
      expect(own.length).toBeGreaterThan(0);
      expect((await layout()).blobs).toEqual(sorted(listedBlobs(v1, v2)));
      expect((await layout()).flex).toEqual(sorted(listedFlexPrefixes('crashy', v1, v2)));
      expect((await layout()).flex.length).toBeGreaterThan(listedFlexPrefixes('crashy', v1).size);
      expect(await store.redis.get('crashy:lock')).toMatch(/^\d+@/);

      const report = await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'crashy', workers: 0 });
      expect(report.version).toBe('v3');
      expect(await store.redis.keys('crashy:v2:*')).toEqual([]);
      expect(await store.redis.sMembers('crashy:versions')).toEqual(['v3']);
      expect(await store.redis.exists('crashy:lock')).toBe(0);
      const v3 = await manifestOf(store.redis, 'crashy', 'v3');
      const kept = { blobs: sorted(listedBlobs(v1, v3)), flex: sorted(listedFlexPrefixes('crashy', v1, v3)) };
      expect(await layout()).toEqual({ ...kept, committed: kept.flex });

      // Killed between a word index's commit and its blob: the commit is left without a
      // blob (never the reverse, or a later build would take the blob for a complete
      // commit), and the next build deletes it since no version lists it.
      const torn = await runScript('build-index.js', args(changed.dir), { ZHSEARCH_CRASH_AT: 'after-flex-commit' });
      expect(torn.signal).toBe('SIGKILL');
      expect(await store.redis.get('crashy:current')).toBe('v3');
      const orphans = (await layout()).committed.filter((p) => !kept.flex.includes(p));
      expect(orphans).toHaveLength(1);
      expect((await layout()).flex).toContain(orphans[0]);
      expect((await layout()).blobs.filter((sha) => orphans[0].endsWith(sha.slice(0, 16)))).toEqual([]);
      await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'crashy', workers: 0 });
      expect(await layout()).toEqual({ ...kept, committed: kept.flex });

      const reader = await RedisIndexStore.connect(redis.url, 'crashy');
      try {
        expect((await SearchEngine.open(reader)).info().docs).toBe(fileEngine.info().docs);
      } finally {
        await reader.close();
      }
    } finally {
      changed.cleanup();
    }
  }, 90_000);

  it('readers keep raw files in a local cache folder, repair a damaged copy, and after a flip fetch only files they lack', async () => {
    const cache = tempDir();
    /** The live version's raw files and their blobs' keys. */
    const rawFiles = async (): Promise<Array<[string, string]>> => {
      const manifest = await manifestOf(store.redis, 'sample', (await store.current())!);
      return Object.entries(manifest.files)
        .filter(([f]) => f.endsWith('.bin'))
        .map(([f, sum]) => [f, `sample:blob:${sum.sha256}`]);
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
      const raw = (await rawFiles()).map(([f]) => f);
      expect(raw).toEqual(expect.arrayContaining(['bigrams.bin', 'shard-0.text.bin', 'words.bin']));
      const cached = readdirSync(cache.dir);
      for (const f of raw) expect(cached.some((c) => c.endsWith(`-${f}`))).toBe(true);
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
      // with their blobs gone from Redis, a reader still opens it, so it fetched none.
      const before = await store.current();
      await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'sample', workers: 0, graceMs: 60_000 });
      expect(await store.current()).not.toBe(before);
      expect(await store.redis.del((await rawFiles()).map(([, key]) => key))).toBe(raw.length);
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
