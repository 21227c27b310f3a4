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
