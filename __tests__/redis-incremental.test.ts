import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SearchEngine } from '../src/engine';
import type { Manifest } from '../src/format/manifest';
import { buildIndex } from '../src/indexer/build';
import { buildRedisIndex } from '../src/indexer/build-redis';
import { RedisIndexStore } from '../src/store/redis';
import { renderPost, tempDir } from './helpers/corpus';
import { describeRedis, startRedis, type TestRedis } from './helpers/redis';

// The bundled sample corpus (original articles written for this project).
const CORPUS = join(__dirname, '..', 'corpus');
const NEW_WORD = '琥珀灯塔';
/** A post of the sample corpus, and a word found only in it. */
const REMOVED = '2022-01-20-冬日一碗萝卜羊肉汤.md';
const REMOVED_WORD = '萝卜羊肉汤';

/** The files in a cache folder (named `<sha256>-<name in the version>`), without interrupted writes. */
function cachedNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => !f.endsWith('.tmp'))
    .sort();
}

describeRedis()('incremental builds into Redis (real redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.cleanup();
  });

  it('publishes a small change as an update segment, and a reader fetches only the segment files', async () => {
    const corpus = tempDir();
    const writerCache = tempDir();
    const readerCache = tempDir();
    const full = tempDir();
    cpSync(CORPUS, corpus.dir, { recursive: true });
    const reader = await RedisIndexStore.connect(redis.url, 'inc', { cacheDir: readerCache.dir });
    try {
      const options = { corpus: corpus.dir, redisUrl: redis.url, name: 'inc', workers: 0, cacheDir: writerCache.dir };
      const first = await buildRedisIndex(options);
      const before = await SearchEngine.open(reader, { resultCache: 0 });
      expect(before.search(REMOVED_WORD).total).toBe(1);
      const had = new Set(cachedNames(readerCache.dir));

      writeFileSync(
        join(corpus.dir, '2024-02-02-新港夜游.md'),
        renderPost({ title: '新港夜游记', date: '2024-02-02', body: `<p>海堤尽头的${NEW_WORD}在夜里亮起，游人沿着栈道慢慢走。</p>` }),
      );
      rmSync(join(corpus.dir, REMOVED));
      const report = await buildRedisIndex({ ...options, incremental: true });
      expect([report.mode, report.fullReason, report.segments]).toEqual(['incremental', null, 1]);
      expect([report.changes.added, report.changes.changed, report.changes.removed]).toEqual([1, 0, 1]);
      expect(report.version).not.toBe(first.version);
      expect(await reader.current()).toBe(report.version);

      const after = await SearchEngine.open(reader, { resultCache: 0 });
      const m = JSON.parse((await reader.redis.get(`inc:${report.version}:manifest`))!) as Manifest;
      const k = m.shards.length - 1;
      expect(m.base).toBe(k);
      expect(m.deleted).toHaveLength(1);
      // Fetched on the flip: the segment's postings and bodies, nothing of the merged shards.
      const fetched = cachedNames(readerCache.dir)
        .filter((f) => !had.has(f))
        .map((f) => f.replace(/^[0-9a-f]{64}-/, ''));
      expect(fetched.sort()).toEqual([
        `shard-${k}.bigrams.bin`,
        `shard-${k}.text.bin`,
        `shard-${k}.title-bigrams.bin`,
        `shard-${k}.words.bin`,
      ]);

      // It answers as a full build of the same corpus does.
      await buildIndex({ corpus: corpus.dir, out: full.dir, workers: 0 });
      const fileEngine = await SearchEngine.open(full.dir, { resultCache: 0 });
      expect(after.search(NEW_WORD).total).toBe(1);
      expect(after.search(REMOVED_WORD).total).toBe(0);
      expect(after.info().docs).toBe(fileEngine.info().docs);
      for (const q of [NEW_WORD, '青川', '地铁 OR 咖啡', '疫情 -社区', 'title:夜游', '共享单车为什么退潮了', '海堤']) {
        expect([...after.matchIds(q)].sort()).toEqual([...fileEngine.matchIds(q)].sort());
      }

      // Nothing changed since: nothing is published.
      const again = await buildRedisIndex({ ...options, incremental: true });
      expect([again.upToDate, again.version, await reader.current()]).toEqual([true, report.version, report.version]);
    } finally {
      await reader.close();
      for (const d of [corpus, writerCache, readerCache, full]) d.cleanup();
    }
  }, 120_000);

  it('builds in full, saying why, when the live version lacks the files an update starts from', async () => {
    const cache = tempDir();
    const admin = await RedisIndexStore.connect(redis.url, 'old');
    try {
      const first = await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'old', workers: 0, cacheDir: cache.dir });
      // A version published without its FlexSearch exports as files (as earlier releases did).
      const key = `old:${first.version}:manifest`;
      const m = JSON.parse((await admin.redis.get(key))!) as Manifest;
      for (const f of Object.keys(m.files)) if (f.endsWith('.flex.gz')) delete m.files[f];
      await admin.redis.set(key, JSON.stringify(m));
      const report = await buildRedisIndex({
        corpus: CORPUS,
        redisUrl: redis.url,
        name: 'old',
        workers: 0,
        cacheDir: cache.dir,
        incremental: true,
      });
      expect(report.mode).toBe('full');
      expect(report.fullReason).toMatch(
        new RegExp(`the live version ${first.version} was published without its word index files \\(shard-0\\.flex\\.gz\\)`),
      );
      expect(report.version).not.toBe(first.version);
    } finally {
      await admin.close();
      cache.cleanup();
    }
  }, 120_000);
});
