import { thrownBy } from './helpers/thrown';
import fc from 'fast-check';
import { MAX_LIMIT, normalize, QueryError, SearchEngine, type DocumentInput, type SearchResult } from '../src';
import { EXACT_CANDIDATES } from '../src/query/rank';
import { makeSnippet } from '../src/query/snippet';
import { titleSuffix } from '../src/query/doctable';

/** A small archive written for these tests: mixed Chinese/English, several categories, tags, authors and dates. */
const DOCS: DocumentInput[] = [
  {
    id: 'city/metro.md',
    title: '城市轨道交通新线路开通',
    text: '本市城市轨道交通三号线今日开通。欧阳明远说新线路将缓解早高峰的拥堵。\n沿线居民对通勤时间缩短感到满意。',
    date: '2021-03-15T08:00:00Z',
    author: '林晓',
    categories: ['城市'],
    tags: ['交通', '地铁'],
  },
  {
    id: 'tech/python.md',
    title: 'Python 入门指南',
    text: '学习 Python 编程并不难。本文介绍变量、函数和模块的基本用法。',
    date: '2020-06-01T00:00:00Z',
    author: '陈思',
    categories: ['科技'],
    tags: ['编程'],
  },
  {
    id: 'tech/iphone.md',
    title: 'iPhone 新品发布会回顾',
    text: '苹果公司发布了新款 iPhone，支持 5G 网络，电池续航也有明显提升。',
    date: '2021-09-20T10:00:00Z',
    author: '陈思',
    categories: ['科技'],
    tags: ['手机', '5G'],
  },
  {
    id: 'health/covid.md',
    title: '疫情防控常态化',
    text: '面对 COVID-19 疫情，社区工作者司马青禾说防控措施需要长期坚持。上官云舒说志愿者每天都在值守。',
    date: '2021-01-10T00:00:00Z',
    author: '王雨桐',
    categories: ['健康'],
    tags: ['疫情'],
  },
  {
    id: 'life/rain.md',
    title: '山城的雨季',
    text: '重庆的雨季很长。老人们在茶馆里聊天，年轻人撑着伞赶路。',
    date: '2019-07-07T00:00:00Z',
    author: '林晓',
    categories: ['生活'],
    tags: ['重庆', '天气'],
  },
  {
    id: 'econ/report.md',
    title: '2021年经济形势分析',
    text: '2021年上半年，制造业投资回升，消费市场逐步恢复。',
    date: '2021-07-30T00:00:00Z',
    author: '王雨桐',
    categories: ['经济'],
    tags: ['宏观'],
  },
  {
    id: 'econ/ecny.md',
    title: '数字货币观察',
    text: '数字人民币试点范围继续扩大，更多城市加入了测试。',
    date: '2021-11-02T00:00:00Z',
    author: '赵一鸣',
    categories: ['经济'],
    tags: ['金融'],
  },
  {
    id: 'econ/apart.md',
    title: '小店的变化',
    text: '数字化改造以后，小店用人民币结算也更方便了，对地方经济也有好处。',
    date: '2021-11-01T00:00:00Z',
    author: '赵一鸣',
    categories: ['经济', '生活'],
    tags: ['金融', '小店'],
  },
  {
    id: 'travel/lijiang.md',
    title: '丽江古城游记',
    text: '古城的石板路被雨水洗得发亮，纳西族的老人在门口晒太阳。',
    date: '2018-05-01T00:00:00Z',
    author: '周舟',
    categories: ['旅行'],
    tags: ['云南'],
  },
  {
    id: 'travel/southwest.md',
    title: '西南旅行散记',
    text:
      '这一次旅行走了很多地方，先是坐了很久的火车，又换乘长途汽车穿过群山。' +
      '路上遇到的人大多热情，卖水果的阿姨会多塞给你一个橘子，司机师傅会给你讲沿途村寨的故事。' +
      '山里的天气变化很快，上午还是晴天，下午就下起了小雨，晚上又冷得需要穿上外套。' +
      '在一个小镇住了两晚，客栈老板做的米线非常好吃，价格也很公道。' +
      '后来去了丽江，只停留了半天。' +
      '最后一站是一个不知名的湖边，湖水清澈，远处的雪山倒映在水面上，让人久久不愿离开。' +
      '回程的路上一直在想，下一次还要带上家人一起来，慢慢地走，慢慢地看，把没来得及去的地方都补上。',
    date: '2018-06-01T00:00:00Z',
    author: '周舟',
    categories: ['旅行'],
    tags: ['云南', '四川'],
  },
  {
    id: 'notes/go-old.md',
    title: '读书笔记',
    text: '今天读完了一本关于围棋定式的书。',
    date: '2020-01-01T00:00:00Z',
    author: '周舟',
    categories: ['读书'],
    tags: ['围棋'],
  },
  {
    id: 'notes/go-new.md',
    title: '读书笔记',
    text: '今天读完了一本关于围棋定式的书。',
    date: '2022-01-01T00:00:00Z',
    author: '周舟',
    categories: ['读书'],
    tags: ['围棋'],
  },
  {
    id: 'misc/xss.md',
    title: '<img src=x onerror=alert(1)> 安全标题测试',
    html: '<p>示例代码 &lt;script&gt;alert(1)&lt;/script&gt; 会被原样显示，不会执行。</p>',
    date: '2022-02-02T00:00:00Z',
    author: '赵一鸣',
    categories: ['科技'],
    tags: ['安全'],
  },
];

let engine: SearchEngine;
beforeAll(() => {
  engine = SearchEngine.fromDocuments(DOCS);
});

const ids = (r: SearchResult): string[] => r.hits.map((h) => h.id);
const idSet = (q: string, opts = {}): string[] => ids(engine.search(q, { limit: MAX_LIMIT, ...opts })).sort();

describe('recall', () => {
  test.each([
    // Names jieba cuts apart (欧阳明/远, 司马/青禾, 上官云/舒说) are still found whole.
    ['欧阳明远', ['city/metro.md']],
    ['司马青禾', ['health/covid.md']],
    ['上官云舒', ['health/covid.md']],
    // A word inside a longer jieba word (轨道 in 城市轨道交通).
    ['轨道', ['city/metro.md']],
    ['轨道交通', ['city/metro.md']],
    // Full-width and upper-case input match lower-case text and vice versa.
    ['ＰＹＴＨＯＮ', ['tech/python.md']],
    ['python', ['tech/python.md']],
    ['IPHONE', ['tech/iphone.md']],
    ['iphone', ['tech/iphone.md']],
    ['COVID-19', ['health/covid.md']],
    ['covid-19', ['health/covid.md']],
    ['5G', ['tech/iphone.md']],
    ['５ｇ', ['tech/iphone.md']],
    ['2021年', ['econ/report.md']],
  ])('%s finds exactly %j', (q, expected) => {
    expect(idSet(q)).toEqual([...expected].sort());
  });

  test('a single-character query finds the documents containing that character', () => {
    expect(idSet('雨')).toEqual(['life/rain.md', 'travel/lijiang.md', 'travel/southwest.md']);
    const r = engine.search('湖');
    expect(ids(r)).toEqual(['travel/southwest.md']);
    expect(r.hits[0].snippet).toContain('<mark>湖</mark>');
  });

  test('punctuation and symbols around a word are ignored', () => {
    expect(idSet('（丽江）')).toEqual(['travel/lijiang.md', 'travel/southwest.md']);
    expect(idSet('《丽江》。')).toEqual(['travel/lijiang.md', 'travel/southwest.md']);
    expect(idSet('丽江🙂')).toEqual(['travel/lijiang.md', 'travel/southwest.md']);
  });

  test('a long query is segmented: its words may be apart in the text', () => {
    // 司马青禾说防控 (7 characters) → 司马 / 青禾 / 说 / 防控; the lone 说 is not required.
    expect(idSet('司马青禾说防控')).toEqual(['health/covid.md']);
    expect(idSet('欧阳明远缓解拥堵')).toEqual(['city/metro.md']);
  });

  test('a word that occurs nowhere finds nothing', () => {
    const r = engine.search('火星探测器');
    expect(r.total).toBe(0);
    expect(r.hits).toEqual([]);
  });
});

describe('operators', () => {
  test('space means AND: every word must occur', () => {
    expect(idSet('城市')).toEqual(['city/metro.md', 'econ/ecny.md']);
    expect(idSet('城市 拥堵')).toEqual(['city/metro.md']);
    expect(idSet('城市 雪山')).toEqual([]);
  });

  test('punctuation typed between words separates them like a space', () => {
    expect(idSet('城市，拥堵')).toEqual(['city/metro.md']);
    expect(idSet('城市、拥堵')).toEqual(['city/metro.md']);
    expect(idSet('数字,人民币')).toEqual(['econ/apart.md', 'econ/ecny.md']);
    expect(idSet('python；编程')).toEqual(['tech/python.md']);
    expect(idSet('城市，雪山')).toEqual([]);
    // Joiners inside a Latin term keep it one term.
    expect(idSet('covid-19')).toEqual(['health/covid.md']);
  });

  test('OR matches either word', () => {
    expect(idSet('丽江 OR 重庆')).toEqual(['life/rain.md', 'travel/lijiang.md', 'travel/southwest.md']);
    expect(idSet('python OR iphone')).toEqual(['tech/iphone.md', 'tech/python.md']);
  });

  test('a lower-case "or" is not the OR operator: both words are still required', () => {
    expect(idSet('丽江 or 重庆')).toEqual([]);
  });

  test('"exact phrase" requires the words together, unquoted words may be apart', () => {
    expect(idSet('数字人民币')).toEqual(['econ/apart.md', 'econ/ecny.md']);
    expect(idSet('"数字人民币"')).toEqual(['econ/ecny.md']);
    expect(idSet('“数字人民币”')).toEqual(['econ/ecny.md']);
    expect(idSet('「数字人民币」')).toEqual(['econ/ecny.md']);
    // An unclosed quote runs to the end of the query.
    expect(idSet('"数字人民币')).toEqual(['econ/ecny.md']);
  });

  test('exclusion works with phrases and title: too', () => {
    expect(idSet('数字 -"数字人民币"')).toEqual(['econ/apart.md']);
    expect(idSet('经济 -title:经济')).toEqual(['econ/apart.md']);
    expect(idSet('城市 －轨道')).toEqual(['econ/ecny.md']);
  });

  test('-word excludes documents containing it', () => {
    expect(idSet('城市 -轨道')).toEqual(['econ/ecny.md']);
    expect(idSet('读书笔记 -围棋')).toEqual([]);
    expect(idSet('金融')).toEqual([]); // tags are filters, not text
  });

  test('title:word only matches titles', () => {
    expect(idSet('经济')).toEqual(['econ/apart.md', 'econ/report.md']);
    expect(idSet('title:经济')).toEqual(['econ/report.md']);
    expect(idSet('title:丽江')).toEqual(['travel/lijiang.md']);
    expect(idSet('title:"读书笔记"')).toEqual(['notes/go-new.md', 'notes/go-old.md']);
  });

  test.each([['的'], ['the'], ['的 了 是'], ['，。！？'], ['!!! ...'], ['   '], ['\t\n'], [''], ['-'], ['OR'], ['""']])(
    'query %j without searchable words gives an empty result, not an error',
    (q) => {
      const r = engine.search(q);
      expect(r.total).toBe(0);
      expect(r.hits).toEqual([]);
    },
  );

  test('a query over 256 characters is a QueryError naming q; 256 is accepted', () => {
    const long = '城'.repeat(257);
    let caught: unknown;
    try {
      engine.search(long);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(QueryError);
    expect((caught as QueryError).parameter).toBe('q');
    expect(() => engine.search('城'.repeat(256))).not.toThrow();
  });
});

describe('filters', () => {
  test('categories keep documents in any of the given categories', () => {
    expect(idSet('数字', { categories: ['经济'] })).toEqual(['econ/apart.md', 'econ/ecny.md']);
    expect(idSet('城市', { categories: ['城市'] })).toEqual(['city/metro.md']);
    expect(idSet('城市', { categories: ['城市', '经济'] })).toEqual(['city/metro.md', 'econ/ecny.md']);
    expect(idSet('城市', { categories: ['旅行'] })).toEqual([]);
  });

  test('tags and author filter exactly', () => {
    expect(idSet('今天', { tags: ['围棋'] })).toEqual(['notes/go-new.md', 'notes/go-old.md']);
    expect(idSet('人民币', { tags: ['小店'] })).toEqual(['econ/apart.md']);
    expect(idSet('发布', { author: '陈思' })).toEqual(['tech/iphone.md']);
    expect(idSet('发布', { author: '陈' })).toEqual([]);
  });

  test('from/to bound the date, both inclusive; a bare to-date covers that whole day', () => {
    // tech/iphone.md is dated 2021-09-20T10:00:00Z.
    expect(idSet('苹果', { from: '2021-09-20', to: '2021-09-20' })).toEqual(['tech/iphone.md']);
    expect(idSet('苹果', { to: '2021-09-19' })).toEqual([]);
    expect(idSet('苹果', { from: '2021-09-21' })).toEqual([]);
    expect(idSet('数字', { from: '2021-11-02' })).toEqual(['econ/ecny.md']);
    expect(idSet('数字', { to: '2021-11-01' })).toEqual(['econ/apart.md']);
    expect(idSet('经济', { from: '2021-01-01', to: '2021-12-31' })).toEqual(['econ/apart.md', 'econ/report.md']);
    // A full date-time bound is exact.
    expect(idSet('苹果', { to: '2021-09-20T09:59:00Z' })).toEqual([]);
    expect(idSet('苹果', { to: '2021-09-20T10:00:00Z' })).toEqual(['tech/iphone.md']);
    expect(idSet('苹果', { from: '2021-10-01', to: '2021-01-01' })).toEqual([]);
  });

  test.each([
    ['from', 'yesterday'],
    ['from', '2021-13-01'],
    ['to', '2021/10/26'],
    ['to', 'abc'],
  ])('an invalid %s date %j is a QueryError naming that parameter', (name, value) => {
    let caught: unknown;
    try {
      engine.search('城市', { [name]: value });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(QueryError);
    expect((caught as QueryError).parameter).toBe(name);
  });
});

describe('sorting and pagination', () => {
  test('sort by date lists newest first', () => {
    const r = engine.search('经济 OR 城市 OR 围棋', { sort: 'date', limit: MAX_LIMIT });
    expect(r.total).toBe(6);
    const dates = r.hits.map((h) => h.date!);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(r.hits[0].id).toBe('notes/go-new.md');
  });

  // 120 documents that all contain 海洋, dated one day apart.
  const many: DocumentInput[] = Array.from({ length: 120 }, (_, i) => ({
    id: `sea/${String(i).padStart(3, '0')}.md`,
    title: `第${i + 1}篇海洋笔记`,
    text: `海洋观测记录第${i + 1}号：今天的浪高和水温都有记录。`,
    date: new Date(Date.UTC(2020, 0, 1 + i)).toISOString(),
    categories: [i % 3 === 0 ? '观测' : '日志'],
  }));
  let seaEngine: SearchEngine;
  beforeAll(() => {
    seaEngine = SearchEngine.fromDocuments(many);
  });

  test('pages do not overlap, cover every match, and keep the same total', () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 40; offset += 7) {
      const r = seaEngine.search('海洋', { categories: ['观测'], offset, limit: 7 });
      expect(r.total).toBe(40);
      expect(r.offset).toBe(offset);
      expect(r.hits.length).toBe(Math.min(7, 40 - offset));
      seen.push(...ids(r));
    }
    expect(new Set(seen).size).toBe(40);
    expect(seen).toEqual(ids(seaEngine.search('海洋', { categories: ['观测'], limit: 40 })));
  });

  test('pages sorted by date do not overlap either', () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 120; offset += 25) seen.push(...ids(seaEngine.search('海洋', { sort: 'date', offset, limit: 25 })));
    expect(seen).toEqual([...many].reverse().map((d) => d.id));
  });

  // Regression: pages beyond the exact-scoring pool once overlapped.
  test('pages stay consistent when a query matches more than EXACT_CANDIDATES documents', () => {
    const n = EXACT_CANDIDATES + 20;
    const docs: DocumentInput[] = Array.from({ length: n }, (_, i) => ({
      id: `sea/${String(i).padStart(3, '0')}.md`,
      title: `第${i + 1}篇海洋笔记`,
      text: `海洋观测记录第${i + 1}号：今天的浪高和水温都有记录。`,
      date: new Date(Date.UTC(2020, 0, 1 + i)).toISOString(),
    }));
    const e = SearchEngine.fromDocuments(docs);
    const seen: string[] = [];
    for (let offset = 0; offset < n; offset += 25) seen.push(...ids(e.search('海洋', { offset, limit: 25 })));
    expect(seen.length).toBe(n);
    expect(new Set(seen).size).toBe(n);
  });

  test('limit is capped at 100 and an offset past the end gives no hits', () => {
    const r = seaEngine.search('海洋', { limit: 1000 });
    expect(r.hits.length).toBe(100);
    expect(r.limit).toBe(100);
    expect(r.total).toBe(120);
    const past = seaEngine.search('海洋', { offset: 500 });
    expect(past.hits).toEqual([]);
    expect(past.total).toBe(120);
  });

  test('default limit is 10', () => {
    expect(seaEngine.search('海洋').hits.length).toBe(10);
  });

  test('an unknown sort is a QueryError naming sort', () => {
    expect(thrownBy(() => seaEngine.search('海洋', { sort: 'random' as 'date' }))).toMatchObject({ name: 'QueryError', parameter: 'sort' });
  });

  test('invalid offset/limit are QueryErrors naming the parameter', () => {
    expect(thrownBy(() => seaEngine.search('海洋', { limit: 0 }))).toMatchObject({ name: 'QueryError', parameter: 'limit' });
    expect(thrownBy(() => seaEngine.search('海洋', { offset: -1 }))).toMatchObject({ name: 'QueryError', parameter: 'offset' });
    expect(() => seaEngine.search('海洋', { limit: 2.5 })).toThrow(QueryError);
  });

  test('facets count all matches, not just the page', () => {
    const r = seaEngine.search('海洋', { limit: 5 });
    expect(r.hits.length).toBe(5);
    expect({ ...r.facets.categories }).toEqual({ 日志: 80, 观测: 40 });
    // Dates run from 2020-01-01 over 120 days: all in 2020.
    expect({ ...r.facets.years }).toEqual({ 2020: 120 });
    const filtered = seaEngine.search('海洋', { categories: ['观测'], limit: 1 });
    expect(filtered.total).toBe(40);
    expect({ ...filtered.facets.categories }).toEqual({ 观测: 40 });
  });

  test('facets on the mixed archive match a count over every hit', () => {
    const r = engine.search('经济 OR 城市 OR 数字', { limit: 1 });
    const full = engine.search('经济 OR 城市 OR 数字', { limit: MAX_LIMIT });
    const expected: Record<string, number> = {};
    for (const h of full.hits) for (const c of h.categories) expected[c] = (expected[c] ?? 0) + 1;
    expect(r.total).toBe(full.total);
    expect({ ...r.facets.categories }).toEqual(expected);
    expect({ ...r.facets.years }).toEqual({ 2021: 4 });
  });
});

describe('ranking', () => {
  test('a document with the word in its title outranks one that mentions it once in a long body', () => {
    const r = engine.search('丽江');
    expect(ids(r)).toEqual(['travel/lijiang.md', 'travel/southwest.md']);
    expect(r.hits[0].score).toBeGreaterThan(r.hits[1].score);
  });

  test('equal scores are broken newest first', () => {
    const r = engine.search('围棋');
    expect(ids(r)).toEqual(['notes/go-new.md', 'notes/go-old.md']);
    expect(r.hits[0].score).toBe(r.hits[1].score);
  });

  test('the document with the exact phrase ranks above the one with the words apart', () => {
    expect(ids(engine.search('数字人民币'))).toEqual(['econ/ecny.md', 'econ/apart.md']);
  });

  test('a title holding every query word beats one holding fewer, even with more mentions in its body', () => {
    const filler = Array.from({ length: 8 }, (_, i) => ({ id: `f${i}.md`, title: `秋收第${i}天`, text: '稻田里一片金黄,农民忙着收割。' }));
    const e = SearchEngine.fromDocuments([
      ...filler,
      { id: 'both.md', title: '山村小学有了图书馆', text: '孩子们终于有了自己的阅读角,每周三下午开放。' },
      { id: 'one.md', title: '图书馆开放时间调整', text: '今年山村的冬天很冷,图书馆里却很暖和,山村的孩子都来看书。' },
    ]);
    expect(ids(e.search('山村 图书馆'))).toEqual(['both.md', 'one.md']);
  });

  test('a site name ending many titles (" - 山风网") does not count against a title match', () => {
    // Twelve clipped posts end with the site name; two posts share the query words in
    // their titles and have the same body. Counted in the title's length, the suffix made
    // the clipped post lose to the longer unclipped title.
    const clipped = (i: number): DocumentInput => ({ id: `clip/${i}.md`, title: `秋收第${i}天 - 山风网`, text: '稻田里一片金黄。' });
    const body = '今年的水库蓄水比往年多,村民在岸边种了柳树。';
    const e = SearchEngine.fromDocuments([
      ...Array.from({ length: 12 }, (_, i) => clipped(i)),
      { id: 'clip/reservoir.md', title: '云溪水库 - 山风网', text: body },
      { id: 'plain/reservoir.md', title: '云溪水库的春天来了', text: body },
    ]);
    expect(ids(e.search('云溪水库'))).toEqual(['clip/reservoir.md', 'plain/reservoir.md']);
    // A suffix shared by a few titles is content (a series name), and counts.
    const series = SearchEngine.fromDocuments([
      { id: 'a.md', title: '云溪水库 - 山风网', text: body },
      { id: 'b.md', title: '秋收 - 山风网', text: '稻田里一片金黄。' },
      { id: 'c.md', title: '云溪水库的春天', text: body },
    ]);
    expect(ids(series.search('云溪水库'))).toEqual(['c.md', 'a.md']);
  });

  test('what counts as a site-name suffix: a space, a mark, then up to 40 characters without a mark', () => {
    expect(titleSuffix('云溪水库 - 山风网')).toEqual([' - 山风网', '山风网']);
    expect(titleSuffix('云溪水库 | 山风网')).toEqual([' | 山风网', '山风网']);
    expect(titleSuffix('云溪水库 —山风网')).toEqual([' —山风网', '山风网']);
    // The last mark starts the suffix; a name needs the space before its mark.
    expect(titleSuffix('a - b - c')).toEqual([' - c', 'c']);
    expect(titleSuffix('covid-19')).toBeNull();
    expect(titleSuffix('云溪水库 - ' + '山'.repeat(40))).toEqual([' - ' + '山'.repeat(40), '山'.repeat(40)]);
    expect(titleSuffix('云溪水库 - ' + '山'.repeat(41))).toBeNull();
    expect(titleSuffix('云溪水库')).toBeNull();
  });
});

describe('hits', () => {
  test('a hit carries the document metadata', () => {
    const h = engine.search('苹果').hits[0];
    expect(h).toMatchObject({
      id: 'tech/iphone.md',
      title: 'iPhone 新品发布会回顾',
      date: '2021-09-20T10:00:00.000Z',
      author: '陈思',
      categories: ['科技'],
      tags: ['手机', '5G'],
    });
    expect(h.score).toBeGreaterThan(0);
  });

  test('the snippet marks the match and keeps the original case', () => {
    const h = engine.search('IPHONE').hits[0];
    expect(h.snippet).toContain('<mark>iPhone</mark>');
    expect(h.titleHighlighted).toBe('<mark>iPhone</mark> 新品发布会回顾');
    const p = engine.search('ＰＹＴＨＯＮ').hits[0];
    expect(p.snippet).toContain('<mark>Python</mark>');
  });

  test('every query word is marked in the snippet and the title', () => {
    const h = engine.search('欧阳明远 拥堵').hits[0];
    expect(h.snippet).toContain('<mark>欧阳明远</mark>');
    expect(h.snippet).toContain('<mark>拥堵</mark>');
    const t = engine.search('轨道 OR 开通').hits[0];
    expect(t.titleHighlighted).toBe('城市<mark>轨道</mark>交通新线路<mark>开通</mark>');
    expect(engine.search('ＰＹＴＨＯＮ').hits[0].titleHighlighted).toBe('<mark>Python</mark> 入门指南');
  });

  test('a snippet of a long body is a short window around the match with ellipses', () => {
    const h = engine.search('雪山').hits[0];
    expect(h.id).toBe('travel/southwest.md');
    expect(h.snippet).toContain('<mark>雪山</mark>');
    expect(h.snippet.startsWith('…')).toBe(true);
    const plain = h.snippet.replace(/<\/?mark>/g, '').replace(/…/g, '');
    expect(plain.length).toBeLessThanOrEqual(130);
    expect(plain.length).toBeGreaterThan(20);
  });

  test('a short body is shown whole, without ellipses', () => {
    const h = engine.search('茶馆').hits[0];
    expect(h.snippet).toBe('重庆的雨季很长。老人们在<mark>茶馆</mark>里聊天，年轻人撑着伞赶路。');
  });

  test('snippet windows always hold the match, stay short, and never cut a text that fits', () => {
    const sentences = [
      '今天的天气不错。',
      '我们去公园散步，看见很多人',
      '路边开满了花！',
      '孩子们在放风筝；',
      '晚饭吃了面条',
      'The quick fox. ',
      '\n',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...sentences), { maxLength: 60 }), fc.nat(), (generated, k) => {
        const parts = [...generated];
        parts.splice(k % (parts.length + 1), 0, '灯塔');
        const text = parts.join('').trim();
        const s = makeSnippet(text, normalize(text), ['灯塔']);
        expect(s).toContain('<mark>灯塔</mark>');
        expect(s.replace(/<\/?mark>|…/g, '').length).toBeLessThanOrEqual(125);
        if (text.length <= 120) expect(s).not.toContain('…');
      }),
      { numRuns: 500 },
    );
  });

  test('snippets are HTML-escaped: markup in the text is shown, never executed', () => {
    const h = engine.search('示例代码').hits[0];
    expect(h.id).toBe('misc/xss.md');
    expect(h.snippet).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(h.snippet).not.toMatch(/<script/i);
    expect(h.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  test('a match inside markup-like text is marked and escaped', () => {
    const h = engine.search('script').hits[0];
    expect(h.id).toBe('misc/xss.md');
    expect(h.snippet).toContain('&lt;<mark>script</mark>&gt;');
    expect(h.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  test('titleHighlighted escapes the title', () => {
    const h = engine.search('安全标题').hits[0];
    expect(h.titleHighlighted).toBe('&lt;img src=x onerror=alert(1)&gt; <mark>安全标题</mark>测试');
    expect(h.title).toBe('<img src=x onerror=alert(1)> 安全标题测试');
    const byAttr = engine.search('onerror').hits[0];
    expect(byAttr.titleHighlighted).not.toMatch(/<img/i);
    expect(byAttr.titleHighlighted).toContain('<mark>onerror</mark>');
  });
});

describe('suggest and get', () => {
  test('suggest completes known words and titles', () => {
    expect(engine.suggest('轨道')).toContain('轨道交通');
    expect(engine.suggest('丽江')).toContain('丽江古城游记');
    expect(engine.suggest('pyth')).toContain('python');
    expect(engine.suggest('数字')).toEqual(expect.arrayContaining(['数字货币观察']));
  });

  test('suggest gives nothing for an empty or unknown prefix', () => {
    expect(engine.suggest('')).toEqual([]);
    expect(engine.suggest('   ')).toEqual([]);
    expect(engine.suggest('火星探测')).toEqual([]);
  });

  test('suggest respects the limit', () => {
    expect(engine.suggest('第', 3).length).toBeLessThanOrEqual(3);
  });

  test('get returns a stored document or null', () => {
    const p = engine.get('tech/python.md');
    expect(p).toMatchObject({ id: 'tech/python.md', title: 'Python 入门指南', author: '陈思', categories: ['科技'] });
    expect(p!.text).toContain('学习 Python 编程并不难');
    expect(engine.get('tech/missing.md')).toBeNull();
    expect(engine.get('')).toBeNull();
  });
});

describe('the result cache', () => {
  test('a caller that changes a result it got does not change the answers others get', () => {
    const e = SearchEngine.fromDocuments(DOCS, { resultCache: 8 });
    const first = e.search('轨道交通'); // offered once: not kept
    expect(first.hits.length).toBeGreaterThan(0);
    const title = first.hits[0].title;
    first.hits[0].title = 'changed by the caller';
    expect(e.search('轨道交通').hits[0].title).toBe(title); // computed again, and now kept
    const cached = e.search('轨道交通'); // from the cache
    expect(() => {
      (cached.hits[0] as { title: string }).title = 'changed by the caller';
    }).toThrow(TypeError); // cached hits are frozen (tests run in strict mode)
    expect(e.search('轨道交通').hits[0].title).toBe(title);
  });
});
