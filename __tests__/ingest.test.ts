import { decodePost, htmlToText, parsePost, type Post } from '../src';
import { renderPost } from './helpers/corpus';

/** A long base64 payload, as inline images in scraped pages carry. */
const BASE64 = 'iVBORw0KGgoAAAANSUhEUgAA' + 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo'.repeat(12) + '==';

/** A post shaped like the archived news pages: front matter, timestamp comment, title link, then scraped HTML. */
const SEED_LIKE = [
  '---',
  'layout: post',
  'title: "山城夜雨记：江边的小面馆"',
  'date: 2021-10-26T08:58:00.000Z',
  'author: 林小舟',
  'from: https://news.example.com/2021/10/26/noodles',
  'tags: [ 重庆, 美食 ]',
  'categories:',
  '  - 随笔',
  '  - 城市生活',
  '---',
  '<!--1635238680000-->',
  '[山城夜雨记：江边的小面馆](https://news.example.com/2021/10/26/noodles)',
  '------',
  '',
  '<div class="article">',
  '<div id="dfp-ad-imu1"><p>广告位招租请致电</p></div>',
  '<div id="innity-in-post"></div>',
  '<script>window.trackVisitor("埋点脚本内容");</script>',
  '<style>.article p { color: #333; }</style>',
  '<noscript>请启用浏览器脚本功能</noscript>',
  '<iframe src="https://ads.example.com/frame">框架里的推广文字</iframe>',
  `<img src="data:image/png;base64,${BASE64}" alt="配图">`,
  '<p>夜里十点，江边的小面馆还亮着灯&amp;热气，老板说&nbsp;今晚的汤是&#26222;洱茶熬的。</p>',
  '<p>墙上贴着一张手写告示：&lt;b&gt;本店只收现金&lt;/b&gt;。</p>',
  '<p>雨一直下到凌晨，',
  '食客们却舍不得离开。</p>',
  '</div>',
  '',
].join('\n');

function parsedPost(id: string, source: string): { post: Post; warnings: string[] } {
  const r = parsePost(id, source);
  if (!r.ok) throw new Error(`expected ${id} to parse, was skipped: ${r.reason}`);
  return { post: r.post, warnings: r.warnings };
}

const fm = (lines: string[], body = '<p>正文只有一句话。</p>'): string => ['---', ...lines, '---', body, ''].join('\n');

describe('parsePost on an archived news page', () => {
  const { post, warnings } = parsedPost('2021/2021-10-26-noodles.md', SEED_LIKE);

  test('reads the metadata from the front matter', () => {
    expect(post).toMatchObject({
      id: '2021/2021-10-26-noodles.md',
      title: '山城夜雨记：江边的小面馆',
      date: '2021-10-26T08:58:00.000Z',
      author: '林小舟',
      url: 'https://news.example.com/2021/10/26/noodles',
      tags: ['重庆', '美食'],
      categories: ['随笔', '城市生活'],
    });
    expect(warnings).toEqual([]);
  });

  test('the text is the three paragraphs, one per line, entities decoded', () => {
    expect(post.text.split('\n')).toEqual([
      '夜里十点，江边的小面馆还亮着灯&热气，老板说 今晚的汤是普洱茶熬的。',
      '墙上贴着一张手写告示：<b>本店只收现金</b>。',
      '雨一直下到凌晨，食客们却舍不得离开。',
    ]);
  });

  test('no script, style, noscript, frame, ad or base64 content survives', () => {
    for (const gone of ['埋点', 'trackVisitor', 'color', '#333', '请启用', '框架', '推广', '广告', 'base64', 'iVBOR', 'QUJDREVG', '配图']) {
      expect(post.text).not.toContain(gone);
    }
  });

  test('the timestamp comment and the Markdown title line are not part of the text', () => {
    expect(post.text).not.toContain('1635238680000');
    expect(post.text).not.toContain('山城夜雨记');
    expect(post.text).not.toContain('------');
    expect(post.text).not.toContain('https://');
  });
});

describe('htmlToText', () => {
  test('a line break between two Chinese characters inside a text node adds no space', () => {
    expect(htmlToText('<p>雨一直下到凌晨，\n食客们却\n舍不得离开。</p>')).toBe('雨一直下到凌晨，食客们却舍不得离开。');
  });

  test('a line break between two Chinese characters across inline elements adds no space', () => {
    expect(htmlToText('<p><a href="/a">城市</a>\n<a href="/b">交通</a></p>')).toBe('城市交通');
    expect(htmlToText('<p>城市\n<b>交通</b></p>')).toBe('城市交通');
    expect(htmlToText('<p><b>城市</b>\n交通</p>')).toBe('城市交通');
  });

  test('a line break next to Latin text is a word gap', () => {
    expect(htmlToText('<p>open\nsource</p>')).toBe('open source');
    expect(htmlToText('<p><b>iPhone</b>\n<b>手机</b></p>')).toBe('iPhone 手机');
  });

  test('blocks, br and blank lines separate paragraphs; inline whitespace collapses', () => {
    expect(htmlToText('<h2>标题</h2><p>第一段   有  空格</p><div>第二段<br>第三段</div>')).toBe('标题\n第一段 有 空格\n第二段\n第三段');
    expect(htmlToText('第一段\n\n第二段\n\n\n第三段')).toBe('第一段\n第二段\n第三段');
  });

  test('table cells are separated, ad containers by class are dropped', () => {
    expect(htmlToText('<table><tr><td>甲</td><td>乙</td></tr></table>')).toBe('甲 乙');
    expect(htmlToText('<p>正文</p><div class="adsbygoogle">推广</div><ins class="adsbygoogle"></ins>')).toBe('正文');
  });

  // Regression: a WordPress <article class="… tag-advertising …"> was dropped whole as an ad.
  test('an article whose classes mention advertising is kept; ad slots inside it are not', () => {
    const html =
      '<article class="post type-post tag-advertising category-media"><h1>广告业观察</h1>' +
      '<div class="ad-slot top">赞助内容</div><p>本文讨论网络广告的追踪问题。</p></article>';
    expect(htmlToText(html)).toBe('广告业观察\n本文讨论网络广告的追踪问题。');
    expect(htmlToText('<div class="entry tag-advertising"><p>正文保留</p></div>')).toBe('正文保留');
  });

  test('an unterminated base64 run in text is removed', () => {
    expect(htmlToText(`<p>前文 ${'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo'.repeat(4)} 后文</p>`)).toBe('前文 后文');
  });
});

describe('parsePost front matter', () => {
  test('categories written as a plain string become a one-item list', () => {
    const { post } = parsedPost('a.md', fm(['title: 甲', 'categories: 随笔']));
    expect(post.categories).toEqual(['随笔']);
  });

  test('categories and tags via the test renderer (flow lists) are lists', () => {
    const { post } = parsedPost('a.md', renderPost({ title: '乙', categories: ['随笔', '游记'], tags: ['重庆'], body: '<p>内容</p>' }));
    expect(post.categories).toEqual(['随笔', '游记']);
    expect(post.tags).toEqual(['重庆']);
  });

  test('a missing title falls back to the file name (without the date prefix) with a warning', () => {
    const { post, warnings } = parsedPost('notes/2021-10-26-江边散步.md', fm(['author: 某人']));
    expect(post.title).toBe('江边散步');
    expect(warnings.some((w) => /title/.test(w) && w.includes('江边散步'))).toBe(true);
  });

  test('a post without front matter is indexed with the file name as title', () => {
    const { post, warnings } = parsedPost('misc/没有前言.html', '<p>只有正文的页面。</p>');
    expect(post.title).toBe('没有前言');
    expect(post.text).toBe('只有正文的页面。');
    expect(warnings.some((w) => /title/.test(w))).toBe(true);
  });

  test('a title given as a YAML list is joined, with a warning', () => {
    const { post, warnings } = parsedPost('a.md', fm(['title: [山城, 夜雨]']));
    expect(post.title).toBe('山城 夜雨');
    expect(warnings.some((w) => w.includes('title'))).toBe(true);
  });

  test('a numeric title is kept as text', () => {
    const { post, warnings } = parsedPost('a.md', fm(['title: 2046']));
    expect(post.title).toBe('2046');
    expect(warnings).toEqual([]);
  });

  test.each([
    ['2021-10-26', '2021-10-26T00:00:00.000Z'],
    ['"2021-10-26"', '2021-10-26T00:00:00.000Z'],
    ['2021/10/26 10:00', '2021-10-26T10:00:00.000Z'],
    ['"2021/10/26 10:00"', '2021-10-26T10:00:00.000Z'],
    ['2021.10.26', '2021-10-26T00:00:00.000Z'],
    ['1635238680000', '2021-10-26T08:58:00.000Z'],
    ['"1635238680000"', '2021-10-26T08:58:00.000Z'],
    ['1635238680', '2021-10-26T08:58:00.000Z'],
    ['2021-10-26T10:18:00+08:00', '2021-10-26T02:18:00.000Z'],
    // Jekyll's own date format.
    ['2021-10-26 10:18:00 +0800', '2021-10-26T02:18:00.000Z'],
    ['2021-10-26 10:18:00 +08:00', '2021-10-26T02:18:00.000Z'],
    ['2020-02-29', '2020-02-29T00:00:00.000Z'],
  ])('date: %s is read as %s without warnings', (value, iso) => {
    const { post, warnings } = parsedPost('a.md', fm(['title: 甲', `date: ${value}`]));
    expect(post.date).toBe(iso);
    expect(warnings).toEqual([]);
  });

  test('a date-time without a zone does not depend on the machine time zone', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['Asia/Shanghai', 'America/New_York', 'UTC']) {
        process.env.TZ = tz;
        const slash = parsedPost('a.md', fm(['title: 甲', 'date: "2021/10/26 10:00"'])).post.date;
        const yaml = parsedPost('b.md', fm(['title: 甲', 'date: 2021-10-26 10:00:00'])).post.date;
        expect(slash).toBe('2021-10-26T10:00:00.000Z');
        expect(yaml).toBe(slash);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  test.each([['昨天下午'], ['2021-13-45'], ['2021-02-30'], ['"2021-02-30"'], ['2021-02-29'], ['2021-10-26 25:00'], ['1066-10-14']])(
    'invalid date %s → null with a warning',
    (value) => {
      const { post, warnings } = parsedPost('a.md', fm(['title: 甲', `date: ${value}`]));
      expect(post.date).toBeNull();
      expect(warnings.some((w) => w.includes('invalid date'))).toBe(true);
    },
  );

  test('a post without a date takes it from a dated file name, silently', () => {
    const dated = parsedPost('2021/2021-10-26-江边.md', fm(['title: 甲']));
    expect(dated.post.date).toBe('2021-10-26T00:00:00.000Z');
    expect(dated.warnings).toEqual([]);
    expect(parsedPost('江边.md', fm(['title: 甲'])).post.date).toBeNull();
    expect(parsedPost('2021-02-30-江边.md', fm(['title: 甲'])).post.date).toBeNull();
  });

  test('a byte order mark before the front matter is ignored', () => {
    const { post } = parsedPost('a.md', '\ufeff' + fm(['title: 带标记的标题', 'author: 某人']));
    expect(post.title).toBe('带标记的标题');
    expect(post.author).toBe('某人');
  });

  test('CRLF line endings are read like LF', () => {
    const source = fm(['title: 回车换行', 'date: 2021-10-26', 'categories: [ 随笔 ]'], '<p>第一段\n接着写。</p>\n<p>第二段。</p>').replace(
      /\n/g,
      '\r\n',
    );
    const { post, warnings } = parsedPost('a.md', source);
    expect(post.title).toBe('回车换行');
    expect(post.date).toBe('2021-10-26T00:00:00.000Z');
    expect(post.categories).toEqual(['随笔']);
    expect(post.text).toBe('第一段接着写。\n第二段。');
    expect(post.text).not.toContain('\r');
    expect(warnings).toEqual([]);
  });

  test('front matter that never closes is skipped with a reason', () => {
    const r = parsePost('a.md', '---\ntitle: 甲\ndate: 2021-10-26\n<p>正文</p>\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/front matter never closes/);
  });

  test('invalid YAML is indexed with a warning: metadata ignored, body kept', () => {
    const { post, warnings } = parsedPost('2021-10-26-坏的前言.md', fm(['title: [没有闭合', 'author: 某人'], '<p>正文依然可以搜索。</p>'));
    expect(post.text).toBe('正文依然可以搜索。');
    expect(post.title).toBe('坏的前言');
    expect(post.author).toBeNull();
    expect(warnings.some((w) => /front matter/.test(w))).toBe(true);
  });

  test('an empty or blank file is skipped; an empty body is kept with a warning', () => {
    for (const src of ['', '   \n\n', '\ufeff']) {
      const r = parsePost('a.md', src);
      expect(r).toEqual({ ok: false, reason: 'empty file' });
    }
    const { post, warnings } = parsedPost('a.md', fm(['title: 只有标题'], ''));
    expect(post.text).toBe('');
    expect(warnings).toContain('empty body');
  });

  test('text longer than maxTextChars is capped with a warning', () => {
    const { post, warnings } = parsedPost('a.md', fm(['title: 长文'], `<p>${'山水'.repeat(500)}</p>`));
    expect(post.text.length).toBe(1000);
    const capped = parsePost('a.md', fm(['title: 长文'], `<p>${'山水'.repeat(500)}</p>`), { maxTextChars: 100 });
    expect(capped.ok && capped.post.text.length).toBe(100);
    expect(capped.ok && capped.warnings.some((w) => w.includes('capped'))).toBe(true);
    expect(warnings).toEqual([]);
  });
});

describe('decodePost', () => {
  test('UTF-8 text decodes', () => {
    expect(decodePost(Buffer.from('---\ntitle: 甲\n---\n正文', 'utf8'))).toEqual({ ok: true, text: '---\ntitle: 甲\n---\n正文' });
  });

  test('zero bytes → empty file', () => {
    const r = decodePost(new Uint8Array(0));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/empty/);
  });

  test('NUL bytes → binary file', () => {
    const r = decodePost(Buffer.concat([Buffer.from('---\ntitle: 甲\n'), Buffer.from([0, 0, 1, 2])]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/binary/);
  });

  test('UTF-16 text (as Windows editors save "Unicode") → says UTF-16, not "binary"', () => {
    const bom = Buffer.from([0xff, 0xfe]);
    for (const bytes of [
      Buffer.concat([bom, Buffer.from('---\ntitle: 甲\n---\n正文', 'utf16le')]),
      Buffer.from([0xfe, 0xff, 0x75, 0x32]),
    ]) {
      const r = decodePost(bytes);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/UTF-16.*UTF-8/);
    }
  });

  test('a UTF-8 byte order mark is dropped', () => {
    const r = decodePost(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('---\ntitle: 甲\n---\n')]));
    expect(r.ok).toBe(true);
    if (r.ok) expect(parsePost('a.md', r.text)).toMatchObject({ ok: true, post: { title: '甲' } });
  });

  test('GBK bytes → not UTF-8, with a hint to convert', () => {
    const gbk = Buffer.concat(Array.from({ length: 20 }, () => Buffer.from([0xd6, 0xd0, 0xce, 0xc4])));
    const r = decodePost(gbk);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/UTF-8/);
      expect(r.reason).toMatch(/GBK/);
    }
  });
});
