import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildIndex, decodePost, parsePost, SearchEngine, type BuildReport, type DocumentInput, type Post } from '../src';
import { renderPost, tempCorpus, tempDir } from './helpers/corpus';
import { fileIdentity } from '../src/store/checked-read';
import { LOCAL_CHECKS_FILE } from '../src/store/local-checks';
import { verifyIndex } from '../src/store/verify';

/** Posts written for these tests; `bad/…` files and the empty ones are there to be skipped or warned about. */
function corpusFiles(): Record<string, string | Buffer> {
  return {
    '2021/2021-03-01-春天的公园.md': renderPost({
      title: '春天的公园',
      date: '2021-03-01',
      author: '林晓',
      from: 'https://example.com/spring',
      categories: ['随笔'],
      tags: ['公园', '樱花'],
      body: '<p>公园里的樱花开了，周末游客很多。</p>\n<p>欧阳明远说今年的花期比往年早一周。</p>',
    }),
    '2021/2021-05-20-夜跑.md': renderPost({
      title: '夜跑记录',
      date: '2021-05-20T21:00:00+08:00',
      author: '陈思',
      categories: ['运动'],
      tags: ['跑步'],
      body: '<p>沿着江边跑了十公里，路灯下的公园很安静。</p>',
    }),
    'sub/deeper/2020-11-11-城市轨道.md': renderPost({
      title: '城市轨道交通的发展',
      date: '2020-11-11',
      author: '林晓',
      categories: '城市',
      body: '<p>城市轨道交通缓解了地面拥堵，Metro 线路越来越密。</p><script>var x = "不该出现";</script>',
    }),
    'pages/关于.html': '<html><body><p>这是一个关于旅行和城市生活的小站。</p></body></html>',
    'empty-body.md': renderPost({ title: '只有标题没有正文', date: '2021-06-01', body: '' }),
    'bad/gbk.md': Buffer.concat(Array.from({ length: 30 }, () => Buffer.from([0xd6, 0xd0, 0xce, 0xc4]))),
    'bad/zero.md': Buffer.alloc(0),
    'bad/binary.md': Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0x01, 0x02, 0x03]),
    'bad/unclosed.md': '---\ntitle: 没有结尾\ndate: 2021-01-01\n<p>正文</p>\n',
    'notes.txt': '不是文章的文件。',
    '.hidden/secret.md': renderPost({ title: '隐藏', body: '<p>隐藏目录里的公园。</p>' }),
  };
}

const QUERIES = ['公园', '欧阳明远', '轨道', 'metro', '旅行', '只有标题', '公园 -樱花', 'title:公园', '跑步 OR 城市'];

/** The in-memory engine over the same files: what a persisted index must reproduce. */
function referenceEngine(files: Record<string, string | Buffer>): SearchEngine {
  const docs: DocumentInput[] = [];
  for (const [id, content] of Object.entries(files).sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (id.startsWith('.') || !/\.(md|html)$/.test(id)) continue;
    const decoded = decodePost(typeof content === 'string' ? Buffer.from(content) : content);
    if (!decoded.ok) continue;
    const r = parsePost(id, decoded.text);
    if (r.ok) docs.push(r.post);
  }
  return SearchEngine.fromDocuments(docs);
}

const versionDirs = (out: string): string[] => readdirSync(out).filter((e) => /^v-/.test(e));
const current = (out: string): string => readFileSync(join(out, 'CURRENT'), 'utf8').trim();

describe('buildIndex and SearchEngine.open', () => {
  const files = corpusFiles();
  let corpus: ReturnType<typeof tempCorpus>;
  let out: ReturnType<typeof tempDir>;
  let report: BuildReport;
  let engine: SearchEngine;

  beforeAll(async () => {
    corpus = tempCorpus(files);
    out = tempDir();
    report = await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
    engine = await SearchEngine.open(out.dir);
  });
  afterAll(() => {
    corpus.cleanup();
    out.cleanup();
  });

  test('the report counts indexed posts and names every skipped file with its reason', () => {
    expect(report.indexed).toBe(5);
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]));
    expect(Object.keys(skipped).sort()).toEqual(['bad/binary.md', 'bad/gbk.md', 'bad/unclosed.md', 'bad/zero.md']);
    expect(skipped['bad/gbk.md']).toMatch(/UTF-8/);
    expect(skipped['bad/zero.md']).toMatch(/empty/);
    expect(skipped['bad/binary.md']).toMatch(/binary/);
    expect(skipped['bad/unclosed.md']).toMatch(/never closes/);
    expect(report.warnings).toContainEqual({ path: 'empty-body.md', reason: 'empty body' });
    expect(report.warnings.some((w) => w.path === 'pages/关于.html' && /title/.test(w.reason))).toBe(true);
    expect(report.dir).toBe(join(out.dir, current(out.dir)));
    expect(report.bytes).toBeGreaterThan(0);
  });

  test('document ids are POSIX paths relative to the corpus, hidden folders and other files are ignored', () => {
    const ids = QUERIES.flatMap((q) => engine.search(q, { limit: 100 }).hits.map((h) => h.id));
    expect(new Set(ids)).toEqual(
      new Set([
        '2021/2021-03-01-春天的公园.md',
        '2021/2021-05-20-夜跑.md',
        'sub/deeper/2020-11-11-城市轨道.md',
        'pages/关于.html',
        'empty-body.md',
      ]),
    );
    expect(engine.info().docs).toBe(5);
    expect(engine.get('sub/deeper/2020-11-11-城市轨道.md')).toMatchObject({
      title: '城市轨道交通的发展',
      date: '2020-11-11T00:00:00.000Z',
      author: '林晓',
      categories: ['城市'],
    });
    expect(engine.get('sub/deeper/2020-11-11-城市轨道.md')!.text).not.toContain('不该出现');
    expect(engine.get('.hidden/secret.md')).toBeNull();
    expect(engine.get('notes.txt')).toBeNull();
    expect(engine.search('隐藏').total).toBe(0);
  });

  test('a loaded post comes back whole (body read from disk) as a copy the caller may change', () => {
    const id = 'sub/deeper/2020-11-11-城市轨道.md';
    const post = engine.get(id)!;
    expect(post.text).toBe('城市轨道交通缓解了地面拥堵，Metro 线路越来越密。');
    post.categories.push('改过');
    post.title = '改过';
    expect(engine.get(id)).toMatchObject({ title: '城市轨道交通的发展', categories: ['城市'] });
    const listed = [...engine.documents()].find((p) => p.id === id)!;
    expect(listed).toEqual({ ...engine.get(id)!, text: post.text });
    expect((JSON.parse(JSON.stringify(listed)) as Post).text).toBe(post.text);
  });

  test('metadata() lists every post without reading a body: it works on a closed engine, documents() does not', async () => {
    const other = await SearchEngine.open(out.dir);
    const withBodies = [...other.documents()];
    other.close();
    const metas = [...other.metadata()];
    expect(metas).toEqual(withBodies.map(({ text: _text, ...meta }) => meta));
    expect(metas.every((m) => !('text' in m))).toBe(true);
    expect(() => [...other.documents()]).toThrow();
  });

  test('the opened index answers exactly like an in-memory engine over the same posts', () => {
    const reference = referenceEngine(files);
    for (const q of QUERIES) {
      const a = engine.search(q, { limit: 100 });
      const b = reference.search(q, { limit: 100 });
      expect(a.total).toBeGreaterThan(0);
      expect({ q, hits: a.hits, total: a.total, facets: a.facets }).toEqual({ q, hits: b.hits, total: b.total, facets: b.facets });
    }
    expect(engine.suggest('公园')).toEqual(reference.suggest('公园'));
  });

  test('search results on the opened index are the expected ones', () => {
    expect(engine.search('欧阳明远').hits.map((h) => h.id)).toEqual(['2021/2021-03-01-春天的公园.md']);
    expect(new Set(engine.search('公园').hits.map((h) => h.id))).toEqual(
      new Set(['2021/2021-03-01-春天的公园.md', '2021/2021-05-20-夜跑.md']),
    );
    expect(engine.search('公园').hits[0].id).toBe('2021/2021-03-01-春天的公园.md');
    expect(engine.search('METRO').hits[0].snippet).toContain('<mark>Metro</mark>');
    expect(engine.search('公园', { from: '2021-05-20', to: '2021-05-20' }).hits.map((h) => h.id)).toEqual(['2021/2021-05-20-夜跑.md']);
  });

  test('the index folder holds CURRENT and one complete version', () => {
    expect(versionDirs(out.dir)).toEqual([current(out.dir)]);
    const dir = join(out.dir, current(out.dir));
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { docCount: number; files: Record<string, unknown> };
    expect(manifest.docCount).toBe(5);
    for (const f of Object.keys(manifest.files)) expect(existsSync(join(dir, f))).toBe(true);
    expect(readdirSync(out.dir).filter((e) => e.endsWith('.tmp'))).toEqual([]);
  });
});

describe('rebuilding', () => {
  test('each build switches CURRENT to a complete new version and prunes old ones', async () => {
    const corpus = tempCorpus({
      'a.md': renderPost({ title: '第一版', date: '2021-01-01', body: '<p>最早的内容写的是灯塔。</p>' }),
    });
    const out = tempDir();
    try {
      const first = await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
      const v1 = basename(first.dir);
      expect(current(out.dir)).toBe(v1);

      writeFileSync(join(corpus.dir, 'b.md'), renderPost({ title: '第二版', date: '2021-02-01', body: '<p>后来加入了港口的故事。</p>' }));
      const second = await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
      const v2 = basename(second.dir);
      expect(v2).not.toBe(v1);
      expect(current(out.dir)).toBe(v2);
      const e2 = await SearchEngine.open(out.dir);
      expect(e2.info().docs).toBe(2);
      expect(e2.search('港口').hits.map((h) => h.id)).toEqual(['b.md']);

      writeFileSync(join(corpus.dir, 'c.md'), renderPost({ title: '第三版', date: '2021-03-01', body: '<p>最后写到了渔船。</p>' }));
      const third = await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
      const v3 = basename(third.dir);
      expect(current(out.dir)).toBe(v3);
      // The live version and the one before it stay (a reader may still be loading it); older ones go.
      expect(versionDirs(out.dir).sort()).toEqual([v2, v3].sort());
      expect(existsSync(join(out.dir, v1))).toBe(false);
      expect(readdirSync(out.dir).filter((e) => e.endsWith('.tmp'))).toEqual([]);
      const e3 = await SearchEngine.open(out.dir);
      expect(e3.info().docs).toBe(3);
      expect(e3.search('渔船').hits.map((h) => h.id)).toEqual(['c.md']);
    } finally {
      corpus.cleanup();
      out.cleanup();
    }
  });

  test('a build that fails keeps the previous index live and loadable', async () => {
    const corpus = tempCorpus({
      'a.md': renderPost({ title: '稳定的版本', date: '2021-01-01', body: '<p>这一版的内容关于灯塔。</p>' }),
    });
    const out = tempDir();
    try {
      await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
      const live = current(out.dir);
      const missing = join(corpus.dir, 'no-such-folder');
      await expect(buildIndex({ corpus: missing, out: out.dir, workers: 0 })).rejects.toThrow(missing);

      // A failure in the middle of the build, after the new version folder was created.
      writeFileSync(join(corpus.dir, 'b.md'), renderPost({ title: '不会上线', body: '<p>港口</p>' }));
      await expect(
        buildIndex({
          corpus: corpus.dir,
          out: out.dir,
          workers: 0,
          onProgress: () => {
            throw new Error('build interrupted');
          },
        }),
      ).rejects.toThrow('build interrupted');

      expect(current(out.dir)).toBe(live);
      expect(versionDirs(out.dir)).toEqual([live]);
      expect(readdirSync(out.dir).filter((e) => e.endsWith('.tmp'))).toEqual([]);
      const engine = await SearchEngine.open(out.dir);
      expect(engine.info().docs).toBe(1);
      expect(engine.search('灯塔').hits.map((h) => h.id)).toEqual(['a.md']);
      expect(engine.search('港口').total).toBe(0);
    } finally {
      corpus.cleanup();
      out.cleanup();
    }
  });

  test('an empty corpus builds an empty index that answers with no hits', async () => {
    const corpus = tempDir();
    const out = tempDir();
    try {
      const report = await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
      expect(report.indexed).toBe(0);
      const engine = await SearchEngine.open(out.dir);
      expect(engine.search('灯塔')).toMatchObject({ total: 0, hits: [] });
    } finally {
      corpus.cleanup();
      out.cleanup();
    }
  });
});

describe('opening a broken or missing index', () => {
  let corpus: ReturnType<typeof tempCorpus>;
  beforeAll(() => {
    corpus = tempCorpus({
      'a.md': renderPost({ title: '灯塔', date: '2021-01-01', body: '<p>海边的灯塔在夜里亮着。</p>' }),
      'b.md': renderPost({ title: '港口', date: '2021-01-02', body: '<p>港口停满了渔船。</p>' }),
    });
  });
  afterAll(() => corpus.cleanup());

  async function freshIndex(): Promise<{ out: string; version: string; cleanup: () => void }> {
    const out = tempDir();
    const report = await buildIndex({ corpus: corpus.dir, out: out.dir, workers: 0 });
    return { out: out.dir, version: report.dir, cleanup: out.cleanup };
  }

  test('no index → the message says to build one first', async () => {
    const empty = tempDir();
    try {
      await expect(SearchEngine.open(empty.dir)).rejects.toThrow(/build one first/);
      await expect(SearchEngine.open(join(empty.dir, 'does-not-exist'))).rejects.toThrow(/build one first/);
    } finally {
      empty.cleanup();
    }
  });

  test('a truncated word posting file → rejected as damaged, naming the file', async () => {
    const idx = await freshIndex();
    try {
      const file = join(idx.version, 'words.bin');
      truncateSync(file, Math.floor(statSync(file).size / 2));
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/damaged: words\.bin does not match its checksum/);
    } finally {
      idx.cleanup();
    }
  });

  test('a document store with flipped bytes → rejected as damaged', async () => {
    const idx = await freshIndex();
    try {
      const file = join(idx.version, 'shard-0.docs.json.gz');
      const bytes = readFileSync(file);
      bytes[bytes.length - 5] ^= 0xff;
      writeFileSync(file, bytes);
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/damaged/);
    } finally {
      idx.cleanup();
    }
  });

  test('a missing shard file → rejected as damaged', async () => {
    const idx = await freshIndex();
    try {
      const { rmSync } = await import('node:fs');
      rmSync(join(idx.version, 'shard-0.docs.json.gz'));
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/damaged/);
    } finally {
      idx.cleanup();
    }
  });

  // Regression: a failed read once left an unawaited rejection behind.
  test('a truncated vocabulary file → rejected as damaged, with no stray rejection', async () => {
    const idx = await freshIndex();
    try {
      const file = join(idx.version, 'vocab.json.gz');
      truncateSync(file, Math.floor(statSync(file).size / 2));
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/damaged/);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      idx.cleanup();
    }
  });

  test('CURRENT naming something that is not a version → rejected as damaged', async () => {
    const idx = await freshIndex();
    try {
      writeFileSync(join(idx.out, 'CURRENT'), '../../etc\n');
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/damaged/);
    } finally {
      idx.cleanup();
    }
  });

  test('an index of the previous format (word postings decoded from the FlexSearch exports) → rejected with a message to rebuild', async () => {
    const idx = await freshIndex();
    try {
      const path = join(idx.version, 'manifest.json');
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      writeFileSync(path, JSON.stringify({ ...manifest, formatVersion: 6 }));
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/format version 6, this zhsearch reads version \d+: rebuild the index/);
    } finally {
      idx.cleanup();
    }
  });

  test('a document text file cut short or with a flipped byte → rejected as damaged, naming the file', async () => {
    const idx = await freshIndex();
    try {
      const file = join(idx.version, 'shard-0.text.bin');
      const bytes = readFileSync(file);
      bytes[bytes.length >> 1] ^= 0x20;
      writeFileSync(file, bytes);
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/damaged: shard-0\.text\.bin does not match its checksum/);
      truncateSync(file, bytes.length - 10);
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/damaged: shard-0\.text\.bin does not match its checksum/);
      rmSync(file);
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/damaged: shard-0\.text\.bin cannot be read \(ENOENT\)/);
    } finally {
      idx.cleanup();
    }
  });

  test('opening reads whole only the files changed since their build recorded them; verify reads every byte and names a damaged one', async () => {
    const idx = await freshIndex();
    try {
      expect(await verifyIndex(idx.out)).toMatchObject({ damaged: [] });
      const file = join(idx.version, 'shard-0.text.bin');
      const bytes = readFileSync(file);
      bytes[bytes.length - 3] ^= 0x20; // in a body, not in the file's tables
      writeFileSync(file, bytes);
      // Rewritten, the file has another identity than the build recorded: it is read and refused.
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/damaged: shard-0\.text\.bin does not match its checksum/);
      // Recorded as the build left it, it is trusted at open (as Lucene trusts its files until a
      // merge or CheckIndex reads them); verify still reads it.
      const recordPath = join(idx.version, LOCAL_CHECKS_FILE);
      const record = JSON.parse(readFileSync(recordPath, 'utf8')) as Record<string, { identity: string }>;
      record['shard-0.text.bin'].identity = fileIdentity(statSync(file));
      writeFileSync(recordPath, JSON.stringify(record));
      (await SearchEngine.open(idx.out)).close();
      expect((await verifyIndex(idx.out)).damaged).toEqual(['shard-0.text.bin: does not match its checksum (truncated or corrupted)']);
      // A record that cannot be read vouches for nothing.
      writeFileSync(recordPath, '{"shard-0.text.bin":');
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/damaged: shard-0\.text\.bin does not match its checksum/);
    } finally {
      idx.cleanup();
    }
  });

  test('a manifest from a future format → rejected with a message to rebuild', async () => {
    const idx = await freshIndex();
    try {
      const path = join(idx.version, 'manifest.json');
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      writeFileSync(path, JSON.stringify({ ...manifest, formatVersion: 999 }));
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/rebuild/);
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/999/);
    } finally {
      idx.cleanup();
    }
  });

  test('an unreadable manifest → rejected with a message to rebuild', async () => {
    const idx = await freshIndex();
    try {
      writeFileSync(join(idx.version, 'manifest.json'), '{ not json');
      await expect(SearchEngine.open(idx.out)).rejects.toThrow(/rebuild/);
    } finally {
      idx.cleanup();
    }
  });
});
