import { SearchEngine } from '../src';
import { STOP_WORDS } from '../src/analysis/stopwords';
import { foldPlural } from '../src/analysis/terms';

// Original fixtures mixing Chinese, English words, numbers and units.
const docs = [
  { id: 'plural', title: '制裁清单扩大', text: 'New sanctions were announced against three companies.' },
  { id: 'singular', title: '一项制裁', text: 'The sanction applies to one bank only.' },
  { id: 'policy', title: '政策回顾', text: 'Two policies on housing, and one policy on schools.' },
  { id: 'news', title: '新闻', text: 'The evening news covered a bridge.' },
  { id: 'g5', title: '5G基站建设', text: '今年新建5G基站一万座，覆盖全部县城。' },
  { id: 'covid', title: '疫情通报', text: '本周新增COVID-19病例十二例，2021年累计三百例。' },
  { id: 'year', title: '年度回顾', text: '2020年经济承压，2022年逐步恢复。' },
];

describe('English plurals', () => {
  test('foldPlural makes common plurals singular and leaves other words alone', () => {
    expect(foldPlural('sanctions')).toBe('sanction');
    expect(foldPlural('policies')).toBe('policy');
    expect(foldPlural('boxes')).toBe('box');
    expect(foldPlural('news')).toBe('news');
    expect(foldPlural('virus')).toBe('virus');
    expect(foldPlural('class')).toBe('class');
    expect(foldPlural('sanctioned')).toBe('sanctioned');
  });

  const engine = SearchEngine.fromDocuments(docs, { synonyms: false });

  test('singular and plural queries find both forms, highlighted', () => {
    expect(engine.matchIds('sanction').sort()).toEqual(['plural', 'singular']);
    expect(engine.matchIds('Sanctions').sort()).toEqual(['plural', 'singular']);
    expect(engine.matchIds('policy')).toEqual(['policy']);
    expect(engine.search('sanctions').hits.find((h) => h.id === 'plural')!.snippet).toContain('<mark>sanction</mark>s');
    expect(engine.search('policies').hits[0].snippet).toContain('<mark>polic</mark>ies');
  });

  test('news is not new', () => {
    expect(engine.matchIds('news')).toEqual(['news']);
    expect(engine.matchIds('new').sort()).toEqual(['plural']);
  });
});

describe('numbers and units stay searchable', () => {
  const engine = SearchEngine.fromDocuments(docs, { synonyms: false });

  test('5G, COVID-19 and 2021年', () => {
    expect(engine.matchIds('5g')).toEqual(['g5']);
    expect(engine.matchIds('5G基站')).toEqual(['g5']);
    expect(engine.matchIds('COVID-19')).toEqual(['covid']);
    expect(engine.matchIds('2021年')).toEqual(['covid']);
    expect(engine.matchIds('2022年')).toEqual(['year']);
    expect(engine.search('2021年').hits[0].snippet).toContain('<mark>2021年</mark>');
  });
});

describe('stop words', () => {
  test('the documented list holds Chinese particles and English function words', () => {
    for (const w of ['的', '了', '是', 'the', 'of', 'and']) expect(STOP_WORDS.has(w)).toBe(true);
    expect(STOP_WORDS.has('制裁')).toBe(false);
  });

  test('a query of stop words finds nothing; stop words inside a query are ignored', () => {
    const engine = SearchEngine.fromDocuments(docs, { synonyms: false });
    expect(engine.search('的 了 the').total).toBe(0);
    expect(engine.matchIds('the sanctions').sort()).toEqual(['plural', 'singular']);
  });
});
