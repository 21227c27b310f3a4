import { SearchEngine } from '../src';

test('an in-memory engine finds a word that jieba splits in the text', () => {
  const engine = SearchEngine.fromDocuments([
    { id: 'a', title: '测试', text: '欧阳明远说城市交通正在改善。' },
    { id: 'b', title: '其他', text: '今天天气很好。' },
  ]);
  const r = engine.search('明远');
  expect(r.hits.map((h) => h.id)).toEqual(['a']);
  expect(r.hits[0].snippet).toContain('<mark>明远</mark>');
});

test('repeated searches are answered from the result cache without sharing mutable state', () => {
  const docs = [
    { id: 'a', title: '地铁', text: '青川地铁五号线开通。', categories: ['新闻'] },
    { id: 'b', title: '公交', text: '青川公交线路调整。', categories: ['新闻'] },
  ];
  const engine = SearchEngine.fromDocuments(docs);
  // A query is computed the first time, computed and admitted the second, read from the cache after.
  const first = engine.search('青川');
  const second = engine.search('青川');
  const third = engine.search('青川');
  expect(second.hits[0]).not.toBe(first.hits[0]);
  expect(third.hits[0]).toBe(second.hits[0]); // the cached hit objects themselves
  const uncached = SearchEngine.fromDocuments(docs, { resultCache: 0 });
  const runs = [uncached.search('青川'), uncached.search('青川'), uncached.search('青川')];
  expect(runs[2].hits[0]).not.toBe(runs[1].hits[0]);
  expect(runs[2].hits[0]).toEqual(runs[1].hits[0]);

  // What callers get from the cache cannot change what it holds.
  third.hits.pop();
  expect(() => {
    (third.hits[0] as { title: string }).title = 'changed';
  }).toThrow();
  const fourth = engine.search('青川');
  expect(fourth.hits[0]).toBe(second.hits[0]);
  expect(fourth.hits.map((h) => h.id).sort()).toEqual(['a', 'b']);
  expect(fourth.hits.every((h) => h.title !== 'changed')).toBe(true);
  expect(fourth.total).toBe(2);
});
