import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SearchEngine } from '../src/engine';
import { shardFiles, type Manifest } from '../src/format/manifest';
import { buildIndex } from '../src/indexer/build';
import { buildRedisIndex, type RedisBuildOptions } from '../src/indexer/build-redis';
import { RedisIndexStore } from '../src/store/redis';
import { RedisKeys } from '../src/store/redis-connection';
import { openRedisVersion } from '../src/store/redis-reader';
import { renderPost, tempDir } from './helpers/corpus';
import { describeRedis, startRedis, type TestRedis } from './helpers/redis';
import { listedBlobs, listedFlexPrefixes, manifestOf, scanKeys, sorted, storedBlobs, storedFlexPrefixes } from './helpers/redis-layout';

// The bundled sample corpus (original articles written for this project).
const CORPUS = join(__dirname, '..', 'corpus');
const NEW_WORD = '琥珀灯塔';
/** A post of the sample corpus, and a word found only in it. */
const REMOVED = '2022-01-20-冬日一碗萝卜羊肉汤.md';
const REMOVED_WORD = '萝卜羊肉汤';

/** Write a small post of its own into `corpus`, with the word `word`. */
function addPost(corpus: string, n: number, word: string): void {
  writeFileSync(
    join(corpus, `2024-03-0${n}-附加${n}.md`),
    renderPost({ title: `附加的第${n}篇`, date: `2024-03-0${n}`, body: `<p>码头边的${word}在第${n}个早晨开张。</p>` }),
  );
}

/** Queries over the sample corpus and the words of the added posts. */
const QUERIES = ['青川', '地铁 OR 咖啡', '疫情 -社区', '司马青禾', '码头', '海鸥茶馆', '潮汐书店', 'covid'];

/** What an engine answers to {@link QUERIES}. */
function answers(engine: SearchEngine): unknown {
  return QUERIES.map((q) => ({ ...engine.search(q, { limit: 100 }), tookMs: 0 }));
}

/** Expect `engine` to hold the posts of `corpusDir` and match `queries` exactly as a full file build of it does. */
async function expectLikeFullBuild(engine: SearchEngine, corpusDir: string, queries: readonly string[]): Promise<void> {
  const full = tempDir();
  try {
    await buildIndex({ corpus: corpusDir, out: full.dir, workers: 0 });
    const fileEngine = await SearchEngine.open(full.dir, { resultCache: 0 });
    try {
      expect(engine.info().docs).toBe(fileEngine.info().docs);
      for (const q of queries) expect([...engine.matchIds(q)].sort()).toEqual([...fileEngine.matchIds(q)].sort());
    } finally {
      fileEngine.close();
    }
  } finally {
    full.cleanup();
  }
}

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
      expect(after.search(NEW_WORD).total).toBe(1);
      expect(after.search(REMOVED_WORD).total).toBe(0);
      await expectLikeFullBuild(after, corpus.dir, [
        NEW_WORD,
        '青川',
        '地铁 OR 咖啡',
        '疫情 -社区',
        'title:夜游',
        '共享单车为什么退潮了',
        '海堤',
      ]);

      // Nothing changed since: nothing is published.
      const again = await buildRedisIndex({ ...options, incremental: true });
      expect([again.upToDate, again.version, await reader.current()]).toEqual([true, report.version, report.version]);
    } finally {
      await reader.close();
      for (const d of [corpus, writerCache, readerCache]) d.cleanup();
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

  it('uploads only the files whose checksum changed, and commits the word index of the new segment alone', async () => {
    const corpus = tempDir();
    const cache = tempDir();
    cpSync(CORPUS, corpus.dir, { recursive: true });
    const admin = await RedisIndexStore.connect(redis.url, 'blobs');
    try {
      const options = { corpus: corpus.dir, redisUrl: redis.url, name: 'blobs', workers: 0, cacheDir: cache.dir };
      const first = await buildRedisIndex(options);
      expect([first.uploadedBytes, first.reusedBytes]).toEqual([first.bytes, 0]);
      const m1 = await manifestOf(admin.redis, 'blobs', first.version);
      const blobsBefore = await storedBlobs(admin.redis, 'blobs');
      const flexBefore = await storedFlexPrefixes(admin.redis, 'blobs');

      addPost(corpus.dir, 1, '海鸥茶馆');
      await admin.redis.sendCommand(['CONFIG', 'RESETSTAT']);
      const report = await buildRedisIndex({ ...options, incremental: true });
      const zadds = Number(/cmdstat_zadd:calls=(\d+)/.exec(await admin.redis.info('commandstats'))?.[1] ?? 0);
      expect([report.mode, report.segments, report.changes.added]).toEqual(['incremental', 1, 1]);
      const m2 = await manifestOf(admin.redis, 'blobs', report.version);
      const files = Object.entries(m2.files);
      const changed = files.filter(([file, sum]) => m1.files[file]?.sha256 !== sum.sha256);
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.length).toBeLessThan(files.length / 2);
      // Unchanged files are the same blobs; the new blobs are the changed files', one each.
      for (const [file, sum] of files) if (!changed.some(([f]) => f === file)) expect(blobsBefore.has(sum.sha256)).toBe(true);
      const added = sorted(await storedBlobs(admin.redis, 'blobs')).filter((sha) => !blobsBefore.has(sha));
      expect(added).toEqual(sorted(changed.map(([, sum]) => sum.sha256)));
      expect(added).toHaveLength(changed.length);
      const changedBytes = changed.reduce((n, [, sum]) => n + sum.bytes, 0);
      expect([report.uploadedBytes, report.reusedBytes]).toEqual([changedBytes, report.bytes - changedBytes]);
      // FlexSearch's adapter got the word index of the new segment, and no other.
      const k = m2.shards.length - 1;
      const newFlex = sorted(await storedFlexPrefixes(admin.redis, 'blobs')).filter((p) => !flexBefore.has(p));
      expect(newFlex).toEqual([`blobs-x${m2.files[shardFiles(k).flex].sha256.slice(0, 16)}`]);
      expect(await admin.redis.exists(`${newFlex[0]}|reg`)).toBe(1);
      // One ZADD per term of the segment's word index: no other shard's was committed again.
      expect(zadds).toBe((await scanKeys(admin.redis, `${newFlex[0]}|map:*`)).length);
    } finally {
      await admin.close();
      for (const d of [corpus, cache]) d.cleanup();
    }
  }, 120_000);

  it('deletes the blobs and word indexes only an expired version listed at the next build; versions in their grace keep theirs', async () => {
    const corpus = tempDir();
    const cache = tempDir();
    const readerCache = tempDir();
    cpSync(CORPUS, corpus.dir, { recursive: true });
    const admin = await RedisIndexStore.connect(redis.url, 'gc');
    const client = admin.redis;
    let collectedBlobs = -1;
    const build = async (extra: Partial<RedisBuildOptions>): Promise<Manifest> => {
      const r = await buildRedisIndex({ corpus: corpus.dir, redisUrl: redis.url, name: 'gc', workers: 0, cacheDir: cache.dir, ...extra });
      collectedBlobs = r.collectedBlobs;
      return manifestOf(client, 'gc', r.version);
    };
    try {
      const m1 = await build({});
      addPost(corpus.dir, 1, '海鸥茶馆');
      const m2 = await build({ incremental: true, graceMs: 1500 });
      expect(collectedBlobs).toBe(0); // v1 is in its grace
      const v2 = (await admin.current())!;
      const onlyV1 = sorted(listedBlobs(m1)).filter((sha) => !listedBlobs(m2).has(sha));
      const flexOnlyV1 = sorted(listedFlexPrefixes('gc', m1)).filter((p) => !listedFlexPrefixes('gc', m2).has(p));
      expect(onlyV1.length).toBeGreaterThan(0);
      const v2Engine = await SearchEngine.open(admin, { resultCache: 0 });
      const v2Answers = answers(v2Engine);

      // v1's grace ends: its manifest expires, its blobs stay until a build collects them.
      const deadline = Date.now() + 10_000;
      while ((await client.exists('gc:v1:manifest')) === 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await client.exists('gc:v1:manifest')).toBe(0);
      expect(sorted(await storedBlobs(client, 'gc'))).toEqual(sorted(listedBlobs(m1, m2)));

      addPost(corpus.dir, 2, '潮汐书店');
      const m3 = await build({ incremental: true, graceMs: 60_000 });
      expect(sorted(await storedBlobs(client, 'gc'))).toEqual(sorted(listedBlobs(m2, m3)));
      expect(collectedBlobs).toBe(onlyV1.length);
      expect(onlyV1.filter((sha) => listedBlobs(m3).has(sha))).toEqual([]);
      expect(sorted(await storedFlexPrefixes(client, 'gc'))).toEqual(sorted(listedFlexPrefixes('gc', m2, m3)));
      for (const p of flexOnlyV1) expect(await scanKeys(client, `${p}|*`)).toEqual([]);
      expect((await client.sMembers('gc:flex')).sort()).toEqual(sorted(listedFlexPrefixes('gc', m2, m3)));

      // v2, in its grace, still opens from Redis alone (an empty cache) and answers as before.
      const keys = new RedisKeys('gc');
      const graceV2 = { label: 'gc@v2', open: () => openRedisVersion(client, keys, v2, `gc@${v2}`, readerCache.dir) };
      expect(answers(await SearchEngine.open(graceV2, { resultCache: 0 }))).toEqual(v2Answers);
      // The live version opens from Redis alone and answers as a full build of the corpus.
      rmSync(readerCache.dir, { recursive: true, force: true });
      const live = await RedisIndexStore.connect(redis.url, 'gc', { cacheDir: readerCache.dir });
      try {
        const engine = await SearchEngine.open(live, { resultCache: 0 });
        await expectLikeFullBuild(engine, corpus.dir, QUERIES);
        expect(engine.search('潮汐书店').total).toBe(1);
      } finally {
        await live.close();
      }
    } finally {
      await admin.close();
      for (const d of [corpus, cache, readerCache]) d.cleanup();
    }
  }, 120_000);

  it('opens and updates a version published with its files under NAME:vN:file:… (the layout before blobs)', async () => {
    const corpus = tempDir();
    const cache = tempDir();
    const readerCache = tempDir();
    cpSync(CORPUS, corpus.dir, { recursive: true });
    const admin = await RedisIndexStore.connect(redis.url, 'legacy');
    const client = admin.redis;
    try {
      const options = { corpus: corpus.dir, redisUrl: redis.url, name: 'legacy', workers: 0, cacheDir: cache.dir };
      await buildRedisIndex(options);
      const before = answers(await SearchEngine.open(admin, { resultCache: 0 }));
      // Rewrite v1 as the layout before blobs: files under legacy:v1:file:<file>, word
      // indexes under legacy-v1-sK|…, no blob, no legacy:flex.
      const m1 = await manifestOf(client, 'legacy', 'v1');
      for (const [file, sum] of Object.entries(m1.files)) await client.copy(`legacy:blob:${sum.sha256}`, `legacy:v1:file:${file}`);
      for (const [k] of m1.shards.entries()) {
        const prefix = `legacy-x${m1.files[shardFiles(k).flex].sha256.slice(0, 16)}`;
        for (const key of await scanKeys(client, `${prefix}|*`)) await client.rename(key, `legacy-v1-s${k}${key.slice(prefix.length)}`);
      }
      await client.del([...(await scanKeys(client, 'legacy:blob:*')), 'legacy:flex']);
      expect(await storedBlobs(client, 'legacy')).toEqual(new Set());
      expect((await scanKeys(client, 'legacy-v1-s0|*')).length).toBeGreaterThan(0);

      // A reader with an empty cache opens it and answers as before.
      const reader = await RedisIndexStore.connect(redis.url, 'legacy', { cacheDir: readerCache.dir });
      try {
        expect(answers(await SearchEngine.open(reader, { resultCache: 0 }))).toEqual(before);
      } finally {
        await reader.close();
      }

      // An update from it (the writer's cache emptied: it fetches every file) stores every file as a blob.
      rmSync(cache.dir, { recursive: true, force: true });
      addPost(corpus.dir, 1, '海鸥茶馆');
      const report = await buildRedisIndex({ ...options, incremental: true, graceMs: 60_000 });
      expect([report.mode, report.segments]).toEqual(['incremental', 1]);
      expect([report.uploadedBytes, report.reusedBytes]).toEqual([report.bytes, 0]);
      const m2 = await manifestOf(client, 'legacy', report.version);
      expect(sorted(await storedBlobs(client, 'legacy'))).toEqual(sorted(listedBlobs(m2)));
      // The old version's keys, its files and word indexes too, expire after the grace.
      for (const key of await scanKeys(client, 'legacy:v1:*')) expect(await client.pTTL(key)).toBeGreaterThan(0);
      for (const key of await scanKeys(client, 'legacy-v1-*')) expect(await client.pTTL(key)).toBeGreaterThan(0);
      expect((await SearchEngine.open(admin, { resultCache: 0 })).search('海鸥茶馆').total).toBe(1);
    } finally {
      await admin.close();
      for (const d of [corpus, cache, readerCache]) d.cleanup();
    }
  }, 120_000);

  it('a build removes the staging folders of killed builds of this host, and no other folder', async () => {
    // In the system's temporary folder, where builds stage (each name unique to this test).
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const host = hostname();
    const tag = `t${process.pid}x${Date.now().toString(36)}`;
    const folders = {
      dead: `zhsearch-stage-${host}-${deadPid}-${tag}`,
      running: `zhsearch-stage-${host}-${process.pid}-${tag}`,
      otherHost: `zhsearch-stage-elsewhere.example-${deadPid}-${tag}`,
      unnamed: `zhsearch-stage-${tag}`,
    };
    const path = (name: string): string => join(tmpdir(), name);
    for (const name of Object.values(folders)) {
      mkdirSync(path(name));
      writeFileSync(join(path(name), 'manifest.json'), '{}');
    }
    try {
      await buildRedisIndex({ corpus: CORPUS, redisUrl: redis.url, name: 'staging', workers: 0 });
      expect(existsSync(path(folders.dead))).toBe(false);
      for (const name of [folders.running, folders.otherHost, folders.unnamed]) expect(existsSync(path(name))).toBe(true);
      // The build removed its own staging folder too.
      expect(readdirSync(tmpdir()).filter((n) => n.startsWith(`zhsearch-stage-${host}-${process.pid}-`))).toEqual([folders.running]);
    } finally {
      for (const name of Object.values(folders)) rmSync(path(name), { recursive: true, force: true });
    }
  });
});
