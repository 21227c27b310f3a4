import type { Post } from '../src/ingest/post';
import { postUrl } from '../src/static/url';

const post = (over: Partial<Post>): Post => ({
  id: '2019-03-14-青川地铁五号线开通.md',
  title: 't',
  date: '2019-03-14T02:15:40.112Z',
  author: null,
  url: null,
  tags: [],
  categories: ['News', '新闻'],
  text: '',
  ...over,
});

describe('postUrl (Jekyll permalinks of static search results)', () => {
  test("Jekyll's default date style: lower-cased categories, date, file-name slug, encoded", () => {
    expect(postUrl(post({}))).toBe(`/news/${encodeURIComponent('新闻')}/2019/03/14/${encodeURIComponent('青川地铁五号线开通')}.html`);
  });

  test('no categories leave no empty segment; pretty style keeps its trailing slash; baseurl prefixes', () => {
    expect(postUrl(post({ categories: [], id: 'a/2020-01-02-hello.md', date: '2020-01-02T00:00:00.000Z' }), 'pretty', '/blog/')).toBe(
      '/blog/2020/01/02/hello/',
    );
  });

  test('a custom pattern', () => {
    expect(postUrl(post({ id: '2021-10-26-x.md', date: '2021-10-26T10:00:00.000Z' }), '/archive/:year/:i_month/:slug')).toBe(
      '/archive/2021/10/x',
    );
  });
});
