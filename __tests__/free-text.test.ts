import { QueryError, SearchEngine } from '../src';
import { intentWords } from '../src/analysis/query-words';

// Original fixtures written for these tests: a few posts about counting votes, one that
// merely holds the question words, and posts about network surveillance written
// together and apart.
const docs = [
  {
    id: 'count',
    title: '地方选举的计票流程',
    text: '选举结束后，各投票站当场计票。计票由两名工作人员唱票，观察员在旁监督。计票结果随后汇总到选举委员会。',
  },
  {
    id: 'count2',
    title: '一次重新计票的经过',
    text: '因为差距很小，候选人申请重新计票。重新计票用了三天，结果没有改变。',
  },
  {
    id: 'filler',
    title: '周末做什么',
    text: '朋友问我周末怎么过，是去爬山还是看电影。我说都可以，怎么开心怎么来。后来听说有人在谈选举结果，我们没有参加。',
  },
  { id: 'together', title: '网络监控的边界', text: '网络监控越来越普遍，讨论网络监控需要法律约束。' },
  { id: 'apart1', title: '公司的网络', text: '选举期间，公司升级了网络设备，同时加强了对员工电脑的监控。' },
  { id: 'apart2', title: '校园网络', text: '选举那天学校的网络很慢，管理员说监控软件占用了带宽。' },
  { id: 'apart3', title: '家里的网络', text: '家里的网络换了新的路由器，也装了门口的监控摄像头。' },
  { id: 'police', title: '香港警察的新规定', text: '香港警察发布了新的执勤规定。' },
  { id: 'vaccine', title: '新冠疫苗开始接种', text: '社区开始为老人接种新冠疫苗。' },
  {
    id: 'xinguan',
    title: '新冠疫情下的社区',
    text: '新冠疫情期间，社区组织志愿者送菜。新冠检测点设在小区门口。新冠病例减少后，居民恢复了正常生活。',
  },
  { id: 'covid', title: '一次旅行', text: '旅行途中看到一则关于 COVID-19 的通知，但行程没有受影响。' },
];

const engine = SearchEngine.fromDocuments(docs, { synonyms: false });
const ids = (q: string): string[] => engine.search(q, { limit: 100, collapse: false }).hits.map((h) => h.id);

describe('a question typed without spaces', () => {
  const r = engine.search('选举结果是怎么计票的', { limit: 100, collapse: false });

  test('question words are optional: on-topic posts without 怎么 are found', () => {
    expect(r.hits.map((h) => h.id)).toEqual(expect.arrayContaining(['count', 'count2']));
    expect(r.terms).toEqual(
      expect.arrayContaining([
        { text: '选举', required: false },
        { text: '结果', required: false },
        { text: '计票', required: false },
        { text: '怎么', required: false },
      ]),
    );
    // Stop words dropped entirely are not listed.
    expect(r.terms.map((t) => t.text)).not.toContain('是');
  });

  test('coverage ranks the posts about the topic above a post holding the filler words', () => {
    // filler holds two of the three words too (选举, 结果) and 怎么 three times, but its words are the common ones.
    expect(r.hits.map((h) => h.id).slice(0, 3)).toEqual(['count', 'count2', 'filler']);
  });

  test('each hit says which words it holds and which it lacks', () => {
    const hit = r.hits.find((h) => h.id === 'count')!;
    expect(hit.matched).toEqual(expect.arrayContaining(['选举', '结果', '计票']));
    expect(hit.missing).toEqual(['怎么']);
    const count2 = r.hits.find((h) => h.id === 'count2')!;
    expect([...count2.missing].sort()).toEqual(['怎么', '选举'].sort());
    expect(r.fullMatches).toBe(0);
    expect(r.truncated).toBe(false);
  });

  test('three words typed apart are free text too: partial matches follow full ones', () => {
    const f = engine.search('结果 计票 监督', { limit: 100, collapse: false });
    expect(f.terms.every((t) => !t.required)).toBe(true);
    expect(f.hits[0].id).toBe('count');
    expect(f.hits[0].missing).toEqual([]);
    expect(f.hits.map((h) => h.id)).toContain('count2');
    expect(f.fullMatches).toBe(1);
    expect(f.total).toBe(2);
  });
});

describe('one and two keywords stay exact', () => {
  test('two words: every result holds both, all terms required', () => {
    const r = engine.search('选举 计票', { collapse: false });
    expect(r.hits.map((h) => h.id)).toEqual(['count']);
    expect(r.terms).toEqual([
      { text: '选举', required: true },
      { text: '计票', required: true },
    ]);
    expect(r.fullMatches).toBe(r.total);
    expect(r.hits[0].missing).toEqual([]);
  });

  test('a page that the posts holding both words leave short is filled, apart, by posts holding the first', () => {
    const r = engine.search('选举 计票', { collapse: false });
    expect(r.total).toBe(1);
    expect(r.relaxed).toMatchObject({ query: '选举', dropped: '计票', total: 3 });
    expect(r.relaxed!.hits.map((h) => h.id).sort()).toEqual(['apart1', 'apart2', 'filler']);
    for (const h of r.relaxed!.hits) expect(h).toMatchObject({ matched: ['选举'], missing: ['计票'] });
    // Pages go on from the posts holding both words into those holding the first.
    const paged = [0, 1, 2, 3].map((offset) => engine.search('选举 计票', { collapse: false, offset, limit: 1 }));
    expect(paged.map((p) => p.hits.map((h) => h.id))).toEqual([['count'], [], [], []]);
    expect(paged[0].relaxed).toBeNull();
    expect(paged.slice(1).flatMap((p) => p.relaxed!.hits.map((h) => h.id))).toEqual(r.relaxed!.hits.map((h) => h.id));
  });

  test('nothing is relaxed for one word, operators, free text or a full page', () => {
    for (const q of ['计票', '计票 -重新', '"选举" 计票', '监督 OR 唱票', 'title:计票 选举', '选举 网络 监控 设备']) {
      expect([q, engine.search(q, { collapse: false }).relaxed]).toEqual([q, null]);
    }
    expect(engine.search('选举 网络', { collapse: false, limit: 2 }).relaxed).toBeNull();
  });

  test('a question word typed as a keyword is required', () => {
    expect(ids('怎么 选举')).toEqual(['filler']);
  });

  test('one word', () => {
    expect(ids('计票').sort()).toEqual(['count', 'count2']);
  });

  test('operators keep their meaning', () => {
    expect(ids('计票 -重新')).toEqual(['count']);
    expect(ids('监督 OR 唱票 OR 重新').sort()).toEqual(['count', 'count2']);
    expect(ids('title:计票').sort()).toEqual(['count', 'count2']);
    const or = engine.search('监督 OR 重新', { collapse: false });
    expect(or.terms.every((t) => !t.required)).toBe(true);
    expect(or.fullMatches).toBe(0);
  });
});

describe('a four-character run rare as a whole', () => {
  test('finds its words apart, ranked below the run itself', () => {
    const order = ids('网络监控');
    expect(order[0]).toBe('together');
    expect(order.slice(1).sort()).toEqual(['apart1', 'apart2', 'apart3']);
    // Exact as a keyword query: every hit holds both words.
    expect(engine.search('网络监控').terms).toEqual([
      { text: '网络', required: true },
      { text: '监控', required: true },
    ]);
  });
});

describe('phrases', () => {
  test('spaces between Chinese characters inside quotes are ignored', () => {
    expect(ids('"香港 警察"')).toEqual(['police']);
    expect(ids('"香港 警察"')).toEqual(ids('"香港警察"'));
    expect(ids('title:"新冠 疫苗"')).toEqual(['vaccine']);
    expect(ids('"警察 香港"')).toEqual([]);
  });
});

describe('synonyms score like the word typed', () => {
  test('a post about the topic under its other name beats a passing literal mention', () => {
    const withSynonyms = SearchEngine.fromDocuments(docs);
    const r = withSynonyms.search('covid-19', { collapse: false, limit: 100 });
    const order = r.hits.map((h) => h.id);
    expect(order).toEqual(expect.arrayContaining(['xinguan', 'covid']));
    expect(order.indexOf('xinguan')).toBeLessThan(order.indexOf('covid'));
    // The hit lacking the literal word still counts as holding the term through its synonym.
    expect(r.hits.find((h) => h.id === 'xinguan')!.missing).toEqual([]);
  });
});

describe('query cost', () => {
  test('repeated words are merged into one term', () => {
    const r = engine.search(Array(128).fill('中').join(' ').slice(0, 256));
    expect(r.terms).toEqual([{ text: '中', required: true }]);
    const q = engine.search(Array(40).fill('"计票"').join(' ').slice(0, 256));
    expect(q.terms).toEqual([{ text: '计票', required: true }]);
    expect(q.total).toBe(2);
  });

  test('more distinct terms than the cap is a QueryError naming q', () => {
    const many = Array.from({ length: 40 }, (_, i) => String.fromCharCode(0x4e00 + i * 7)).join(' OR ');
    let err: unknown = null;
    try {
      engine.search(many);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).parameter).toBe('q');
    expect((err as QueryError).message).toMatch(/at most 32/);
  });

  test('a query that exceeds its budget answers partially and says so', () => {
    const small = SearchEngine.fromDocuments(docs, { synonyms: false, queryBudget: 60 });
    const r = small.search('新', { collapse: false, limit: 100 });
    const full = engine.search('新', { collapse: false, limit: 100 });
    expect(full.truncated).toBe(false);
    expect(r.truncated).toBe(true);
    expect(r.total).toBeLessThan(full.total);
  });
});

describe('export and matchIds plan like search', () => {
  test('synonyms reach the export rows, which agree with total', () => {
    const withSynonyms = SearchEngine.fromDocuments(docs);
    const r = withSynonyms.search('covid-19', { collapse: false, limit: 100 });
    const rows = [...withSynonyms.exportRows('covid-19', { collapse: false })];
    expect(r.total).toBeGreaterThan(1);
    expect(rows.map((x) => x.id)).toEqual(r.hits.map((h) => h.id));
    expect(withSynonyms.matchIds('covid-19').sort()).toEqual(r.hits.map((h) => h.id).sort());
  });

  test('free text exports its partial matches too', () => {
    const r = engine.search('结果 计票 监督', { collapse: false, limit: 100 });
    expect([...engine.exportRows('结果 计票 监督', { collapse: false })].map((x) => x.id)).toEqual(r.hits.map((h) => h.id));
  });
});

describe('sentences: framing words, words jieba made up, slips and no full cover', () => {
  // Original fixtures: posts about a recount and about a search company, and one that
  // only holds the framing words of the questions below.
  const posts = [
    { id: 'recount1', title: '重新计票的经过', text: '候选人申请重新计票。重新计票用了三天，结果没有改变。' },
    { id: 'recount2', title: '县里决定重新计票', text: '选举委员会宣布重新计票，观察员到场监督计票结果。' },
    { id: 'recount3', title: '计票结果公布', text: '计票结束，结果在网站上公布。' },
    { id: 'framing', title: '我们自己知道', text: '我们现在知道自己要什么，大家其实都知道，这个道理很多人都懂。' },
    { id: 'google1', title: '谷歌与审查', text: '谷歌曾经为进入市场开发审查版搜索，员工公开反对。谷歌后来放弃了这个项目。' },
    { id: 'google2', title: '搜索公司的选择', text: '谷歌的员工写公开信，反对公司帮助审查。' },
    { id: 'google3', title: '谷歌的地图', text: '谷歌地图更新了街景。' },
  ];
  const e = SearchEngine.fromDocuments(posts, { synonyms: false });

  test('pronouns and sentence adverbs are optional and do not rank a post up', () => {
    const r = e.search('自己怎么知道计票结果', { limit: 10, collapse: false });
    const byText = new Map(r.terms.map((t) => [t.text, t.required]));
    expect(byText.get('自己')).toBe(false);
    expect(byText.get('知道')).toBe(false);
    // The post holding only 自己 and 知道 covers none of the topic: it is not a match at all.
    expect(r.hits.map((h) => h.id)).not.toContain('framing');
    expect(r.hits[0].id).toBe('recount3');
  });

  test('a word jieba made up across a word boundary is searched by its common part', () => {
    // jieba cuts 为什么说谷歌在帮助审查 into 为什么/说谷歌/在/帮助/审查; no post says 说谷歌.
    const r = e.search('为什么说谷歌在帮助审查', { limit: 10, collapse: false });
    expect(r.terms.map((t) => t.text)).toContain('谷歌');
    expect(r.terms.map((t) => t.text)).not.toContain('说谷歌');
    expect(
      r.hits
        .map((h) => h.id)
        .slice(0, 2)
        .sort(),
    ).toEqual(['google1', 'google2']);
  });

  test('a slip inside a sentence is searched as its correction when its context shows it', () => {
    // 记票 (jì piào) for 计票: 重新记票 occurs nowhere, 重新计票 in two posts.
    const r = e.search('我想知道重新记票花了多久', { limit: 10, collapse: false });
    expect(r.interpretedBy).toBe('spelling');
    expect(r.interpretedAs).toBe('我想知道重新计票花了多久');
    expect(
      r.hits
        .map((h) => h.id)
        .slice(0, 2)
        .sort(),
    ).toEqual(['recount1', 'recount2']);
  });

  test('asTyped searches the sentence as typed: no correction', () => {
    const r = e.search('我想知道重新记票花了多久', { limit: 10, collapse: false, asTyped: true });
    expect(r.interpretedAs).toBeNull();
    expect(r.terms.map((t) => t.text)).toContain('记票');
    expect(r.hits.every((h) => h.missing.includes('记票'))).toBe(true);
    expect(() => e.search('计票', { asTyped: 'maybe' as unknown as boolean })).toThrow(/asTyped must be true or false/);
  });

  test('a word that occurs as typed in its context is left alone', () => {
    const withUse = SearchEngine.fromDocuments(
      [...posts, { id: 'use', title: '旧账本', text: '老会计说重新记票花了一周，票据都要重抄。' }],
      {
        synonyms: false,
      },
    );
    const r = withUse.search('我想知道重新记票花了多久', { limit: 10, collapse: false });
    expect(r.interpretedAs).toBeNull();
    expect(r.hits[0].id).toBe('use');
  });

  test('when no post covers enough of a sentence, posts holding any of its words are ranked', () => {
    // 望远镜 is in no post, so no post holds two of the two content words.
    const r = e.search('望远镜和计票', { limit: 10, collapse: false });
    expect(r.total).toBeGreaterThan(0);
    expect(r.hits.map((h) => h.id)).toEqual(expect.arrayContaining(['recount1', 'recount2', 'recount3']));
    expect(r.fullMatches).toBe(0);
  });
});

describe('what a question asks for', () => {
  // Original fixtures: two posts on the same topic, one of which gives a cause.
  const e = SearchEngine.fromDocuments(
    [
      { id: 'cause', title: '计票出错', text: '这次计票出错的原因是表格设计不清楚。' },
      { id: 'plain', title: '计票出错', text: '计票出错的那天，大家都很累。' },
    ],
    { synonyms: false },
  );

  test('a why-question ranks the post that names a cause first, without listing the word', () => {
    const r = e.search('计票为什么会出错', { limit: 10 });
    expect(r.hits.map((h) => h.id)).toEqual(['cause', 'plain']);
    expect(r.terms.map((t) => t.text)).not.toContain('原因');
    expect(r.hits[1].missing).not.toContain('原因');
  });

  test('the same words without the cue rank by BM25 alone (the shorter post first)', () => {
    const r = e.search('计票会不会出错', { limit: 10 });
    expect(r.hits.map((h) => h.id)).toEqual(['plain', 'cause']);
  });

  // A how-to question (怎么 + what to do) wants a method; 是怎么…的 asks how something came about.
  const howTo = SearchEngine.fromDocuments(
    [
      { id: 'method', title: '旧书修补', text: '修补旧书的方法：先用软刷清灰，再用浆糊粘好书脊。' },
      { id: 'story', title: '旧书修补', text: '修补旧书的那个下午，窗外一直下雨。' },
    ],
    { synonyms: false },
  );

  test('a cue inside a longer cue of another intent counts for that one only (怎么 of 怎么办, 怎么来的)', () => {
    expect(intentWords('丢了手机怎么办')).toEqual(['应对', '办法']);
    expect(intentWords('病毒怎么来的')).toEqual(['起源', '来源', '源头']);
    expect(intentWords('怎么修补旧书')).toEqual(['方法', '如何']);
  });

  test('a cue counts where it stands on its own, whatever other occurrences are inside longer phrases', () => {
    expect(intentWords('旧书是怎么坏的')).toEqual([]);
    expect(intentWords('旧书是怎么坏的，怎么修补')).toEqual(['方法', '如何']);
    expect(intentWords('丢了手机怎么办，以后怎么防')).toEqual(['应对', '办法', '方法', '如何']);
  });

  test('a how-to question ranks the post that gives a method first; a how-did-it-happen question does not', () => {
    expect(howTo.search('怎么修补自己的旧书', { limit: 10 }).hits.map((h) => h.id)).toEqual(['method', 'story']);
    expect(howTo.search('旧书是怎么修补好的', { limit: 10 }).hits.map((h) => h.id)).toEqual(['story', 'method']);
  });
});

describe('compounds jieba splits inside a sentence', () => {
  // Original fixtures: 港口 and 物流 stand together in three posts (a compound), apart in
  // one that holds each word more often; 帮助 and 港口 never stand together.
  const e = SearchEngine.fromDocuments(
    [
      { id: 'whole1', title: '港口物流', text: '港口物流在雨季变慢。' },
      { id: 'whole2', title: '港口物流改革', text: '新的港口物流系统上线。' },
      { id: 'whole3', title: '小城的港口物流', text: '港口物流公司招聘司机。' },
      { id: 'apart', title: '港口与物流', text: '港口很忙。物流很慢。港口的工人说，物流的车排队，港口外面堵了，物流停了。' },
    ],
    { synonyms: false },
  );

  test('two words that mostly stand together are rewarded where they do', () => {
    // jieba: 港口/物流/为什么/这么/慢. "apart" holds both words more often, but never together.
    const r = e.search('港口物流为什么这么慢', { limit: 10, collapse: false });
    expect(r.hits.map((h) => h.id).indexOf('apart')).toBe(3);
  });
});
