import { LruCache } from '../src/lru';

test('the least recently used entry is evicted first', () => {
  const c = new LruCache<string, number>(2);
  c.set('a', 1);
  c.set('b', 2);
  expect(c.get('a')).toBe(1); // a is now the most recent
  c.set('c', 3);
  expect(c.get('b')).toBeUndefined();
  expect([c.get('a'), c.get('c')]).toEqual([1, 3]);
});

test('with admitOnRepeat a key is stored only when it is offered a second time', () => {
  const c = new LruCache<string, number>(4, { admitOnRepeat: true });
  expect(c.set('once', 1)).toBe(false); // set says whether it stored the value
  expect(c.get('once')).toBeUndefined();
  expect(c.set('twice', 1)).toBe(false);
  expect(c.set('twice', 2)).toBe(true);
  expect(c.get('twice')).toBe(2);
  expect(c.set('twice', 3)).toBe(true); // already stored: updated in place
  expect(c.get('twice')).toBe(3);
});

test('with admitOnRepeat the memory of one-off keys is bounded', () => {
  const c = new LruCache<string, number>(2, { admitOnRepeat: true });
  c.set('old', 1);
  for (let i = 0; i < 8; i++) c.set(`filler${i}`, i); // pushes 'old' out of the last 4 × capacity offers
  c.set('old', 1);
  expect(c.get('old')).toBeUndefined();
  c.set('old', 1);
  expect(c.get('old')).toBe(1);
});

test('a cache of capacity 0 stores nothing', () => {
  const c = new LruCache<string, number>(0, { admitOnRepeat: true });
  c.set('a', 1);
  expect(c.set('a', 1)).toBe(false);
  expect(c.get('a')).toBeUndefined();
});
