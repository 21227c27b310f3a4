import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { RunningServer } from '../../src/server/main';
import { until } from '../helpers/browser';
import type { TestPost } from '../helpers/corpus';
import { buildTempIndex, renderFiles, startTestServer, type BuiltIndex } from '../helpers/server';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';
if (!HAVE_CHROMIUM && !IN_CI) {
  console.log(`e2e/page.test.ts skipped: ${CHROMIUM} not found (install Debian chromium; in CI the suite always runs)`);
}
const describeE2E = HAVE_CHROMIUM || IN_CI ? describe : describe.skip;

// 23 posts about wetlands ("湿地": 3 pages of 10), two categories, six years, plus
// three lighthouse ("灯塔") posts with a hostile title, a javascript: source and a real link.
const PLACES =
  '东湖 西溪 南沙 北塘 青石滩 芦苇荡 白鹭洲 红树林 月牙湾 翠屏湾 金沙洲 落霞湾 云水涧 柳浪滩 桃花渚 鹤鸣洲 鱼跃滩 星河湾 碧波塘 松风岛 晴川渡 烟雨洲 野鸭湖'.split(
    ' ',
  );
const ECO = ['观鸟记', '水质监测报告', '候鸟迁徙观察', '芦苇收割季'];
const TRIP = ['徒步路线', '周末一日游', '露营体验'];

function corpus(): Record<string, TestPost> {
  const posts: Record<string, TestPost> = {};
  PLACES.forEach((place, i) => {
    const category = i % 2 === 0 ? '生态' : '旅行';
    const year = 2018 + (i % 6);
    const month = String(1 + (i % 12)).padStart(2, '0');
    const title = `${place}湿地${category === '生态' ? ECO[i % ECO.length] : TRIP[i % TRIP.length]}`;
    posts[`${year}/${year}-${month}-05-w${i}.md`] = {
      title,
      date: `${year}-${month}-05`,
      author: i % 3 === 0 ? '林野' : '苏禾',
      from: `https://example.org/wetland/${i}`,
      categories: [category],
      tags: ['湿地', place],
      body: `<p>${place}湿地位于城郊，水面开阔，春天有成群的白鹭在浅滩觅食。</p><p>管理处提醒游客沿栈道行走，不要投喂野生动物。</p>`,
    };
  });
  posts['2021/2021-09-09-xss.md'] = {
    title: '<script>window.__xss=1</script>标题',
    date: '2021-09-09',
    categories: ['杂记'],
    body: '<p>海边的灯塔在夜里每隔十秒闪一次光。</p>',
  };
  posts['2022/2022-03-03-keeper.md'] = {
    title: '灯塔守护人',
    date: '2022-03-03',
    from: 'javascript:alert(1)',
    categories: ['杂记'],
    body: '<p>守护人在灯塔里住了三十年，每晚擦亮镜片。</p>',
  };
  posts['2023/2023-04-04-inn.md'] = {
    title: '灯塔旁的小旅馆',
    date: '2023-04-04',
    from: 'https://example.org/inn',
    categories: ['杂记'],
    body: '<p>从旅馆的窗口就能看见灯塔的光。</p>',
  };
  return posts;
}

const POSTS = corpus();
const WETLAND_TOTAL = PLACES.length;
/** Where the layout tests leave their screenshots (to look at; the assertions are on the layout). */
const SHOTS = process.env.ZHSEARCH_SCREENSHOTS || join(tmpdir(), 'zhsearch-page-shots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** Posts per year of the wetland posts, as the timeline should draw them. */
const WETLAND_YEARS = PLACES.reduce<Record<string, number>>((m, _p, i) => {
  const y = String(2018 + (i % 6));
  m[y] = (m[y] ?? 0) + 1;
  return m;
}, {});
const TRAVEL_TOTAL = Object.values(POSTS).filter((p) => (p.categories as string[])[0] === '旅行').length;

describeE2E('search page in Chromium', () => {
  let index: BuiltIndex;
  let srv: RunningServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    index = await buildTempIndex(renderFiles(POSTS));
    expect(index.report.indexed).toBe(Object.keys(POSTS).length);
    srv = await startTestServer(index.indexDir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close(1000);
    index?.cleanup();
  });

  beforeEach(async () => {
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/status of 400/.test(msg.text())) pageErrors.push(msg.text());
    });
  });

  afterEach(async () => {
    await page?.close();
    expect(pageErrors).toEqual([]);
  });

  const param = (name: string): string | null => new URL(page.url()).searchParams.get(name);
  // Browser-side conditions are passed as strings: this project compiles without the DOM lib.
  const pageInfo = (text: string) => page.locator('#page-info', { hasText: text }).waitFor();
  const summary = (total: number) => page.locator('#summary', { hasText: new RegExp(`^共 ${total} 条结果`) }).waitFor();
  const waitForParam = (name: string, value: string | null) =>
    until(page, `new URL(location.href).searchParams.get(${JSON.stringify(name)}) === ${JSON.stringify(value)}`);
  const xssFlag = () => page.evaluate('typeof window.__xss');
  /** The search started by the last navigation has been rendered. */
  const settled = () => until(page, `!document.getElementById('results').hasAttribute('aria-busy')`);
  const hitTitles = () => page.locator('ol#results > li.hit h2.hit-title').allTextContents();

  test('type, suggest, search, page forward and back, filter by category', async () => {
    await page.goto(srv.url + '/');
    const input = page.locator('#q');
    await input.click();
    await input.pressSequentially('湿');
    await page.waitForSelector('ul#suggestions:not([hidden]) li.suggestion');
    const suggestions = await page.locator('ul#suggestions li.suggestion').allTextContents();
    expect(suggestions).toContain('湿地');
    expect(await input.getAttribute('aria-expanded')).toBe('true');
    // Keyboard: ArrowDown selects the first option, Escape closes the list.
    await input.press('ArrowDown');
    expect(await input.getAttribute('aria-activedescendant')).toBe('suggestion-0');
    expect(await page.locator('#suggestion-0').getAttribute('aria-selected')).toBe('true');
    await input.press('Escape');
    expect(await page.locator('ul#suggestions').isHidden()).toBe(true);
    expect(await input.getAttribute('aria-expanded')).toBe('false');
    expect(param('q')).toBeNull();

    await input.pressSequentially('地');
    const answer = page.waitForResponse((r) => r.url().includes('/api/search?'));
    await input.press('Enter');
    await page.waitForSelector('ol#results > li.hit');
    // Chromium asks for gzip, so the page below was rendered from a compressed answer.
    expect((await (await answer).allHeaders())['content-encoding']).toBe('gzip');
    expect(param('q')).toBe('湿地');
    expect(await page.locator('ol#results > li.hit').count()).toBe(10);
    expect(await page.locator('ol#results > li.hit mark').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('ol#results > li.hit mark').first().textContent()).toBe('湿地');
    expect(await page.locator('#summary').textContent()).toMatch(new RegExp(`^共 ${WETLAND_TOTAL} 条结果（用时 [\\d.]+ 毫秒）$`));
    expect(await page.locator('ul#suggestions').isHidden()).toBe(true);
    expect(await page.locator('p.hit-snippet').first().innerHTML()).toContain('<mark>湿地</mark>');
    await pageInfo('第 1 / 3 页');
    expect(await page.locator('#prev').isDisabled()).toBe(true);
    const page1 = await hitTitles();
    expect(await page.title()).toContain('湿地');

    await page.locator('#next').click();
    await pageInfo('第 2 / 3 页');
    expect(param('page')).toBe('2');
    expect(param('q')).toBe('湿地');
    const page2 = await hitTitles();
    expect(page2).toHaveLength(10);
    expect(page2.filter((t) => page1.includes(t))).toEqual([]);

    await page.locator('#next').click();
    await pageInfo('第 3 / 3 页');
    expect(await page.locator('ol#results > li.hit').count()).toBe(WETLAND_TOTAL - 20);
    expect(await page.locator('#next').isDisabled()).toBe(true);

    await page.goBack();
    await pageInfo('第 2 / 3 页');
    await page.goBack();
    await pageInfo('第 1 / 3 页');
    expect(param('page')).toBeNull();
    expect(await hitTitles()).toEqual(page1);

    const facet = page.locator('aside#facets button.facet', { hasText: '旅行' });
    expect(await facet.getAttribute('aria-pressed')).toBe('false');
    await facet.click();
    await waitForParam('category', '旅行');
    await summary(TRAVEL_TOTAL);
    const cats = await page.locator('ol#results > li.hit .hit-categories').allTextContents();
    expect(cats).toHaveLength(Math.min(10, TRAVEL_TOTAL));
    for (const c of cats) expect(c).toBe('旅行');
    expect(await page.locator('aside#facets button.facet', { hasText: '旅行' }).getAttribute('aria-pressed')).toBe('true');

    const clear = page.locator('aside#facets .facet-active button.facet-clear');
    expect(await clear.textContent()).toContain('旅行');
    await clear.click();
    await waitForParam('category', null);
    await summary(WETLAND_TOTAL);

    // Sorting by date puts the newest first and lands in the URL.
    await page.locator('select#sort').selectOption('date');
    await waitForParam('sort', 'date');
    await settled();
    await pageInfo('第 1 / 3 页');
    const dates = await page.locator('ol#results > li.hit .hit-date').allTextContents();
    expect(dates).toHaveLength(10);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  test('a hostile title renders as text and a javascript: source is not linked', async () => {
    await page.goto(srv.url + '/?q=' + encodeURIComponent('灯塔'));
    await page.waitForSelector('ol#results > li.hit');
    expect(await page.locator('ol#results > li.hit').count()).toBe(3);

    const titles = await hitTitles();
    expect(titles).toContain('<script>window.__xss=1</script>标题');
    expect(await xssFlag()).toBe('undefined');
    expect(await page.locator('#results script').count()).toBe(0);

    const keeper = page.locator('ol#results > li.hit', { hasText: '灯塔守护人' });
    expect(await keeper.locator('h2.hit-title a').count()).toBe(0);
    expect(await keeper.locator('.hit-host').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);

    const inn = page.locator('ol#results > li.hit', { hasText: '灯塔旁的小旅馆' });
    const link = inn.locator('h2.hit-title a');
    expect(await link.getAttribute('href')).toBe('https://example.org/inn');
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await inn.locator('.hit-host').textContent()).toBe('example.org');

    // Suggestions show hostile titles as text too; picking one searches for it verbatim.
    const input = page.locator('#q');
    await input.fill('');
    await input.pressSequentially('标题');
    await page.waitForSelector('ul#suggestions:not([hidden]) li.suggestion');
    const option = page.locator('ul#suggestions li.suggestion', { hasText: '<script>' });
    expect(await option.textContent()).toBe('<script>window.__xss=1</script>标题');
    expect(await page.locator('#suggestions script').count()).toBe(0);
    await option.click();
    await waitForParam('q', '<script>window.__xss=1</script>标题');
    await settled();
    expect(await xssFlag()).toBe('undefined');
    expect(await page.locator('script').count()).toBe(1); // only /app.js
    await page.goBack();
    await waitForParam('q', '灯塔');
    await until(page, `document.querySelectorAll('ol#results > li.hit').length === 3`);

    // The full text loads from /api/docs/<id> (an id with a folder in it).
    await keeper.locator('button.hit-more').click();
    await keeper.locator('.hit-fulltext p', { hasText: '每晚擦亮镜片' }).waitFor();
  });

  test('a query with no match shows the no-results message', async () => {
    await page.goto(srv.url + '/?q=' + encodeURIComponent('恐龙化石'));
    await summary(0);
    expect(await page.locator('#message').textContent()).toBe('没有找到与「恐龙化石」相关的结果');
    expect(await page.locator('ol#results > li').count()).toBe(0);
    expect(await page.locator('nav#pager').isHidden()).toBe(true);
    expect(await page.locator('aside#facets').isHidden()).toBe(true);
  });

  test('a homophone typo that finds nothing shows the results of its correction and says so; pinyin too', async () => {
    await page.goto(srv.url + '/?q=' + encodeURIComponent('灯搭'));
    await summary(3);
    expect(await page.locator('#summary').textContent()).toContain('「灯搭」可能有错字，显示的是「灯塔」的结果');
    expect(await page.locator('ol#results > li').count()).toBe(3);
    // "Search instead" searches the query as typed, and a new query is read afresh again.
    expect(await page.locator('#didyoumean').textContent()).toBe('仍然搜索 灯搭');
    await page.locator('#didyoumean a').click();
    await waitForParam('astyped', '1');
    await summary(0);
    expect(await page.locator('#message').textContent()).toBe('没有找到与「灯搭」相关的结果');
    expect(await page.locator('#summary').textContent()).not.toContain('灯塔');
    await page.locator('#q').fill('灯搭');
    await page.locator('#q').press('Enter');
    await until(page, `!new URLSearchParams(location.search).has('astyped')`);
    await summary(3);

    await page.goto(srv.url + '/?q=dengta');
    await summary(3);
    expect(await page.locator('#summary').textContent()).toContain('已按拼音搜索「灯塔」');
  });

  test('an API error (400) is shown in #message', async () => {
    await page.goto(srv.url + '/?q=' + encodeURIComponent('湿'.repeat(300)));
    await page.waitForSelector('#message.error');
    const text = await page.locator('#message').textContent();
    expect(text).toBe('搜索词太长：最多 256 个字，请删减后再试');
    expect(await page.locator('ol#results > li').count()).toBe(0);
    expect(await page.locator('nav#pager').isHidden()).toBe(true);
  });

  test('the start page shows the archive (size, dates, sources) and example queries that search', async () => {
    await page.goto(srv.url + '/');
    await page.locator('#archive-info', { hasText: '收录' }).waitFor();
    const docs = Object.keys(POSTS).length;
    expect(await page.locator('#archive-info').textContent()).toBe(`收录 ${docs} 篇文章，时间从 2018-01-05 到 2023-12-05。`);
    expect(await page.locator('#archive-sources').textContent()).toBe('主要来源：example.org');
    expect(await page.locator('#q').getAttribute('maxlength')).toBe('256');
    expect(await page.locator('#syntax-help summary').textContent()).toBe('搜索语法');
    const example = page.locator('#examples a.example', { hasText: /^湿地$/ });
    await example.click();
    await waitForParam('q', '湿地');
    await summary(WETLAND_TOTAL);
    expect(await page.locator('#start').isHidden()).toBe(true);
  });

  test('the timeline draws matches per year; a bar filters to its year with the same count', async () => {
    await page.goto(srv.url + '/?q=' + encodeURIComponent('湿地'));
    await summary(WETLAND_TOTAL);
    const bars = page.locator('#timeline button.bar');
    expect(await bars.count()).toBe(Object.keys(WETLAND_YEARS).length);
    const labels = await bars.evaluateAll((els) =>
      els.map((e) => (e as { getAttribute(name: string): string | null }).getAttribute('aria-label')),
    );
    expect(labels).toEqual(Object.entries(WETLAND_YEARS).map(([y, n]) => `${y} 年：${n} 条`));
    await page.locator('#timeline button.bar[aria-label^="2019 "]').click();
    await waitForParam('year', '2019');
    await summary(WETLAND_YEARS['2019']);
    const dates = await page.locator('ol#results > li.hit .hit-date').allTextContents();
    for (const d of dates) expect(d.startsWith('2019-')).toBe(true);
    // Each category's count is the total its filter shows.
    const facet = page.locator('aside#facets button.facet').first();
    const count = Number(await facet.locator('.count').textContent());
    await facet.click();
    await summary(count);
  });

  test('page numbers, and date, author and tag filters', async () => {
    await page.goto(srv.url + '/?q=' + encodeURIComponent('湿地'));
    await summary(WETLAND_TOTAL);
    expect(await page.locator('#page-numbers button').allTextContents()).toEqual(['1', '2', '3']);
    expect(await page.locator('#page-numbers button[aria-current="page"]').textContent()).toBe('1');
    await page.locator('#page-numbers button', { hasText: '3' }).click();
    await pageInfo('第 3 / 3 页');
    expect(param('page')).toBe('3');

    await page.locator('#f-from').fill('2020-01-01');
    await page.locator('#f-to').fill('2021-12-31');
    await page.locator('#f-author').fill('林野');
    await page.locator('#filter-form button[type=submit]').click();
    await waitForParam('author', '林野');
    await settled();
    expect(param('from')).toBe('2020-01-01');
    expect(param('page')).toBeNull();
    const expected = PLACES.filter((_p, i) => i % 3 === 0 && [2020, 2021].includes(2018 + (i % 6))).length;
    await summary(expected);
    for (const a of await page.locator('ol#results > li.hit .hit-author').allTextContents()) expect(a).toBe('林野');
    for (const d of await page.locator('ol#results > li.hit .hit-date').allTextContents())
      expect(d >= '2020-01-01' && d <= '2021-12-31').toBe(true);
    expect(await page.locator('#facet-active button.facet-clear').allTextContents()).toEqual([
      '从 2020-01-01 ×',
      '到 2021-12-31 ×',
      '作者：林野 ×',
    ]);

    // A tag under a hit filters to it; every filter is removable.
    const tag = (await page.locator('ol#results > li.hit a.hit-tag').nth(1).textContent())!.slice(1);
    await page
      .locator('ol#results > li.hit a.hit-tag', { hasText: '#' + tag })
      .first()
      .click();
    await waitForParam('tag', tag);
    await summary(1);
    await page.locator('#facet-active button.facet-clear', { hasText: '标签' }).click();
    await waitForParam('tag', null);
  });

  test('a query of only stop words says why nothing was found', async () => {
    await page.goto(srv.url + '/?q=' + encodeURIComponent('的 了'));
    await summary(0);
    expect(await page.locator('#message').textContent()).toBe(
      '「的 了」只包含“的”“了”“是”这类常用虚词，它们不参与搜索。请加上更具体的词，例如人名、地名或事件。',
    );
  });

  test('a partial hit lists its missing words struck through', async () => {
    // The API's answer with `missing` on one hit, as the free-text contract sends it.
    await page.route('**/api/search?*', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { hits: Array<{ missing?: string[] }> };
      body.hits[0].missing = ['计票', '<b>x</b>'];
      await route.fulfill({ response: res, json: body });
    });
    await page.goto(srv.url + '/?q=' + encodeURIComponent('灯塔'));
    await page.waitForSelector('ol#results > li.hit');
    const missing = page.locator('ol#results > li.hit').first().locator('.hit-missing');
    expect(await missing.textContent()).toBe('缺少：计票、<b>x</b>');
    expect(await missing.locator('s').allTextContents()).toEqual(['计票', '<b>x</b>']);
    expect(await page.locator('ol#results > li.hit').nth(1).locator('.hit-missing').count()).toBe(0);
  });

  test('posts holding the first word but not the last follow under a heading that says so', async () => {
    await page.goto(srv.url + '/?q=' + encodeURIComponent('灯塔 守护人'));
    await summary(1);
    expect(await page.locator('ol#results > li.hit').count()).toBe(1);
    await page.waitForSelector('#relaxed:not([hidden])');
    expect(await page.locator('#relaxed-heading').textContent()).toBe('另有 2 条只包含「灯塔」、不含「守护人」的结果');
    const relaxed = page.locator('#relaxed-results > li.hit');
    expect(await relaxed.count()).toBe(2);
    expect(await relaxed.locator('.hit-missing').allTextContents()).toEqual(['缺少：守护人', '缺少：守护人']);
    // A query whose words all stand together hides the section again.
    await page.goto(srv.url + '/?q=' + encodeURIComponent('守护人'));
    await summary(1);
    expect(await page.locator('#relaxed').isHidden()).toBe(true);
  });

  test('layout at desktop and phone width, light and dark (screenshots in ZHSEARCH_SCREENSHOTS or the temp folder)', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const box = async (sel: string) => (await page.locator(sel).first().boundingBox())!;
    const noSideScroll = async () => expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    await page.setViewportSize(DESKTOP);
    await page.goto(srv.url + '/?q=' + encodeURIComponent('湿地'));
    await summary(WETLAND_TOTAL);
    await page.screenshot({ path: join(SHOTS, 'desktop.png'), fullPage: true });
    await noSideScroll();
    const main = await box('main');
    const aside = await box('aside#facets');
    expect(aside.x).toBeGreaterThanOrEqual(main.x + main.width); // filters beside the results
    expect(await page.locator('#facet-panel').getAttribute('open')).not.toBeNull();
    const timeline = await box('#timeline');
    expect(timeline.y).toBeLessThan((await box('ol#results > li.hit')).y); // the timeline above the hits
    expect((await box('ol#results > li.hit')).y).toBeLessThan(DESKTOP.height);

    await page.goto(srv.url + '/');
    await page.locator('#archive-info', { hasText: '收录' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'desktop-start.png') });
    await noSideScroll();

    const phone = await browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
    try {
      await phone.goto(srv.url + '/?q=' + encodeURIComponent('湿地'));
      await phone.locator('#summary', { hasText: `共 ${WETLAND_TOTAL} 条结果` }).waitFor();
      await phone.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true });
      expect(await phone.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      // Filters start folded: the first hit is on the first screen, below a one-line filter bar.
      expect(await phone.locator('#facet-panel').getAttribute('open')).toBeNull();
      const panel = (await phone.locator('#facet-panel').boundingBox())!;
      expect(panel.height).toBeLessThan(60);
      const firstHit = (await phone.locator('ol#results > li.hit').first().boundingBox())!;
      expect(firstHit.y + 60).toBeLessThan(PHONE.height);
      const q = (await phone.locator('#q').boundingBox())!;
      expect(q.width).toBeGreaterThan(PHONE.width * 0.6);
      await phone.locator('#facet-panel > summary').click();
      await phone.locator('#filter-form').waitFor({ state: 'visible' });
      expect(await phone.locator('aside#facets button.facet').count()).toBeGreaterThan(0);

      await phone.emulateMedia({ colorScheme: 'dark' });
      await phone.screenshot({ path: join(SHOTS, 'phone-dark.png') });
      expect(await phone.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(13, 17, 23)');
      expect(await phone.evaluate("getComputedStyle(document.querySelector('.hit-title a, .hit-title span')).color")).not.toBe(
        'rgb(26, 86, 219)',
      );
    } finally {
      await phone.close();
    }
  });
});
