import { getSegmenter } from '../src/analysis/segmenter';
import type { Post } from '../src/ingest/post';
import { knownItemRank, makeQuerySet } from '../scripts/lib/queryset';

const post = (id: string, title: string, text: string): Post => ({
  id,
  title,
  text,
  date: null,
  author: null,
  url: null,
  tags: [],
  categories: [],
});
const BODY = '这是一段足够长的正文，用来生成评测查询。'.repeat(20);

describe('known items of the eval and bench query set', () => {
  // The same article archived twice, the second time with a site suffix and an emoji.
  const posts = [
    post('a.md', '隐身游戏：如何在监视遍地的社会里消失', BODY),
    post('b.md', '🔏隐身游戏：如何在监视遍地的社会里消失 - iYouPort', BODY),
    post('c.md', '江北新图书馆正式开放', BODY),
    post('d.md', '隐身游戏：如何在城市里消失', BODY),
  ];
  const qs = makeQuerySet(posts, getSegmenter(), 42, { words: 0, ands: 0, latin: 0, knownItems: 30 });

  test('an article republished under the same title counts as the same answer; a similar title does not', () => {
    expect(qs.knownItems.length).toBe(30);
    for (const k of qs.knownItems) {
      const drawn = k.targets[0];
      const expected = drawn === 'a.md' || drawn === 'b.md' ? ['a.md', 'b.md'] : [drawn];
      expect([...k.targets].sort()).toEqual(expected);
    }
    expect(new Set(qs.knownItems.map((k) => k.targets[0])).size).toBeGreaterThan(2);
  });

  test('the rank is that of the first right answer in the top 10', () => {
    const k = qs.knownItems.find((x) => x.targets[0] === 'b.md') ?? qs.knownItems.find((x) => x.targets[0] === 'a.md');
    expect(k).toBeDefined();
    expect(knownItemRank(['d.md', 'a.md', 'b.md'], k!)).toBe(1);
    expect(knownItemRank(['d.md', 'b.md'], k!)).toBe(1);
    expect(knownItemRank(['d.md', 'c.md'], k!)).toBe(-1);
  });
});
