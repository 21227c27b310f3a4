import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SearchEngine, type DocumentInput } from '../src';
import { generatePinyinTable } from '../scripts/gen-pinyin-table';
import { readingsOfCode } from '../src/analysis/char-readings';
import { charReadings } from '../src/analysis/pinyin';
import { slipsOf } from '../src/query/did-you-mean';

/**
 * What the engine offers for a mistyped query: its suggestion, or, when the query matched
 * nothing, the correction it searched instead.
 */
function correction(engine: SearchEngine, q: string): string | null {
  const r = engine.search(q);
  return r.interpretedBy === 'spelling' ? r.interpretedAs : r.suggestion;
}

// Original text written for these tests. Each sentence pattern is repeated with a
// different number so that words reach the document frequencies a correction needs.
function many(n: number, id: string, make: (k: number) => string): DocumentInput[] {
  return Array.from({ length: n }, (_, k) => ({ id: `${id}-${k}`, title: `${id} 第${k + 1}篇`, text: make(k) }));
}

const docs: DocumentInput[] = [
  ...many(6, 'vaccine', (k) => `社区第${k + 1}次组织接种疫苗，居民排队登记。`),
  ...many(5, 'refugee', (k) => `边境的难民营里住着${k + 3}百户人家，救援物资不够。`),
  ...many(5, 'future', (k) => `第${k + 1}位嘉宾谈到城市的未来，说要多种树。`),
  // A news agency, and no post about a tennis player named 彭帅.
  ...many(6, 'bloomberg', (k) => `彭博社第${k + 1}次报道了这家公司的季度财报。`),
  // A name found in two posts, and a much more frequent word that looks like it.
  ...many(2, 'minister', (k) => `外长王毅第${k + 1}次会见来访的客人。`),
  ...many(12, 'ism', (k) => `第${k + 1}讲谈的是现实主义文学。`),
  // A rare place name that sounds like the typo, and a frequent one a near slip away (s/sh).
  ...many(2, 'ishikawa', (k) => `石川县的温泉第${k + 1}次上了旅游榜。`),
  ...many(20, 'sichuan', (k) => `四川的火锅店开到了第${k + 1}条街。`),
  // 突飞 sounds like 兔费 in both characters; 免费 looks like it in one.
  ...many(4, 'leap', (k) => `这门手艺第${k + 1}年就突飞猛进。`),
  ...many(4, 'free', (k) => `博物馆第${k + 1}个周末免费开放。`),
];

describe('did you mean: plausible slips only', () => {
  const engine = SearchEngine.fromDocuments(docs);

  test('a homophone of a common word typed by a pinyin input method', () => {
    const r = engine.search('疫描'); // 描 miao for 苗 miao
    // Nothing holds the typo, so the correction is searched instead, and the answer says so.
    expect(r.interpretedAs).toBe('疫苗');
    expect(r.interpretedBy).toBe('spelling');
    expect(r.suggestion).toBeNull();
    expect(r.total).toBe(6);
    expect(r.hits.every((h) => h.snippet.includes('<mark>疫苗</mark>'))).toBe(true);
  });

  test('a query that finds posts is never replaced by its correction', () => {
    // 末来 is in no post, but 嘉宾 is: the query finds posts, so nothing is rewritten.
    const r = engine.search('末来 OR 嘉宾');
    expect(r.total).toBe(5);
    expect(r.interpretedAs).toBeNull();
  });

  test('a near-homophone: one initial slip (n/l)', () => {
    expect(correction(engine, '蓝民')).toBe('难民'); // lan for nan
  });

  test('a look-alike character', () => {
    expect(correction(engine, '末来')).toBe('未来'); // 末 mo looks like 未 wei
  });

  test('a rare name with no hits is not rewritten into another word', () => {
    const r = engine.search('彭帅');
    expect(r.total).toBe(0);
    expect(r.interpretedAs).toBeNull();
    // 彭博 shares a character, but 博 (bo) neither sounds nor looks like 帅 (shuai).
    expect(r.suggestion).toBeNull();
    expect(engine.didYouMean('彭帅')).toBeNull();
    expect(correction(engine, '彭帅 网球')).toBeNull();
  });

  test('a sound-alike wins over a more frequent look-alike', () => {
    // 王 looks like 主, but pinyin typists slip by sound: 王义 is 王毅.
    expect(correction(engine, '王义')).toBe('王毅');
  });

  test('a much more frequent word a near slip away wins over a rare homophone', () => {
    expect(correction(engine, '事川')).toBe('四川');
  });

  test('a word with every character changed is another word, not a slip', () => {
    // 突飞 sounds like 兔费 throughout; the one-character look-alike 免费 is meant.
    expect(correction(engine, '兔费')).toBe('免费');
    // Sounds like 突飞 in both characters and looks like nothing: no suggestion.
    expect(correction(engine, '图非')).toBeNull();
    // One character off by sound is a slip.
    expect(correction(engine, '兔飞')).toBe('突飞');
  });

  test('didYouMean gives what search suggests', () => {
    for (const q of ['疫描', '蓝民', '末来', '彭帅', '王义']) expect(engine.didYouMean(q)).toBe(correction(engine, q));
  });
});

describe('a query with a few hits, and a run found nowhere whole', () => {
  const engine = SearchEngine.fromDocuments([
    // One post holds the look-alike 新彊; sixty hold 新疆 with the other word.
    { id: 'typo', title: '旧报纸', text: '旧报纸上把新彊写错了，还谈到人权。' },
    ...many(60, 'xinjiang', (k) => `新疆第${k + 1}份人权报告发布。`),
    // A rare real word (米厂, a rice mill) and a commoner homophone (米长).
    { id: 'mill', title: '乡下的米厂', text: '村口的米厂又开工了。' },
    ...many(20, 'length', (k) => `这条路有${k + 2}米长。`),
    // 网路 and 审查 apart in two posts; the four characters 网路审查 in none.
    { id: 'apart1', title: '网路时代', text: '网路发达以后，审查也变得更严。' },
    { id: 'apart2', title: '书报', text: '书报审查由来已久，网路只是新的战场。' },
    // 一带一路 in three posts. The slip 一代一路 in none, but its bigrams (一代, 代一, 一路) all
    // occur in one post, and 一代 with 一路 in four.
    ...many(3, 'belt', (k) => `一带一路沿线的第${k + 1}个港口项目开工。`),
    { id: 'generations', title: '传承', text: '手艺一代一代传下去，一路走来不容易。' },
    ...many(3, 'youth', (k) => `新一代的年轻人第${k + 1}次一路向西旅行。`),
  ]);

  test('a correction that finds fifty times as many posts is searched instead, and the typed query stays one option away', () => {
    const r = engine.search('新彊 人权');
    expect(r.interpretedAs).toBe('新疆 人权');
    expect(r.interpretedBy).toBe('spelling');
    expect(r.total).toBe(60);
    const typed = engine.search('新彊 人权', { asTyped: true });
    expect(typed.interpretedAs).toBeNull();
    expect(typed.hits.map((h) => h.id)).toEqual(['typo']);
    expect(typed.suggestion).toBe('新疆 人权');
  });

  test('a rare word whose homophone is only somewhat commoner keeps its hits and gets a suggestion', () => {
    const r = engine.search('米厂');
    expect(r.interpretedAs).toBeNull();
    expect(r.hits.map((h) => h.id)).toEqual(['mill']);
    expect(r.suggestion).toBe('米长');
  });

  test('a four-character slip found nowhere, though its bigrams are, is searched as its homophone', () => {
    const r = engine.search('一代一路');
    expect(r.interpretedAs).toBe('一带一路');
    expect(r.interpretedBy).toBe('spelling');
    expect(r.hits.map((h) => h.id).sort()).toEqual(['belt-0', 'belt-1', 'belt-2']);
  });

  test('a four-character run found nowhere whole, with no correction, is matched by its parts', () => {
    const r = engine.search('网路审查');
    expect(r.interpretedAs).toBeNull();
    expect(r.terms.map((t) => t.text)).toEqual(['网路', '审查']);
    expect(r.hits.map((h) => h.id).sort()).toEqual(['apart1', 'apart2']);
  });
});

describe('character readings and slips', () => {
  test('readings come from the table, the usual one first', () => {
    expect(readingsOfCode('行'.charCodeAt(0))).toEqual(expect.arrayContaining(['xing', 'hang']));
    expect(readingsOfCode('行'.charCodeAt(0))[0]).toBe('xing');
    expect(charReadings('帅a')).toEqual([['shuai'], []]);
  });

  test('a character slips to its homophones and look-alikes, not to unrelated characters', () => {
    const slips = slipsOf('帅'.charCodeAt(0));
    expect(slips.get('帅'.charCodeAt(0))).toBe(0);
    expect(slips.get('摔'.charCodeAt(0))).toBe(1); // shuai
    expect(slips.has('博'.charCodeAt(0))).toBe(false);
    expect(slipsOf('未'.charCodeAt(0)).has('末'.charCodeAt(0))).toBe(true);
  });

  test('the committed reading table matches the pinned pinyin-pro and jieba dictionary (npm run gen-pinyin-table)', () => {
    const committed = readFileSync(join(__dirname, '..', 'src', 'analysis', 'pinyin.data.ts'), 'utf8');
    expect(generatePinyinTable() === committed).toBe(true);
  });
});
