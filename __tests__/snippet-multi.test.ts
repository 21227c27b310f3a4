import fc from 'fast-check';
import { SearchEngine } from '../src';
import { normalize } from '../src/analysis/normalize';
import { makeSnippet } from '../src/query/snippet';

// Original text written for these tests. Filler sentences put distance between words.
const FILLER = [
  '河边的柳树刚刚发芽，几个老人坐在石凳上下棋。',
  '街角的面包店一早就排起了队，香味飘得很远。',
  '图书馆里很安静，只听得见翻书的声音。',
  '傍晚时分起了风，晾在阳台上的衣服被吹得哗哗作响。',
  '菜市场的摊主们忙着收摊，地上散落着几片菜叶。',
];

/** `n` filler sentences, cycling through the list. */
function filler(n: number, from = 0): string {
  return Array.from({ length: n }, (_, k) => FILLER[(from + k) % FILLER.length]).join('');
}

/** The snippet without markup and ellipses: the characters of the text it shows. */
function plain(s: string): string {
  return s.replace(/<\/?mark>/g, '').replace(/…/g, '');
}

/** Snippet text with entities decoded, for comparing with the source text. */
function decoded(s: string): string {
  return plain(s)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

const snip = (text: string, units: string[], weights?: number[]): string => makeSnippet(text, normalize(text), units, 120, weights);

describe('snippets for several query words', () => {
  test('words close together share one passage with both marked', () => {
    const text = filler(6) + '外长王毅在记者会上谈到阿富汗局势的变化。' + filler(6, 2);
    const s = snip(text, ['王毅', '阿富汗']);
    expect(s).toContain('<mark>王毅</mark>');
    expect(s).toContain('<mark>阿富汗</mark>');
    // One passage: an ellipsis only at the ends.
    expect(s.slice(1, -1)).not.toContain('…');
  });

  test('words far apart give two fragments joined by an ellipsis, each with its word', () => {
    const text = filler(3) + '外长王毅当天会见了来访的客人。' + filler(12) + '阿富汗的难民问题再次引起关注。' + filler(3, 1);
    const s = snip(text, ['王毅', '阿富汗']);
    expect(s).toContain('<mark>王毅</mark>');
    expect(s).toContain('<mark>阿富汗</mark>');
    const inner = s.replace(/^…|…$/g, '');
    expect(inner.split('…')).toHaveLength(2);
    // Text order: the first word's fragment comes first.
    expect(s.indexOf('王毅')).toBeLessThan(s.indexOf('阿富汗'));
    // Still a snippet, not the article: about the length of a one-passage snippet.
    expect(plain(s).length).toBeLessThanOrEqual(130);
    // Each fragment is a piece of the text as written.
    for (const part of inner.split('…')) expect(text).toContain(decoded(part));
  });

  test('a single far-away word does not split the snippet', () => {
    const text = filler(3) + '王毅出席了会议。' + filler(12) + '王毅随后离开。' + filler(3);
    const s = snip(text, ['王毅']);
    expect(s.replace(/^…|…$/g, '')).not.toContain('…');
  });

  test('rarer words decide the passages when not every word fits', () => {
    // 城市 is everywhere (low weight); 甲虫 and 灯塔 are far apart (high weight).
    const text =
      '城市的早晨很忙。' +
      filler(4) +
      '城市公园里发现了一种罕见的甲虫。' +
      filler(10) +
      '城市边上的旧灯塔重新亮了起来。' +
      filler(4) +
      '城市的夜晚很静。';
    const s = snip(text, ['城市', '甲虫', '灯塔'], [0.2, 3, 3]);
    expect(s).toContain('<mark>甲虫</mark>');
    expect(s).toContain('<mark>灯塔</mark>');
    // Without weights every word counts alike, and the two rare ones still win over a
    // pair that repeats 城市 (the common word is in both fragments anyway).
    const even = snip(text, ['城市', '甲虫', '灯塔']);
    expect(even).toContain('<mark>甲虫</mark>');
    expect(even).toContain('<mark>灯塔</mark>');
  });

  test('every occurrence inside the shown passages is marked', () => {
    const text = filler(2) + '王毅说，阿富汗的事情要由阿富汗人民决定，王毅还说了别的。' + filler(8);
    const s = snip(text, ['王毅', '阿富汗']);
    expect(s.match(/<mark>王毅<\/mark>/g)).toHaveLength(2);
    expect(s.match(/<mark>阿富汗<\/mark>/g)).toHaveLength(2);
    expect(s.replace(/<mark>[^<]*<\/mark>/g, '')).not.toMatch(/王毅|阿富汗/);
  });

  test('hostile text in either fragment comes back escaped, with only <mark> as markup', () => {
    const text =
      filler(2) +
      '<script>alert("王毅")</script> & 外长王毅发言。' +
      filler(12) +
      '<img src=x onerror=alert(1)>阿富汗\'s "news" & more。' +
      filler(2);
    const s = snip(text, ['王毅', '阿富汗']);
    expect(s).toContain('<mark>阿富汗</mark>');
    expect(s).toContain('<mark>王毅</mark>');
    expect(s).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(s).toContain('&#39;s &quot;news&quot; &amp; more');
    expect(s.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    expect(s).not.toMatch(/&(?!lt;|gt;|amp;|quot;|#39;)/);
  });

  test('marks land on the original characters when display and normalized text differ', () => {
    // Full-width Latin letters and punctuation normalize to other code units of the same length.
    const text = filler(2) + 'ＡＢＣ公司的ＣＥＯ来了。' + filler(12) + '他提到了ＮＡＴＯ的计划！' + filler(2);
    const s = snip(text, ['ceo', 'nato']);
    expect(s).toContain('<mark>ＣＥＯ</mark>');
    expect(s).toContain('<mark>ＮＡＴＯ</mark>');
  });

  test('any placement of two words: both are shown when present, the snippet stays short', () => {
    const pieces = [...FILLER, '今天的天气不错。', 'The quick fox. ', '\n', '𠮷野家的牛肉饭。'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), fc.nat(), fc.nat(), (generated, a, b) => {
        const parts = [...generated];
        parts.splice(a % (parts.length + 1), 0, '灯塔');
        parts.splice(b % (parts.length + 1), 0, '渔船');
        const text = parts.join('').trim();
        const s = snip(text, ['灯塔', '渔船']);
        // Adjacent matches share one <mark>.
        const marked = [...s.matchAll(/<mark>([^<]*)<\/mark>/g)].map((m) => m[1]).join('|');
        expect(marked).toContain('灯塔');
        expect(marked).toContain('渔船');
        expect(plain(s).length).toBeLessThanOrEqual(135);
        expect(s).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        if (text.length <= 120) expect(s).not.toContain('…');
      }),
      { numRuns: 400 },
    );
  });
});

describe('search hits for a two-word query', () => {
  const engine = SearchEngine.fromDocuments([
    {
      id: 'far',
      title: '一周外交回顾',
      text: filler(2) + '本周一，外长王毅会见了来访的客人。' + filler(12) + '周五，关于阿富汗重建的会议在日内瓦召开。' + filler(2),
    },
    { id: 'near', title: '记者会', text: filler(4) + '王毅在记者会上回答了有关阿富汗的问题。' + filler(4) },
    { id: 'one', title: '访问', text: filler(3) + '王毅结束了访问。' + filler(3) },
  ]);

  test('the snippet of every hit marks both words', () => {
    const r = engine.search('王毅 阿富汗');
    expect(r.hits.map((h) => h.id).sort()).toEqual(['far', 'near']);
    for (const h of r.hits) {
      expect(h.snippet).toContain('<mark>王毅</mark>');
      expect(h.snippet).toContain('<mark>阿富汗</mark>');
    }
    const far = r.hits.find((h) => h.id === 'far')!;
    expect(far.snippet.replace(/^…|…$/g, '').split('…')).toHaveLength(2);
  });
});
