import { SearchEngine } from '../src';
import { parsePinyin } from '../src/analysis/pinyin';
import { nearSyllables } from '../src/query/did-you-mean';
import { editDistance } from '../src/query/latin-correction';

/**
 * What the engine offers for a mistyped query: its suggestion, or, when the query matched
 * nothing, the correction it searched instead.
 */
function correction(engine: SearchEngine, q: string): string | null {
  const r = engine.search(q);
  return r.interpretedBy === 'spelling' ? r.interpretedAs : r.suggestion;
}

// Original fixtures. 王毅 occurs in three documents, its homophone 网易 in one, so
// frequency decides the order of pinyin suggestions.
const docs = [
  { id: 'a', title: '外长王毅会见来访客人', text: '王毅表示，双方应当加强沟通。会后王毅回答了记者提问。' },
  { id: 'b', title: '王毅谈地区局势', text: '外交部长王毅在论坛上发表演讲，谈到联合国的作用。' },
  { id: 'c', title: '年终回顾', text: '这一年里王毅多次出访，联合国大会期间也举行了会谈。' },
  { id: 'd', title: '网易发布季度财报', text: '网易公司今天公布财报，游戏业务收入增长。' },
  { id: 'e', title: '重庆银行开设新网点', text: '重庆的银行行长表示，新网点位于四川路口，方便居民办理业务。' },
  { id: 'f', title: '四川雨季来临', text: '四川多地进入雨季，重庆也发布了暴雨预警。' },
  { id: 'g', title: 'Pandemic lessons', text: 'The pandemic changed how cities plan hospitals. Pandemic planning matters.' },
  { id: 'h', title: '疫情笔记', text: '读者来信谈 pandemic 一词的译法。' },
];

describe('typed pinyin', () => {
  test('full pinyin, spaces, apostrophes and initials all read as syllables', () => {
    const first = (s: string): string =>
      parsePinyin(s)[0]
        .map((p) => p.text)
        .join(' ');
    expect(first('wangyi')).toBe('wang yi');
    expect(first('wang yi')).toBe('wang yi');
    expect(first("xi'an")).toBe('xi an');
    expect(first('wy')).toBe('w y');
    expect(parsePinyin('covid')).toEqual([]);
    expect(parsePinyin('王毅')).toEqual([]);
  });
});

describe('pinyin suggestions', () => {
  const engine = SearchEngine.fromDocuments(docs);

  test('full pinyin, initials and spaced pinyin give the word, the more frequent homophone first', () => {
    expect(engine.suggest('wangyi').slice(0, 2)).toEqual(['王毅', '网易']);
    expect(engine.suggest('wang yi')[0]).toBe('王毅');
    expect(engine.suggest('wy')[0]).toBe('王毅');
    expect(engine.suggest('wangy')[0]).toBe('王毅');
  });

  test('polyphonic characters are found under each of their readings', () => {
    expect(engine.suggest('chongqing')).toContain('重庆'); // 重: zhong / chong
    expect(engine.suggest('yinhang')).toContain('银行'); // 行: xing / hang
    expect(engine.suggest('hangzhang')).toContain('行长'); // 长: chang / zhang
  });

  test('a Latin-letter query that matches nothing as Latin is searched as its Chinese word', () => {
    const r = engine.search('wangyi');
    expect(r.interpretedAs).toBe('王毅');
    expect(r.total).toBe(3);
    expect(r.hits[0].titleHighlighted).toContain('<mark>王毅</mark>');
    const two = engine.search('wangyi lianheguo');
    expect(two.interpretedAs).toBe('王毅 联合国');
    expect(two.hits.map((h) => h.id).sort()).toEqual(['b', 'c']);
    // A real Latin word is left alone.
    expect(engine.search('pandemic').interpretedAs).toBeNull();
  });
});

describe('did you mean', () => {
  const engine = SearchEngine.fromDocuments(docs);

  test('a homophone typed by a pinyin input method', () => {
    const r = engine.search('王义');
    expect(r.interpretedAs).toBe('王毅');
    expect(r.interpretedBy).toBe('spelling');
    expect(r.total).toBeGreaterThan(0);
  });

  test('a near-homophone (s/sh)', () => {
    expect(correction(engine, '事川')).toBe('四川');
  });

  test('a one-character slip that neither sounds nor looks like the word is not corrected', () => {
    // 圆 (yuan) is neither a sound-alike nor a look-alike of 国 (guo).
    expect(correction(engine, '联合圆')).toBeNull();
    expect(correction(engine, '联合果')).toBe('联合国'); // 果 guo
  });

  test('the rest of the query is kept as typed, in either script', () => {
    expect(correction(engine, '王义 聯合國')).toBe('王毅 聯合國');
  });

  test('a mistyped Latin word', () => {
    expect(correction(engine, 'pandemik')).toBe('pandemic');
    expect(correction(engine, 'pnademic')).toBe('pandemic');
    // Two edits that change the set of letters (a letter dropped, another replaced).
    expect(correction(engine, 'pandevc')).toBe('pandemic');
  });

  test('no suggestion when the query finds enough, or nothing better exists', () => {
    expect(correction(engine, '王毅')).toBeNull();
    expect(correction(engine, '量子引力')).toBeNull();
  });

  test('helpers: edit distance with transpositions, fuzzy syllables', () => {
    expect(editDistance('pandemic', 'pnademic', 2)).toBe(1);
    expect(editDistance('abc', 'xyz', 1)).toBe(2);
    expect(nearSyllables('shi')).toContain('si');
    expect(nearSyllables('ning')).toEqual(expect.arrayContaining(['ling', 'nin']));
    // One slip at a time: ning → lin is two.
    expect(nearSyllables('ning')).not.toContain('lin');
    expect(nearSyllables('wang')).not.toContain('wen');
    expect(nearSyllables('shuai')).not.toContain('bo');
  });
});
