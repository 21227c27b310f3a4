import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SearchEngine } from '../src';
import { loadSynonyms, Synonyms } from '../src/analysis/synonyms';
import { tempDir } from './helpers/corpus';

// Original fixtures: the same subjects under their short and long names.
const docs = [
  { id: 'short', title: '阿塔宣布组建临时政府', text: '阿塔发言人表示，新政府将在下周公布名单。' },
  { id: 'long', title: '喀布尔局势观察', text: '阿富汗塔利班控制首都后，多国撤离使馆人员。' },
  { id: 'covid', title: 'Vaccine trial results', text: 'A new COVID-19 vaccine trial reported results today.' },
  { id: 'xinguan', title: '社区接种点延长开放', text: '为加快新冠疫苗接种，社区接种点延长开放时间。' },
  { id: 'trad', title: '市區檢測站', text: '市區新增三個新型冠狀病毒檢測站。' },
  { id: 'other', title: '秋收时节', text: '农民忙着收割稻谷。' },
];

describe('synonym file format', () => {
  test('groups, comments, blank lines, both comma kinds, either script', () => {
    const s = new Synonyms('# comment\n\n甲乙, 丙丁，戊己\n醫院, 病院\n');
    expect([...s.of('甲乙')].sort()).toEqual(['丙丁', '戊己']);
    expect(s.of('医院')).toEqual(['病院']);
    expect(s.of('无关')).toEqual([]);
  });

  test('a line with one member is an error naming the file and line', () => {
    expect(() => new Synonyms('甲乙, 丙丁\n孤零零\n', 'my.txt')).toThrow('my.txt:2: a group needs at least two members');
  });

  test('a missing file is an error naming it', () => {
    expect(() => loadSynonyms('/nonexistent/syn.txt')).toThrow('cannot read synonyms file /nonexistent/syn.txt: ENOENT');
  });
});

describe('query expansion with the default list', () => {
  const engine = SearchEngine.fromDocuments(docs);

  test('an abbreviation finds the full name and the other way round, a synonym match scoring like a literal one', () => {
    const r = engine.search('阿塔');
    expect(r.hits.map((h) => h.id)).toEqual(['short', 'long']);
    expect(r.hits[1].snippet).toContain('<mark>阿富汗塔利班</mark>');
    const full = engine.search('阿富汗塔利班');
    expect(full.hits.map((h) => h.id).sort()).toEqual(['long', 'short']);
    // Both words are in one post each here: each post scores the same whichever name is typed.
    const score = (res: typeof r, id: string): number => res.hits.find((h) => h.id === id)!.score;
    expect(score(full, 'short')).toBeCloseTo(score(r, 'short'), 3);
    expect(score(full, 'long')).toBeCloseTo(score(r, 'long'), 3);
  });

  test('新冠 finds COVID-19 and 新型冠状病毒 (in either script)', () => {
    const r = engine.search('新冠');
    expect(r.hits.find((h) => h.id === 'trad')!.snippet).toContain('<mark>新型冠狀病毒</mark>');
    expect(r.hits.map((h) => h.id).sort()).toEqual(['covid', 'trad', 'xinguan']);
    expect(
      engine
        .search('covid-19')
        .hits.map((h) => h.id)
        .sort(),
    ).toEqual(['covid', 'trad', 'xinguan']);
  });

  test('in a question typed without spaces, a listed word jieba cuts apart (新型 + 冠状病毒) still finds its synonyms', () => {
    const r = engine.search('新型冠状病毒是从哪里来的');
    expect(r.hits.map((h) => h.id)).toEqual(expect.arrayContaining(['covid', 'xinguan', 'trad']));
  });

  test('with other words, and excluded synonyms are excluded too', () => {
    expect(engine.matchIds('阿塔 首都')).toEqual(['long']);
    expect(engine.matchIds('-新冠 疫苗').sort()).toEqual([]);
    expect(engine.matchIds('检测站 -新冠')).toEqual([]);
  });

  test('a quoted phrase is not expanded', () => {
    expect(engine.matchIds('"阿塔"')).toEqual(['short']);
  });
});

describe('replacing the list', () => {
  test('a user file replaces the defaults; false turns synonyms off', () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'syn.txt');
      writeFileSync(file, '# ours\n秋收, 喀布尔\n');
      const custom = SearchEngine.fromDocuments(docs, { synonyms: file });
      expect(custom.matchIds('秋收').sort()).toEqual(['long', 'other']);
      expect(custom.matchIds('阿塔')).toEqual(['short']);
      const none = SearchEngine.fromDocuments(docs, { synonyms: false });
      expect(none.matchIds('阿塔')).toEqual(['short']);
    } finally {
      tmp.cleanup();
    }
  });

  test('SYNONYMS_FILE names the file when no option is given', () => {
    const tmp = tempDir();
    const before = process.env.SYNONYMS_FILE;
    try {
      const file = join(tmp.dir, 'env.txt');
      writeFileSync(file, '稻谷, 阿塔\n');
      process.env.SYNONYMS_FILE = file;
      expect(SearchEngine.fromDocuments(docs).matchIds('稻谷').sort()).toEqual(['other', 'short']);
    } finally {
      if (before === undefined) delete process.env.SYNONYMS_FILE;
      else process.env.SYNONYMS_FILE = before;
      tmp.cleanup();
    }
  });
});

describe('listed words are index terms wherever they occur', () => {
  // Original sentences: jieba never cuts 新冠病毒 as one word, so without the listed words
  // in the index every post below would be read to confirm it.
  const holding = Array.from({ length: 40 }, (_, i) => ({
    id: `v${i}`,
    title: `第${i}期社区通讯`,
    text:
      i % 2 === 0 ? `研究人员继续追踪新冠病毒的变化，第${i}组样本已送检。` : `本周讲座介绍了COVID-19与新冠病毒的防护常识，共${i}人参加。`,
  }));
  // Every bigram of 新冠病毒, never the word itself: found by the bigrams, refused by the text.
  const apart = { id: 'apart', title: '词语辨析', text: '新冠一词常见，冠病两字少见，病毒则是通用词。' };
  const docs2 = [...holding, apart];

  test('a query for one finds every post that holds it without reading a body', () => {
    // Enough for the posting lists, far too little to read 41 bodies.
    const engine = SearchEngine.fromDocuments(docs2, { synonyms: false, queryBudget: 400 });
    const r = engine.search('新冠病毒', { collapse: false, limit: 100 });
    expect(r.truncated).toBe(false);
    expect(r.total).toBe(40);
    expect(r.hits.map((h) => h.id)).not.toContain('apart');
    const latin = engine.search('covid-19', { collapse: false, limit: 100 });
    expect(latin.truncated).toBe(false);
    expect(latin.hits.map((h) => h.id).sort()).toEqual(
      holding
        .filter((_, i) => i % 2 === 1)
        .map((d) => d.id)
        .sort(),
    );
  });

  test('a word not on the list is still confirmed against the text, within the same budget', () => {
    const engine = SearchEngine.fromDocuments(docs2, { synonyms: false, queryBudget: 400 });
    const r = engine.search('追踪新冠', { collapse: false, limit: 100 });
    expect(r.truncated).toBe(true);
    expect(SearchEngine.fromDocuments(docs2, { synonyms: false }).search('追踪新冠', { collapse: false, limit: 100 }).total).toBe(20);
  });
});
