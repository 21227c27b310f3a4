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
  const engine = SearchEngine.fromDocuments([
    { id: 'a', title: '地铁', text: '青川地铁五号线开通。', categories: ['新闻'] },
    { id: 'b', title: '公交', text: '青川公交线路调整。', categories: ['新闻'] },
  ]);
  const first = engine.search('青川');
  first.hits.pop();
  expect(() => {
    (first.hits[0] as { title: string }).title = 'changed';
  }).toThrow();
  const second = engine.search('青川');
  expect(second.hits.map((h) => h.id).sort()).toEqual(['a', 'b']);
  expect(second.hits.every((h) => h.title !== 'changed')).toBe(true);
  expect(second.total).toBe(2);
});
