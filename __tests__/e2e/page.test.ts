import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { RunningServer } from '../../src/server/main';
import type { TestPost } from '../helpers/corpus';
import { buildTempIndex, renderFiles, startTestServer, type BuiltIndex } from '../helpers/server';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';
if (!HAVE_CHROMIUM && !IN_CI) {
  // eslint-disable-next-line no-console
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
    page.waitForFunction(`new URL(location.href).searchParams.get(${JSON.stringify(name)}) === ${JSON.stringify(value)}`);
  const xssFlag = () => page.evaluate('typeof window.__xss');
  /** The search started by the last navigation has been rendered. */
  const settled = () => page.waitForFunction(`!document.getElementById('results').hasAttribute('aria-busy')`);
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
    await page.waitForFunction(`document.querySelectorAll('ol#results > li.hit').length === 3`);

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

  test('a homophone typo offers 你是不是要找 with a link; pinyin is searched as Chinese and says so', async () => {
    await page.goto(srv.url + '/?q=' + encodeURIComponent('灯搭'));
    await summary(0);
    const dym = page.locator('#didyoumean');
    await dym.waitFor();
    expect(await dym.textContent()).toBe('你是不是要找 灯塔');
    await dym.locator('a').click();
    await waitForParam('q', '灯塔');
    await summary(3);
    expect(await dym.isHidden()).toBe(true);

    await page.goto(srv.url + '/?q=dengta');
    await summary(3);
    expect(await page.locator('#summary').textContent()).toContain('已按拼音搜索「灯塔」');
  });

  test('an API error (400) is shown in #message', async () => {
    await page.goto(srv.url + '/?q=' + encodeURIComponent('湿'.repeat(300)));
    await page.waitForSelector('#message.error');
    const text = await page.locator('#message').textContent();
    expect(text).toContain('too long');
    expect(text).toContain('256');
    expect(await page.locator('ol#results > li').count()).toBe(0);
    expect(await page.locator('nav#pager').isHidden()).toBe(true);
  });
});
