import { SearchEngine } from '../src/engine';
import { simhash, hamming } from '../src/analysis/simhash';
import { groupDuplicates, normalizeUrl } from '../src/indexer/duplicate-groups';
import { buildTempIndex, rawRequest, renderFiles, startTestServer, type BuiltIndex } from './helpers/server';
import type { RunningServer } from '../src/server/main';

/**
 * Duplicate grouping (same source URL or near-identical body), collapsed results,
 * related articles and exports, through the library and the real HTTP server.
 */

jest.setTimeout(120_000);

// Original text written for this test.
const HARBOR = [
  '东湾港务局周三宣布，新建的深水泊位将在明年春季投入使用，届时可以停靠更大的集装箱船。',
  '港务局负责人介绍，泊位改造历时三年，疏浚航道十二公里，新增岸桥八台，年吞吐能力提高四成。',
  '沿岸的渔民担心施工影响近海鱼群，港务局表示已设立生态补偿基金，并将定期公布水质监测数据。',
  '航运公司普遍欢迎这一消息，认为东湾港有望分流邻近港口的压力，降低内陆企业的物流成本。',
].join('');
const ORCHARD = [
  '北坡村的果农今年迎来苹果丰收，合作社统一分拣包装，通过冷链物流直接送往城市超市。',
  '合作社理事长说，过去果子只能卖给上门收购的商贩，价格被压得很低，如今农户收入翻了一番。',
  '县里派来的农技员指导果农修剪枝条、改良土壤，并推广防雹网，减少了冰雹造成的损失。',
  '村里还办起了采摘节，吸引周边城市的游客前来体验，民宿和农家饭馆的生意也红火起来。',
].join('');
const SCHOOL = '西岭中学新建的图书馆本周开放，馆内藏书两万册，学生可以在课后自习和借阅。';

const posts = {
  'harbor-a.md': {
    title: '东湾港深水泊位明年启用',
    date: '2024-04-02',
    from: 'https://news.example.com/harbor/2024/0402',
    body: `<p>${HARBOR}</p>`,
  },
  // The same story reposted: another title, a site suffix, one character changed.
  'harbor-b.md': {
    title: '东湾港深水泊位明年启用 - 海滨日报',
    date: '2024-04-03',
    from: 'https://mirror.example.net/p/88',
    body: `<p>${HARBOR.replace('十二公里', '十三公里')}</p>`,
  },
  // The same source URL (http, www, trailing slash differ): grouped whatever the text.
  'orchard-a.md': {
    title: '北坡村苹果丰收',
    date: '2024-09-10',
    from: 'https://www.farm.example.org/stories/apple/',
    body: `<p>${ORCHARD}</p>`,
  },
  'orchard-b.md': { title: '北坡村果农增收', date: '2024-09-11', from: 'http://farm.example.org/stories/apple', body: `<p>${SCHOOL}</p>` },
  // On the same topic as the harbour story but another text: related, not a duplicate.
  'harbor-c.md': {
    title: '东湾港疏浚航道引发渔民担忧',
    date: '2024-05-20',
    from: 'https://news.example.com/harbor/2024/0520',
    body: '<p>东湾港疏浚航道的工程进入第二阶段，近海渔民再次表达担忧，港务局承诺公布水质监测数据，并扩大生态补偿基金。集装箱船停靠需要更深的航道。</p>',
  },
  'school.md': { title: '西岭中学图书馆开放', date: '2024-03-01', from: 'https://edu.example.com/a/1', body: `<p>${SCHOOL}</p>` },
};

let built: BuiltIndex;
let engine: SearchEngine;
let server: RunningServer;

beforeAll(async () => {
  built = await buildTempIndex(renderFiles(posts));
  engine = await SearchEngine.open(built.indexDir);
  server = await startTestServer(built.indexDir);
});
afterAll(async () => {
  await server.close();
  built.cleanup();
});

test('SimHash: near-identical bodies are a few bits apart, different ones far apart', () => {
  const bigrams = (s: string): Map<number, number> => {
    const m = new Map<number, number>();
    for (let i = 0; i + 1 < s.length; i++) {
      const k = ((s.charCodeAt(i) << 16) | s.charCodeAt(i + 1)) >>> 0;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const a = simhash(bigrams(HARBOR))!;
  const b = simhash(bigrams(HARBOR.replace('十二公里', '十三公里')))!;
  const c = simhash(bigrams(ORCHARD))!;
  // One character changed in a short text moves a few bits; another text about half of them.
  expect(hamming(a, b)).toBeLessThan(8);
  expect(hamming(a, c)).toBeGreaterThan(16);
  expect(hamming(a, a)).toBe(0);
  expect(simhash(bigrams('太短了'))).toBeNull();
});

test('SimHash signatures are the textbook per-bit vote, so indexes built before and after stay comparable', () => {
  // Reference: every feature votes +w or -w on each of the 64 bits of its hash.
  const fmix = (h: number): number => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  };
  const reference = (m: Map<number, number>): string => {
    const acc = new Array<number>(64).fill(0);
    for (const [key, tf] of m) {
      const w = Math.min(tf, 16);
      const halves = [fmix(key ^ 0x9e3779b9), fmix(key ^ 0x85ebca6b)];
      for (let b = 0; b < 64; b++) acc[b] += (halves[b >> 5] >>> (b & 31)) & 1 ? w : -w;
    }
    let bits = '';
    for (let b = 63; b >= 0; b--) bits += acc[b] > 0 ? '1' : '0';
    return BigInt('0b' + bits)
      .toString(16)
      .padStart(16, '0');
  };
  let seed = 7;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let t = 0; t < 200; t++) {
    const m = new Map<number, number>();
    const n = 100 + Math.floor(rand() * 400);
    for (let i = 0; i < n; i++) m.set(Math.floor(rand() * 2 ** 32), 1 + Math.floor(rand() * (t % 2 ? 30 : 3)));
    expect(simhash(m)).toBe(reference(m));
  }
});

test('URLs are grouped by host and path, not by scheme, www or a trailing slash; bare sites never', () => {
  expect(normalizeUrl('https://www.Farm.example.org/stories/apple/')).toBe(normalizeUrl('http://farm.example.org/stories/apple'));
  expect(normalizeUrl('https://example.org/')).toBeNull();
  expect(normalizeUrl('not a url')).toBeNull();
  expect(
    groupDuplicates([
      ['https://a.example/x', null],
      ['https://b.example/x', null],
      ['http://a.example/x/', null],
    ]),
  ).toEqual([[0, 2]]);
});

test('the build reports two groups; search shows one post per story with the count of the others', () => {
  expect(built.report.duplicateGroups).toBe(2);
  expect(engine.duplicateGroupCount).toBe(2);
  expect(engine.duplicateGroups).toBe(2); // the deprecated name still answers
  const r = engine.search('东湾港');
  expect(r.total).toBe(2); // two stories: the reposted one and the dredging report
  const harbor = r.hits.find((h) => h.id.startsWith('harbor-a') || h.id.startsWith('harbor-b'))!;
  expect(harbor.duplicates).toBe(1);
  expect(harbor.duplicateIds).toEqual([harbor.id === 'harbor-a.md' ? 'harbor-b.md' : 'harbor-a.md']);
  expect(r.hits.find((h) => h.id === 'harbor-c.md')!.duplicates).toBe(0);

  const all = engine.search('东湾港', { collapse: false });
  expect(all.total).toBe(3);
  expect(all.hits.map((h) => h.id).sort()).toEqual(['harbor-a.md', 'harbor-b.md', 'harbor-c.md']);
  expect(engine.duplicatesOf('orchard-a.md')).toEqual(['orchard-b.md']);
  // The school post shares its text with orchard-b, but is too short to be called a duplicate.
  expect(engine.duplicatesOf('school.md')).toEqual([]);
});

test('a hit counts only the copies that match the query too, in whatever order matching found them', () => {
  // orchard-b shares orchard-a's source URL but not its text: it holds 北坡村 (title) and 图书馆, not 苹果.
  const apple = engine.search('苹果', { collapse: false });
  expect(apple.hits.map((h) => [h.id, h.duplicates])).toEqual([['orchard-a.md', 0]]);
  const village = engine.search('北坡村');
  expect(village.total).toBe(1);
  expect(village.hits[0].duplicates).toBe(1);
  // OR-ed clauses list their matches clause by clause, not in document order.
  for (const q of ['苹果 OR 图书馆', '图书馆 OR 苹果']) {
    const r = engine.search(q, { collapse: false });
    const dupes = Object.fromEntries(r.hits.map((h) => [h.id, h.duplicateIds]));
    expect(dupes).toEqual({ 'orchard-a.md': ['orchard-b.md'], 'orchard-b.md': ['orchard-a.md'], 'school.md': [] });
  }
});

test('facet counts are the totals their filters show: a story counts once per year, collapsed or not', () => {
  const r = engine.search('东湾港');
  expect(r.facets.years).toEqual({ '2024': 2 });
  expect(engine.search('东湾港', { from: '2024-01-01', to: '2024-12-31' }).total).toBe(r.facets.years['2024']);
  const all = engine.search('东湾港', { collapse: false });
  expect(all.facets.years).toEqual({ '2024': 3 });
  expect(engine.search('东湾港', { collapse: false, from: '2024-01-01', to: '2024-12-31' }).total).toBe(3);
});

test('a story whose copies differ in year or category counts once under each value its copies have', () => {
  // Copies by source URL: the 2023 copy carries a category the others lack.
  const copy = (id: string, date: string, categories: string[]) => ({
    id,
    title: '河口湿地观鸟季',
    date,
    url: 'https://birds.example.org/2024/estuary',
    categories,
    text: '河口湿地迎来观鸟季，志愿者在堤岸记录候鸟数量。',
  });
  const e = SearchEngine.fromDocuments([
    copy('a', '2023-12-30', ['自然', '本地']),
    copy('b', '2024-01-02', ['自然']),
    copy('c', '2024-01-03', ['自然']),
    // Another story with identical copies, and a post without copies.
    {
      id: 'd',
      title: '湿地候鸟',
      date: '2024-02-01',
      url: 'https://birds.example.org/2024/flyway',
      categories: ['自然'],
      text: '候鸟迁徙经过河口湿地。',
    },
    {
      id: 'e',
      title: '湿地候鸟',
      date: '2024-02-01',
      url: 'http://birds.example.org/2024/flyway/',
      categories: ['自然'],
      text: '候鸟迁徙经过河口湿地。',
    },
    { id: 'f', title: '观鸟指南', date: '2022-05-01', categories: ['本地'], text: '在河口湿地观鸟要带望远镜。' },
  ]);
  const r = e.search('湿地');
  expect(r.total).toBe(3);
  expect({ ...r.facets.years }).toEqual({ '2022': 1, '2023': 1, '2024': 2 });
  expect({ ...r.facets.categories }).toEqual({ 自然: 2, 本地: 2 });
  for (const [year, n] of Object.entries(r.facets.years))
    expect(e.search('湿地', { from: `${year}-01-01`, to: `${year}-12-31` }).total).toBe(n);
  for (const [c, n] of Object.entries(r.facets.categories)) expect(e.search('湿地', { categories: [c] }).total).toBe(n);
  const all = e.search('湿地', { collapse: false });
  expect({ ...all.facets.years }).toEqual({ '2022': 1, '2023': 1, '2024': 4 });
  expect({ ...all.facets.categories }).toEqual({ 自然: 5, 本地: 2 });
});

test('HTTP: collapse=false shows every post; a bad collapse value is a 400 naming it', async () => {
  const one = await rawRequest(server.url, `/api/search?q=${encodeURIComponent('东湾港')}`);
  expect((one.json as { total: number }).total).toBe(2);
  const all = await rawRequest(server.url, `/api/search?q=${encodeURIComponent('东湾港')}&collapse=false`);
  expect((all.json as { total: number }).total).toBe(3);
  const bad = await rawRequest(server.url, `/api/search?q=x&collapse=maybe`);
  expect(bad.status).toBe(400);
  expect(bad.json).toMatchObject({ parameter: 'collapse' });
});

test('related articles: same topic first, never the article itself or its duplicates', async () => {
  const r = engine.related('harbor-a.md')!;
  expect(r.terms.length).toBeGreaterThan(0);
  const ids = r.articles.map((a) => a.id);
  expect(ids[0]).toBe('harbor-c.md');
  expect(ids).not.toContain('harbor-a.md');
  expect(ids).not.toContain('harbor-b.md');
  expect(engine.related('no-such.md')).toBeNull();

  const res = await rawRequest(server.url, `/api/docs/${encodeURIComponent('harbor-a.md')}/related`);
  expect(res.status).toBe(200);
  const body = res.json as { id: string; related: Array<{ id: string; title: string }> };
  expect(body.id).toBe('harbor-a.md');
  expect(body.related[0]).toMatchObject({ id: 'harbor-c.md', title: '东湾港疏浚航道引发渔民担忧' });
  expect((await rawRequest(server.url, '/api/docs/nope.md/related')).status).toBe(404);
  expect((await rawRequest(server.url, '/api/docs/harbor-a.md/related?limit=99')).status).toBe(400);
  // The document route itself still answers.
  expect((await rawRequest(server.url, '/api/docs/harbor-a.md')).status).toBe(200);
});

test('export: JSON Lines and CSV with every ranked row, bounded (quoting and formula escaping: export.test.ts)', async () => {
  const jsonl = await rawRequest(server.url, `/api/search?q=${encodeURIComponent('东湾港')}&format=jsonl&collapse=false`);
  expect(jsonl.status).toBe(200);
  expect(String(jsonl.headers['content-type'])).toMatch(/^application\/x-ndjson/);
  const rows = jsonl.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { rank: number; id: string });
  expect(rows.map((r) => r.rank)).toEqual([1, 2, 3]);
  const api = engine.search('东湾港', { collapse: false, limit: 100 });
  expect(rows.map((r) => r.id)).toEqual(api.hits.map((h) => h.id));

  const csv = await rawRequest(server.url, `/api/search?q=${encodeURIComponent('东湾港')}&format=csv&limit=1`);
  expect(String(csv.headers['content-type'])).toMatch(/^text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  expect(lines[0]).toBe('rank,id,title,url,date,author,categories,tags,score,duplicates');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(/^1,harbor-/);

  expect((await rawRequest(server.url, '/api/search?q=x&format=xml')).json).toMatchObject({ parameter: 'format' });
  expect((await rawRequest(server.url, '/api/search?q=x&format=csv&limit=10001')).json).toMatchObject({ parameter: 'limit' });
  const tooLong = await rawRequest(server.url, `/api/search?q=${encodeURIComponent('长'.repeat(300))}&format=jsonl`);
  expect(tooLong.status).toBe(400);
});
