import type { Hit } from '../src';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildIndex } from '../src/indexer/build';
import type { RunningServer } from '../src/server/main';
import { renderPost } from './helpers/corpus';
import { buildTempIndex, rawRequest, renderFiles, startTestServer, type BuiltIndex, type RawResponse } from './helpers/server';

// A small archive written for these tests: "图书馆" appears in four posts of three
// categories and four years; one post lives in a subfolder; one has a hostile title.
const POSTS = renderFiles({
  '2019-03-01-新馆开放.md': {
    title: '江北新图书馆正式开放',
    date: '2019-03-01T09:00:00Z',
    author: '陈静',
    from: 'https://example.com/city/2019/library-open',
    categories: ['城市'],
    tags: ['文化', '阅读'],
    body: '<p>位于江北的图书馆今天正式开放，馆内藏书二十万册，市民凭身份证即可免费借阅。</p>',
  },
  '2020-07-15-夜间开放.md': {
    title: '图书馆延长夜间开放时间',
    date: '2020-07-15T10:00:00Z',
    author: '王立',
    categories: ['城市'],
    tags: ['阅读'],
    body: '<p>暑假期间，图书馆每晚开放到十点，方便学生来这里自习。</p>',
  },
  '2021-11-20-阅读角.md': {
    title: '小区阅读角受欢迎',
    date: '2021-11-20T08:30:00Z',
    author: '陈静',
    categories: ['生活'],
    tags: ['阅读', '社区'],
    body: '<p>小区里的阅读角虽然比不上图书馆宽敞，却成了老人和孩子最爱去的地方。</p>',
  },
  '专题/2022-05-08-机器人.md': {
    title: '机器人管理员走进图书馆',
    date: '2022-05-08T07:00:00Z',
    author: '赵云飞',
    categories: ['科技'],
    tags: ['机器人'],
    body: '<p>图书馆引进了两台机器人，它们可以帮助读者查找书架上的位置。</p>',
  },
  '2023-02-14-咖啡馆.md': {
    title: '街角咖啡馆的十年',
    date: '2023-02-14T12:00:00Z',
    author: '王立',
    categories: ['生活'],
    tags: ['美食'],
    body: '<p>这家咖啡馆开了十年，老板每天清晨亲手烘焙咖啡豆。</p>',
  },
  '2021-06-01-馆长.md': {
    title: '<script>alert(1)</script>馆长访谈',
    date: '2021-06-01T06:00:00Z',
    author: '李慕白',
    from: 'javascript:alert(1)',
    categories: ['访谈'],
    body: '<p>老馆长回忆往事，说起当年 a &lt; b 的手抄目录和油灯。</p>',
  },
});

const TOKEN = 'correct-horse-battery-staple';
const STACK = /\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+|\.js:\d+|node_modules|\/work\//;

/** Every error answer is JSON with a message and nothing that looks like a stack trace or a path. */
function expectJsonError(res: RawResponse, status: number): { error: string; parameter?: string } {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const body = res.json as { error?: unknown; parameter?: string };
  expect(typeof body?.error).toBe('string');
  expect(res.text).not.toMatch(STACK);
  return body as { error: string; parameter?: string };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll until `cond` holds (fails the test after `timeoutMs`). */
async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

let index: BuiltIndex;
let srv: RunningServer;

beforeAll(async () => {
  index = await buildTempIndex(POSTS);
  expect(index.report.indexed).toBe(6);
  srv = await startTestServer(index.indexDir);
});

afterAll(async () => {
  await srv?.close(1000);
  index?.cleanup();
});

const get = (path: string, headers?: Record<string, string>) => rawRequest(srv.url, path, { headers });
const q = (params: Record<string, string>) => '/api/search?' + new URLSearchParams(params).toString();

interface SearchBody {
  query: string;
  total: number;
  page: number;
  size: number;
  tookMs: number;
  hits: Hit[];
  facets: { categories: Record<string, number>; years: Record<string, number> };
  suggestion: string | null;
  interpretedAs: string | null;
  interpretedBy: 'pinyin' | 'spelling' | null;
  terms: Array<{ text: string; required: boolean }>;
  fullMatches: number;
  truncated: boolean;
  relaxed: { query: string; dropped: string; total: number; hits: Hit[] } | null;
}

async function search(params: Record<string, string>): Promise<SearchBody> {
  const res = await get(q(params));
  expect(res.status).toBe(200);
  return res.json as SearchBody;
}

describe('GET /api/search', () => {
  test('two words that few posts hold together: the posts holding the first follow in relaxed', async () => {
    const body = await search({ q: '图书馆 机器人' });
    expect(body.total).toBe(1);
    expect(body.hits.map((h) => h.title)).toEqual(['机器人管理员走进图书馆']);
    expect(body.relaxed).toMatchObject({ query: '图书馆', dropped: '机器人', total: 3 });
    expect(body.relaxed!.hits).toHaveLength(3);
    for (const h of body.relaxed!.hits) expect(h.missing).toEqual(['机器人']);
  });

  test('answers with the documented JSON shape', async () => {
    const res = await get(q({ q: '图书馆' }));
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^application\/json; charset=utf-8/);
    const body = res.json as SearchBody;
    expect(Object.keys(body).sort()).toEqual(
      [
        'facets',
        'fullMatches',
        'hits',
        'interpretedAs',
        'interpretedBy',
        'page',
        'query',
        'relaxed',
        'size',
        'suggestion',
        'terms',
        'tookMs',
        'total',
        'truncated',
      ].sort(),
    );
    expect(body.query).toBe('图书馆');
    expect(body.total).toBe(4);
    expect(body.page).toBe(1);
    expect(body.size).toBe(10);
    expect(Number.isFinite(body.tookMs)).toBe(true);
    expect(body.suggestion).toBeNull();
    expect(body.interpretedAs).toBeNull();
    expect(body.interpretedBy).toBeNull();
    expect(body.terms).toEqual([{ text: '图书馆', required: true }]);
    expect(body.fullMatches).toBe(4);
    expect(body.truncated).toBe(false);
    expect(body.relaxed).toBeNull();
    expect(body.hits).toHaveLength(4);
    for (const h of body.hits) {
      expect(Object.keys(h).sort()).toEqual(
        [
          'author',
          'categories',
          'date',
          'duplicateIds',
          'duplicates',
          'id',
          'matched',
          'missing',
          'score',
          'snippet',
          'tags',
          'title',
          'titleHighlighted',
          'url',
        ].sort(),
      );
      expect(typeof h.id).toBe('string');
      expect(typeof h.title).toBe('string');
      expect(h.url === null || typeof h.url === 'string').toBe(true);
      expect(h.date).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(typeof h.author).toBe('string');
      expect(Array.isArray(h.categories)).toBe(true);
      expect(Array.isArray(h.tags)).toBe(true);
      expect(h.score).toBeGreaterThan(0);
      expect(h.snippet).toContain('<mark>图书馆</mark>');
      expect(h.matched).toEqual(['图书馆']);
      expect(h.missing).toEqual([]);
    }
    const ids = body.hits.map((h) => h.id).sort();
    expect(ids).toEqual(['2019-03-01-新馆开放.md', '2020-07-15-夜间开放.md', '2021-11-20-阅读角.md', '专题/2022-05-08-机器人.md'].sort());
    const open = body.hits.find((h) => h.id === '2019-03-01-新馆开放.md')!;
    expect(open).toMatchObject({
      title: '江北新图书馆正式开放',
      url: 'https://example.com/city/2019/library-open',
      date: '2019-03-01T09:00:00.000Z',
      author: '陈静',
      categories: ['城市'],
      tags: ['文化', '阅读'],
    });
    expect(open.titleHighlighted).toBe('江北新<mark>图书馆</mark>正式开放');
    expect(body.facets.categories).toEqual({ 城市: 2, 生活: 1, 科技: 1 });
    expect(body.facets.years).toEqual({ '2019': 1, '2020': 1, '2021': 1, '2022': 1 });
  });

  test('repeated requests (answered from the response cache) match the first; other parameters are never answered from it', async () => {
    const strip = ({ tookMs: _took, ...rest }: SearchBody): Omit<SearchBody, 'tookMs'> => rest;
    const first = await search({ q: '图书馆', size: '2' });
    for (let i = 0; i < 3; i++) expect(strip(await search({ q: '图书馆', size: '2' }))).toEqual(strip(first));
    const page2 = await search({ q: '图书馆', size: '2', page: '2' });
    expect(page2.page).toBe(2);
    expect(page2.hits.map((h) => h.id)).not.toEqual(expect.arrayContaining(first.hits.map((h) => h.id)));
    const filtered = await search({ q: '图书馆', size: '2', category: '科技' });
    expect(filtered.total).toBe(1);
    expect(filtered.hits.map((h) => h.id)).toEqual(['专题/2022-05-08-机器人.md']);
  });

  test('answers are gzipped for clients that accept it, equal to the uncompressed answer, from the cache too', async () => {
    const path = q({ q: '图书馆' });
    const plain = await get(path);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(String(plain.headers.vary)).toMatch(/accept-encoding/i);
    expect(plain.raw.length).toBeGreaterThan(1024); // else the answer is too small to be compressed
    const { tookMs: _plainTook, ...expected } = plain.json as SearchBody;
    // The first answer is computed, the second admitted to the cache, the third read from it.
    for (let i = 0; i < 3; i++) {
      const gz = await get(path, { 'accept-encoding': 'gzip, deflate, br' });
      expect(gz.status).toBe(200);
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(String(gz.headers.vary)).toMatch(/accept-encoding/i);
      expect(gz.raw.length).toBeLessThan(plain.raw.length * 0.7);
      const { tookMs, ...rest } = JSON.parse(gunzipSync(gz.raw).toString('utf8')) as SearchBody;
      expect(Number.isFinite(tookMs)).toBe(true);
      expect(rest).toEqual(expected);
    }
    // Not compressed when gzip is refused or less preferred than identity.
    for (const accept of ['gzip;q=0', 'identity', 'br, gzip;q=0.5, identity']) {
      const res = await get(path, { 'accept-encoding': accept });
      expect(res.headers['content-encoding']).toBeUndefined();
      expect((res.json as SearchBody).hits.map((h) => h.id)).toEqual(expected.hits.map((h) => h.id));
    }
    // HEAD: the headers of the same answer (its length as sent), no body.
    for (const headers of [{ 'accept-encoding': 'gzip' }, {}] as Array<Record<string, string>>) {
      const [head, full] = [await rawRequest(srv.url, path, { method: 'HEAD', headers }), await get(path, headers)];
      expect(head.status).toBe(200);
      expect(head.raw.length).toBe(0);
      expect(head.headers['content-encoding']).toBe(full.headers['content-encoding']);
      // The two answers differ only in their tookMs, by a few bytes at most.
      expect(Math.abs(Number(head.headers['content-length']) - full.raw.length)).toBeLessThanOrEqual(8);
      expect(Number(full.headers['content-length'])).toBe(full.raw.length);
    }
    // Nor when the answer is small.
    const none = await get(q({ q: '潜水艇' }), { 'accept-encoding': 'gzip' });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.json).toMatchObject({ total: 0, hits: [] });
  });

  test('/api/stats describes the archive from its metadata: dates, years, sources, categories, example tags', async () => {
    const res = await get('/api/stats');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      docs: 6,
      from: '2019-03-01',
      to: '2023-02-14',
      years: { '2019': 1, '2020': 1, '2021': 2, '2022': 1, '2023': 1 },
      // Only http(s) sources count: the javascript: URL is not a site.
      sources: [{ name: 'example.com', posts: 1 }],
      categories: [
        { name: '城市', posts: 2 },
        { name: '生活', posts: 2 },
        { name: '科技', posts: 1 },
        { name: '访谈', posts: 1 },
      ],
      examples: ['阅读', '文化', '机器人', '社区', '美食'],
    });
  });

  test('an empty or missing q gives an empty result, not an error', async () => {
    for (const path of ['/api/search', '/api/search?q=', '/api/search?q=%20%20']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ total: 0, hits: [], page: 1, size: 10 });
    }
  });

  test('a word found nowhere gives total 0', async () => {
    const body = await search({ q: '潜水艇' });
    expect(body.total).toBe(0);
    expect(body.hits).toEqual([]);
    expect(body.facets).toEqual({ categories: {}, years: {} });
  });

  test('page and size slice the ranked hits without overlap', async () => {
    const all = await search({ q: '图书馆', size: '100' });
    expect(all.size).toBe(100);
    const order = all.hits.map((h) => h.id);
    const p1 = await search({ q: '图书馆', size: '3' });
    const p2 = await search({ q: '图书馆', size: '3', page: '2' });
    const p3 = await search({ q: '图书馆', size: '3', page: '3' });
    expect(p1).toMatchObject({ page: 1, size: 3, total: 4 });
    expect(p2).toMatchObject({ page: 2, size: 3, total: 4 });
    expect(p1.hits.map((h) => h.id)).toEqual(order.slice(0, 3));
    expect(p2.hits.map((h) => h.id)).toEqual(order.slice(3));
    expect(p3.hits).toEqual([]);
    expect(p3.total).toBe(4);
    const maxPage = await search({ q: '图书馆', page: '1000', size: '100' });
    expect(maxPage.hits).toEqual([]);
  });

  test('category, tag and author filters keep only matching documents; facets count the filtered matches', async () => {
    const city = await search({ q: '图书馆', category: '城市' });
    expect(city.total).toBe(2);
    for (const h of city.hits) expect(h.categories).toContain('城市');
    expect(city.facets.categories).toEqual({ 城市: 2 });

    const tag = await search({ q: '图书馆', tag: '阅读' });
    expect(tag.total).toBe(3);
    for (const h of tag.hits) expect(h.tags).toContain('阅读');

    const author = await search({ q: '图书馆', author: '陈静' });
    expect(author.hits.map((h) => h.id).sort()).toEqual(['2019-03-01-新馆开放.md', '2021-11-20-阅读角.md']);

    const none = await search({ q: '图书馆', category: '体育' });
    expect(none.total).toBe(0);
    const both = await search({ q: '图书馆', category: '城市', author: '陈静' });
    expect(both.hits.map((h) => h.id)).toEqual(['2019-03-01-新馆开放.md']);
  });

  test('from/to bound the dates inclusively; a bare "to" date covers that whole day', async () => {
    const range = await search({ q: '图书馆', from: '2020-01-01', to: '2021-12-31' });
    expect(range.hits.map((h) => h.id).sort()).toEqual(['2020-07-15-夜间开放.md', '2021-11-20-阅读角.md']);
    const sameDay = await search({ q: '图书馆', from: '2020-07-15', to: '2020-07-15' });
    expect(sameDay.hits.map((h) => h.id)).toEqual(['2020-07-15-夜间开放.md']);
    const fromOnly = await search({ q: '图书馆', from: '2022-01-01' });
    expect(fromOnly.hits.map((h) => h.id)).toEqual(['专题/2022-05-08-机器人.md']);
    const dateTime = await search({ q: '图书馆', to: '2019-03-01T08:59:59Z' });
    expect(dateTime.total).toBe(0);
    const empty = await search({ q: '图书馆', from: '', to: '' });
    expect(empty.total).toBe(4);
  });

  test('sort=date orders newest first; sort=relevance and an empty sort are accepted', async () => {
    const byDate = await search({ q: '图书馆', sort: 'date' });
    const dates = byDate.hits.map((h) => h.date!);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(byDate.hits[0].id).toBe('专题/2022-05-08-机器人.md');
    const rel = await search({ q: '图书馆', sort: 'relevance' });
    expect(rel.total).toBe(4);
    const blank = await search({ q: '图书馆', sort: '' });
    expect(blank.hits.map((h) => h.id)).toEqual(rel.hits.map((h) => h.id));
  });

  test('a hostile title comes back escaped in titleHighlighted, and body text is escaped in the snippet', async () => {
    const body = await search({ q: '馆长' });
    expect(body.total).toBe(1);
    const hit = body.hits[0];
    expect(hit.title).toBe('<script>alert(1)</script>馆长访谈'); // raw data, for textContent
    expect(hit.titleHighlighted).toBe('&lt;script&gt;alert(1)&lt;/script&gt;<mark>馆长</mark>访谈');
    expect(hit.titleHighlighted).not.toMatch(/<(?!\/?mark>)/);
    expect(hit.snippet).toContain('a &lt; b');
    expect(hit.snippet).not.toMatch(/<(?!\/?mark>)/);
    // An untrusted `from` is passed through as data; the page decides whether to link it.
    expect(hit.url).toBe('javascript:alert(1)');
  });
});

describe('Chinese-language help in the API', () => {
  test('a homophone typo that finds nothing is searched as its correction; pinyin is searched as Chinese; both say so', async () => {
    const typo = await search({ q: '图书官' });
    expect(typo.interpretedAs).toBe('图书馆');
    expect(typo.interpretedBy).toBe('spelling');
    expect(typo.suggestion).toBeNull();
    expect(typo.total).toBe(4);
    const py = await search({ q: 'tushuguan' });
    expect(py.interpretedAs).toBe('图书馆');
    expect(py.interpretedBy).toBe('pinyin');
    expect(py.total).toBe(4);
    const trad = await search({ q: '圖書館' });
    expect(trad.total).toBe(4);
  });
});

describe('400 answers name the offending parameter', () => {
  const cases: Array<[string, string, string]> = [
    ['page=0', '/api/search?q=%E5%9B%BE&page=0', 'page'],
    ['page=abc', '/api/search?q=%E5%9B%BE&page=abc', 'page'],
    ['page=1001', '/api/search?q=%E5%9B%BE&page=1001', 'page'],
    ['page=1.5', '/api/search?q=%E5%9B%BE&page=1.5', 'page'],
    ['size=101', '/api/search?q=%E5%9B%BE&size=101', 'size'],
    ['size=-1', '/api/search?q=%E5%9B%BE&size=-1', 'size'],
    ['size=0', '/api/search?q=%E5%9B%BE&size=0', 'size'],
    ['from=2021-13-45', '/api/search?q=%E5%9B%BE&from=2021-13-45', 'from'],
    ['from=26/10/2021', '/api/search?q=%E5%9B%BE&from=26%2F10%2F2021', 'from'],
    ['to=yesterday', '/api/search?q=%E5%9B%BE&to=yesterday', 'to'],
    ['q over 256 characters', '/api/search?q=' + encodeURIComponent('书'.repeat(257)), 'q'],
    ['q repeated', '/api/search?q=a&q=b', 'q'],
    ['sort=foo', '/api/search?q=a&sort=foo', 'sort'],
    ['astyped=maybe', '/api/search?q=a&astyped=maybe', 'astyped'],
    ['q[]=x', '/api/search?q[]=x', 'q'],
    ['q%5B%5D=x', '/api/search?q%5B%5D=x', 'q'],
    ['q[k]=x', '/api/search?q[k]=x', 'q'],
    ['size[]=5', '/api/search?q=a&size[]=5', 'size'],
    ['category repeated', '/api/search?q=a&category=x&category=y', 'category'],
    ['category[]', '/api/search?q=a&category[]=x', 'category'],
    ['tag over 256 characters', '/api/search?q=a&tag=' + 'x'.repeat(300), 'tag'],
    ['suggest q repeated', '/api/suggest?q=a&q=b', 'q'],
  ];
  test.each(cases)('%s', async (_name, path, parameter) => {
    const body = expectJsonError(await get(path), 400);
    expect(body.parameter).toBe(parameter);
    expect(body.error).toContain(parameter);
  });

  test('q of exactly 256 characters is accepted', async () => {
    const res = await get('/api/search?q=' + encodeURIComponent('书'.repeat(256)));
    expect(res.status).toBe(200);
  });

  test('from=2021-02-30 (a day that does not exist) is refused', async () => {
    const body = expectJsonError(await get('/api/search?q=a&from=2021-02-30'), 400);
    expect(body.parameter).toBe('from');
  });
});

describe('documents', () => {
  test('/api/docs/<encodeURIComponent(id)> returns a post in a subfolder', async () => {
    const id = '专题/2022-05-08-机器人.md';
    const res = await get('/api/docs/' + encodeURIComponent(id));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id,
      title: '机器人管理员走进图书馆',
      author: '赵云飞',
      categories: ['科技'],
      tags: ['机器人'],
      date: '2022-05-08T07:00:00.000Z',
    });
    expect((res.json as { text: string }).text).toContain('图书馆引进了两台机器人');
    // The unencoded form with a real slash also works.
    const plain = await get('/api/docs/' + encodeURI(id));
    expect(plain.status).toBe(200);
    expect((plain.json as { id: string }).id).toBe(id);
  });

  test('unknown ids are 404 JSON', async () => {
    const body = expectJsonError(await get('/api/docs/' + encodeURIComponent('没有这篇.md')), 404);
    expect(body.error).toContain('没有这篇.md');
    expectJsonError(await get('/api/docs/' + 'x'.repeat(3000)), 404);
  });

  test.each([
    '/api/docs/..',
    '/api/docs/../../package.json',
    '/api/docs/..%2F..%2Fpackage.json',
    '/api/docs/%2F..%2F',
    '/api/docs/%2F..%2F..%2F..%2Fetc%2Fpasswd',
    '/api/docs/%2e%2e%2f%2e%2e%2fpackage.json',
    '/api/docs/..%2FCURRENT',
    '/api/docs/%00',
    '/api/docs/2019-03-01-%E6%96%B0%E9%A6%86%E5%BC%80%E6%94%BE.md%00',
    '/api/docs/..%5C..%5Cpackage.json',
    '/..%2Fpackage.json',
    '/%2e%2e/%2e%2e/package.json',
    '/../../package.json',
    '/style.css/..%2F..%2F..%2F..%2Fpackage.json',
    '/%2e%2e%2fapp.ts',
  ])('traversal attempt %s is a 400/404 JSON answer, never a file', async (path) => {
    const res = await get(path);
    expect([400, 404]).toContain(res.status);
    expectJsonError(res, res.status);
    expect(res.text).not.toMatch(/devDependencies|root:x:0|createApp|"formatVersion"/);
  });

  test('invalid percent-encoding in the path is 400 JSON', async () => {
    const body = expectJsonError(await get('/api/docs/%E0%A4%A'), 400);
    expect(body.error.length).toBeGreaterThan(0);
    expectJsonError(await get('/api/docs/%ZZ'), 400);
  });
});

describe('other routes', () => {
  test('unknown routes are 404 JSON', async () => {
    for (const path of ['/nope', '/api', '/api/docs', '/api/docs/', '/api/searchx?q=a', '/admin/reload']) {
      const body = expectJsonError(await get(path), 404);
      expect(body.error).toMatch(/not found/);
    }
  });

  test('/api/suggest completes a prefix', async () => {
    const res = await get('/api/suggest?q=' + encodeURIComponent('图书'));
    expect(res.status).toBe(200);
    const body = res.json as { suggestions: string[] };
    expect(Object.keys(body)).toEqual(['suggestions']);
    expect(body.suggestions).toContain('图书馆');
    expect(body.suggestions.length).toBeLessThanOrEqual(10);
    for (const s of body.suggestions) expect(typeof s).toBe('string');
    for (const path of ['/api/suggest', '/api/suggest?q=', '/api/suggest?q=' + 'x'.repeat(256)]) {
      const r = await get(path);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ suggestions: [] });
    }
  });

  test('/healthz reports the loaded index', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    const body = res.json as Record<string, unknown>;
    expect(body).toEqual({ status: 'ok', docs: 6, builtAt: expect.any(String) as unknown, formatVersion: expect.any(Number) as unknown });
    expect(Number.isNaN(Date.parse(body.builtAt as string))).toBe(false);
  });

  test('/opensearch.xml has the OpenSearch type and a relative search template, whatever the Host header', async () => {
    const res = await get('/opensearch.xml');
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^application\/opensearchdescription\+xml/);
    expect(res.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(res.text).toContain('<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">');
    expect(res.text).toContain('template="/?q={searchTerms}"');
    // A cache in front that ignores Host must not be able to keep a description pointing elsewhere.
    for (const host of ['evil.example', 'x"><script>alert(1)</script>']) {
      const other = await get('/opensearch.xml', { host });
      expect(other.status).toBe(200);
      expect(other.text).toBe(res.text);
    }
  });

  test('/opensearch.xml uses PUBLIC_URL when it is configured', async () => {
    const pub = await startTestServer(index.indexDir, { publicUrl: 'https://search.example.org/zh' });
    try {
      const res = await rawRequest(pub.url, '/opensearch.xml', { headers: { host: 'evil.example' } });
      expect(res.text).toContain('template="https://search.example.org/zh/?q={searchTerms}"');
      expect(res.text).not.toContain('evil.example');
    } finally {
      await pub.close(1000);
    }
  });

  test('the search page and its assets are served', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(String(page.headers['content-type'])).toMatch(/^text\/html/);
    expect(page.text).toContain('id="q"');
    const js = await get('/app.js');
    expect(js.status).toBe(200);
    expect(String(js.headers['content-type'])).toMatch(/javascript/);
  });

  test.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s on GET routes is 405 JSON with Allow', async (method) => {
    for (const path of ['/api/search?q=a', '/api/suggest?q=a', '/api/docs/2019-03-01-x.md', '/healthz', '/opensearch.xml']) {
      const res = await rawRequest(srv.url, path, { method, headers: { 'content-type': 'application/json' }, body: '{}' });
      const body = expectJsonError(res, 405);
      expect(body.error).toContain(method);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  test('security headers are set on JSON, HTML and error answers', async () => {
    for (const path of ['/api/search?q=a', '/', '/nope', '/api/search?page=0']) {
      const res = await get(path);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  test('malformed bodies and oversized bodies on POST routes are JSON without stack traces', async () => {
    const bad = await rawRequest(srv.url, '/admin/reload', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"unterminated',
    });
    expect([400, 404]).toContain(bad.status);
    expectJsonError(bad, bad.status);
    const big = await rawRequest(srv.url, '/admin/reload', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(5000) }),
    });
    expect([404, 413]).toContain(big.status);
    expectJsonError(big, big.status);
  });

  test('POST /admin/reload is 404 when no admin token is configured', async () => {
    const res = await rawRequest(srv.url, '/admin/reload', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expectJsonError(res, 404);
  });
});

describe('admin reload', () => {
  // Corpus of its own: the test rewrites the index folder.
  const base = renderFiles({
    '2020-01-01-a.md': { title: '河边的晨跑', date: '2020-01-01', categories: ['生活'], body: '<p>每天早上沿着河边晨跑五公里。</p>' },
    '2021-01-01-b.md': {
      title: '晨跑装备推荐',
      date: '2021-01-01',
      categories: ['生活'],
      body: '<p>一双合脚的跑鞋是晨跑最重要的装备。</p>',
    },
  });
  let idx: BuiltIndex;
  let admin: RunningServer;

  beforeAll(async () => {
    idx = await buildTempIndex(base);
    admin = await startTestServer(idx.indexDir, { adminToken: TOKEN });
  });
  afterAll(async () => {
    await admin?.close(1000);
    idx?.cleanup();
  });

  const reload = (authorization?: string) =>
    rawRequest(admin.url, '/admin/reload', { method: 'POST', headers: authorization ? { authorization } : {} });

  test('401 without or with a wrong bearer token', async () => {
    for (const auth of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`]) {
      const res = await reload(auth);
      expectJsonError(res, 401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  test('200 with the right token', async () => {
    const res = await reload(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'reloaded', docs: 2, builtAt: expect.any(String) as unknown });
  });

  test('a rebuilt index is swapped in under a steady stream of searches with zero failures', async () => {
    const before = await rawRequest(admin.url, q({ q: '萤火虫' }));
    expect((before.json as SearchBody).total).toBe(0);

    writeFileSync(
      join(idx.corpusDir, '2024-06-01-c.md'),
      renderPost({ title: '夏夜观察萤火虫', date: '2024-06-01', categories: ['自然'], body: '<p>山谷里的萤火虫在七月最多。</p>' }),
    );
    const report = await buildIndex({ corpus: idx.corpusDir, out: idx.indexDir, workers: 0 });
    expect(report.indexed).toBe(3);

    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const words = ['晨跑', '跑鞋', '萤火虫', '装备'];
    const client = async (k: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await rawRequest(admin.url, q({ q: words[(i + k) % words.length] }));
          const body = res.json as SearchBody;
          if (res.status !== 200 || !Array.isArray(body?.hits)) failures.push(`${res.status} ${res.text.slice(0, 100)}`);
          else ok++;
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, k) => client(k));
    try {
      await until(() => ok >= 30 || failures.length > 0, 'searches before the reload');
      const okBeforeReload = ok;
      // Two concurrent reload calls share one load.
      const reloads = Promise.all([reload(`Bearer ${TOKEN}`), reload(`Bearer ${TOKEN}`)]);
      await until(() => ok >= okBeforeReload + 5 || failures.length > 0, 'searches during the reload');
      const [r1, r2] = await reloads;
      const okAtSwap = ok;
      await until(() => ok >= okAtSwap + 30 || failures.length > 0, 'searches after the reload');
      for (const r of [r1, r2]) {
        expect(r.status).toBe(200);
        expect((r.json as { docs: number }).docs).toBe(3);
      }
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    expect(failures).toEqual([]);
    const after = (await rawRequest(admin.url, q({ q: '萤火虫' }))).json as SearchBody;
    expect(after.total).toBe(1);
    expect(after.hits[0].id).toBe('2024-06-01-c.md');
    expect(((await rawRequest(admin.url, '/healthz')).json as { docs: number }).docs).toBe(3);
  });

  test('a reload that fails is 409 JSON with a short reason and no path, and the old index keeps answering', async () => {
    const health = (await rawRequest(admin.url, '/healthz')).json as { docs: number; builtAt: string };
    const live = readFileSync(join(idx.indexDir, 'CURRENT'), 'utf8').trim();
    const expectRefused = async (reason: RegExp): Promise<void> => {
      const res = await reload(`Bearer ${TOKEN}`);
      const body = expectJsonError(res, 409);
      expect(body.error).toMatch(reason);
      expect(body.error).toMatch(/still serving the previous index$/);
      expect(body.error).not.toContain(idx.indexDir);
      expect(body.error).not.toContain('/');
    };
    // A file of the live version damaged on disk: its checksum no longer matches.
    const vocab = join(idx.indexDir, live, 'vocab.json.gz');
    const bytes = readFileSync(vocab);
    bytes[bytes.length >> 1] ^= 0x5a;
    writeFileSync(vocab, bytes);
    await expectRefused(/^reload failed: the new index is damaged \(a file does not match its checksum\)/);

    // Empty the index folder: nothing left to load.
    for (const e of readdirSync(idx.indexDir)) rmSync(join(idx.indexDir, e), { recursive: true, force: true });
    await expectRefused(/^reload failed: there is no index to load/);
    // A corrupted CURRENT pointer fails the same way.
    writeFileSync(join(idx.indexDir, 'CURRENT'), 'v-1-abc\n');
    await expectRefused(/^reload failed: there is no index to load/);
    writeFileSync(join(idx.indexDir, 'CURRENT'), '../../etc\n');
    await expectRefused(/^reload failed: the new index is damaged;/);

    const still = await rawRequest(admin.url, q({ q: '萤火虫' }));
    expect(still.status).toBe(200);
    expect((still.json as SearchBody).total).toBe(1);
    expect((await rawRequest(admin.url, '/healthz')).json).toMatchObject({ status: 'ok', docs: health.docs, builtAt: health.builtAt });
  });
});

describe('rate limit and CORS', () => {
  test('with rateLimit 3 the 4th request within a minute is 429 JSON', async () => {
    const limited = await startTestServer(index.indexDir, { rateLimit: 3 });
    try {
      for (let i = 0; i < 3; i++) expect((await rawRequest(limited.url, '/healthz')).status).toBe(200);
      const res = await rawRequest(limited.url, q({ q: '图书馆' }));
      const body = expectJsonError(res, 429);
      expect(body.error).toBe('rate limit: at most 3 requests per minute');
      // draft-7 headers: the policy (3 per 60 s window) and the state (none left).
      expect(res.headers['ratelimit-policy']).toBe('3;w=60');
      expect(String(res.headers.ratelimit)).toMatch(/^limit=3, remaining=0, reset=([1-9]|[1-5]\d|60)$/);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    } finally {
      await limited.close(1000);
    }
  });

  test('an allowed Origin is echoed; another origin gets no Access-Control-Allow-Origin', async () => {
    const cors = await startTestServer(index.indexDir, { corsOrigins: ['https://allowed.example', 'http://localhost:8080'] });
    try {
      const ok = await rawRequest(cors.url, q({ q: '图书馆' }), { headers: { origin: 'https://allowed.example' } });
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe('https://allowed.example');
      expect(String(ok.headers.vary)).toMatch(/Origin/i);
      const second = await rawRequest(cors.url, '/healthz', { headers: { origin: 'http://localhost:8080' } });
      expect(second.headers['access-control-allow-origin']).toBe('http://localhost:8080');
      const preflight = await rawRequest(cors.url, '/api/search?q=a', {
        method: 'OPTIONS',
        headers: { origin: 'https://allowed.example', 'access-control-request-method': 'GET' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://allowed.example');

      for (const origin of ['https://evil.example', 'https://allowed.example.evil.com', 'null', 'https://ALLOWED.example']) {
        const res = await rawRequest(cors.url, q({ q: '图书馆' }), { headers: { origin } });
        expect(res.status).toBe(200);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
      const evilPreflight = await rawRequest(cors.url, '/api/search?q=a', {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      expect(evilPreflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(evilPreflight.status).not.toBe(500);
    } finally {
      await cors.close(1000);
    }
    // Without an allow-list nobody gets the header.
    const plain = await get(q({ q: '图书馆' }), { origin: 'https://allowed.example' });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });
});
