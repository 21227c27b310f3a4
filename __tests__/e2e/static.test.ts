import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { normalize } from '../../src/analysis/normalize';
import { CHAR_PAIRS } from '../../src/analysis/script-fold.data';
import { buildStatic, type StaticBuildReport } from '../../src/static/build';
import { startPreviewServer, type PreviewServer } from '../../src/static/preview-server';
import { until } from '../helpers/browser';
import { ROOT } from '../helpers/dist';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';
if (!HAVE_CHROMIUM && !IN_CI) {
  console.log(`e2e/static.test.ts skipped: ${CHROMIUM} not found (install Debian chromium; in CI the suite always runs)`);
}
const describeE2E = HAVE_CHROMIUM || IN_CI ? describe : describe.skip;

// Added to a copy of the bundled corpus: markup in the title and text must come out escaped.
const HOSTILE = `---
title: "<img src=x onerror=window.__xss=1>灯塔夜话"
date: 2024-05-01
categories: [ 杂记 ]
---
<p>老人说，海边的灯塔 &lt;script&gt;window.__xss=2&lt;/script&gt; 每隔十秒闪一次光。</p>
`;

// Twelve short wetland posts, so a query has more than one page of results.
const PLACES = '东湖 西溪 南沙 北塘 青石滩 芦苇荡 白鹭洲 红树林 月牙湾 翠屏湾 金沙洲 落霞湾'.split(' ');
function wetlandPost(place: string, k: number): string {
  const month = String(1 + k).padStart(2, '0');
  return `---\ntitle: "${place}湿地观鸟记"\ndate: 2018-${month}-05\ncategories: [ 生态 ]\n---\n<p>${place}湿地水面开阔，春天有成群的白鹭在浅滩觅食。</p>\n`;
}

// A long post whose last paragraph alone names the bridge: its record holds only the head of the text.
const LONG = `---
title: "河畔散步的一年"
date: 2017-06-01
---
${'<p>每天傍晚沿着河堤慢慢走上一圈，看柳树发芽、落叶，再等下一场雪。</p>\n'.repeat(40)}<p>走到尽头就是新修的彩虹桥。</p>
`;

interface Hit {
  id: string;
  title: string;
  titleHtml: string;
  url: string | null;
  date: string | null;
  snippet: string;
}
interface Result {
  total: number;
  totalExact: boolean;
  hits: Hit[];
}

describeE2E('static-site search in Chromium', () => {
  let dir: string;
  let report: StaticBuildReport;
  let srv: PreviewServer;
  let served: Array<{ path: string; bytes: number }>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zhsearch-static-'));
    const corpus = join(dir, 'corpus');
    await fs.cp(join(ROOT, 'corpus'), corpus, { recursive: true });
    await fs.writeFile(join(corpus, '2024-05-01-灯塔夜话.md'), HOSTILE);
    await fs.writeFile(join(corpus, '2017-06-01-河畔.md'), LONG);
    await Promise.all(
      PLACES.map((place, k) =>
        fs.writeFile(join(corpus, `2018-${String(1 + k).padStart(2, '0')}-05-wetland-${k}.md`), wetlandPost(place, k)),
      ),
    );
    report = await buildStatic({ corpus, out: join(dir, 'site', 'search') });
    await buildStatic({ corpus, out: join(dir, 'site', 'lite'), fullText: false });
    served = [];
    srv = await startPreviewServer(join(dir, 'site'), 0, (path, bytes) => served.push({ path, bytes }));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    served.length = 0;
  });

  afterEach(async () => {
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  /** Run `search()` of the module inside the page. */
  async function search(query: string, options: { limit?: number; offset?: number } = {}, folder = 'search'): Promise<Result> {
    if (!page.url().startsWith(srv.url + folder + '/')) await page.goto(srv.url + folder + '/index.html');
    // A string, so the test compiler leaves the module's dynamic import alone.
    const script = `import(new URL('zhsearch.js', location.href).href).then((m) => m.search(${JSON.stringify(query)}, ${JSON.stringify(options)}))`;
    return page.evaluate<Result>(script);
  }

  const ids = (r: Result): string[] => r.hits.map((h) => h.id).sort();

  test('the build covers the corpus', () => {
    expect(report.docs).toBe(16 + PLACES.length);
    expect(report.skipped).toEqual([]);
  });

  test('a word inside a longer word is found and highlighted', async () => {
    const r = await search('轨道');
    expect(r.total).toBe(1);
    expect(r.hits[0].id).toBe('2019-03-14-青川地铁五号线开通.md');
    expect(r.hits[0].snippet).toContain('<mark>轨道</mark>');
    expect(r.hits[0].url).toBe('/' + ['新闻', '2019', '03', '14', '青川地铁五号线开通.html'].map(encodeURIComponent).join('/'));
    expect(r.hits[0].date).toBe('2019-03-14T02:15:40.112Z');
  });

  test('longer words are exact substrings; phrases, exclusions and OR', async () => {
    const name = await search('司马青禾');
    expect(name.total).toBe(3);
    expect(name.totalExact).toBe(true);
    expect(name.hits.every((h) => h.snippet.includes('<mark>司马青禾</mark>'))).toBe(true);
    const said = await search('"司马青禾说"');
    expect(said.total).toBe(1);
    expect(said.hits[0].id).toBe('2019-03-14-青川地铁五号线开通.md');
    expect((await search('司马青禾 -地铁')).total).toBe(2);
    expect(ids(await search('雄鹰队 OR 青铜器'))).toEqual(['2022-05-18-吉金流光青铜器特展开幕.md', '2023-10-08-青川雄鹰主场逆转夺冠.md']);
    // Text stripped from <script> is not searchable.
    expect((await search('脚本彩蛋')).total).toBe(0);
  });

  test('traditional and simplified find each other; Latin matches whole words', async () => {
    const trad = await search('醫院');
    expect(ids(trad)).toEqual(expect.arrayContaining(['2020-04-05-新冠疫情下的社区防线.md', '2020-11-30-澄江市立醫院新大樓啟用.md']));
    const hospital = trad.hits.find((h) => h.id === '2020-11-30-澄江市立醫院新大樓啟用.md')!;
    // Highlights land on the characters as written.
    expect(hospital.snippet).toContain('<mark>醫院</mark>');
    expect(ids(await search('ＩＰＨＯＮＥ'))).toEqual(['2023-08-09-咖啡馆里的数字游民.md', '科技/2020-09-10-星澜科技发布首款5G手机.md']);
    expect((await search('iphon')).total).toBe(0);
  });

  test('the browser normalizes queries exactly as the index did', async () => {
    await search('湿地');
    // Every traditional character of the table, plus phrases, full-width forms and spaces.
    const samples = [CHAR_PAIRS.replace(/(.)./gu, '$1'), '瞭解一目瞭然藉口反覆', 'ＡＢＣ１２３　ＣＯＶＩＤ－１９', 'Ⅻ㍿ﬁ̀Σ'];
    const got = await page.evaluate(
      `import(new URL('zhsearch.js', location.href).href).then((m) => ${JSON.stringify(samples)}.map((s) => m.normalize(s)))`,
    );
    expect(got).toEqual(samples.map((x) => normalize(x)));
  });

  test('titles and snippets are escaped', async () => {
    const r = await search('灯塔 闪一次');
    expect(r.hits.map((h) => h.id)).toEqual(['2024-05-01-灯塔夜话.md']);
    expect(r.hits[0].titleHtml).toBe('&#60;img src=x onerror=window.__xss=1&#62;<mark>灯塔</mark>夜话');
    expect(r.hits[0].snippet).toContain('&#60;script&#62;');
    await page.goto(srv.url + 'search/index.html?q=' + encodeURIComponent('灯塔 闪一次'));
    await page.waitForSelector('.zhsearch-hit');
    expect(await page.locator('.zhsearch-hit img, .zhsearch-hit script').count()).toBe(0);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
  });

  test('the page shows highlighted results and pages through them', async () => {
    await page.goto(srv.url + 'search/index.html?q=' + encodeURIComponent('湿地'));
    await page.waitForSelector('.zhsearch-hit');
    expect(await page.locator('.zhsearch-status').textContent()).toBe(`${PLACES.length} 条结果`);
    const total = PLACES.length;
    expect(await page.locator('.zhsearch-hit').count()).toBe(10);
    expect(await page.locator('.zhsearch-hit .zhsearch-title mark').first().textContent()).toBe('湿地');
    expect(await page.locator('.zhsearch-hit .zhsearch-snippet mark').first().textContent()).toBe('湿地');
    await page.locator('.zhsearch-page', { hasText: '下一页' }).click();
    await until(page, `document.querySelector('.zhsearch-results')?.getAttribute('start') === '11'`);
    expect(await page.locator('.zhsearch-hit').count()).toBe(total - 10);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
  });

  test('a query fetches only its shards and the records it shows', async () => {
    await page.goto(srv.url + 'search/index.html');
    await until(page, `customElements.get('zhsearch-box') !== undefined`);
    const pageBytes = served.reduce((n, s) => n + s.bytes, 0);
    served.length = 0;
    await page.fill('.zhsearch-input', '湿地');
    await page.press('.zhsearch-input', 'Enter');
    await page.waitForSelector('.zhsearch-hit');
    const first = [...served];
    const records = first.filter((s) => s.path.startsWith('/search/d/'));
    expect(records).toHaveLength(10); // one page of results, not every match
    expect(first.filter((s) => s.path.startsWith('/search/p/')).length).toBeLessThanOrEqual(1);
    expect(pageBytes + first.reduce((n, s) => n + s.bytes, 0)).toBeLessThan(150_000);

    served.length = 0;
    await page.fill('.zhsearch-input', '青铜器');
    await page.press('.zhsearch-input', 'Enter');
    await until(page, `document.querySelector('.zhsearch-status')?.textContent === '1 条结果'`);
    const later = [...served];
    // No engine, table or lengths again: only the new terms' shards and the one record shown.
    expect(later.map((s) => s.path).filter((p) => !p.startsWith('/search/p/'))).toEqual([expect.stringMatching(/^\/search\/d\//)]);
    expect(later.reduce((n, s) => n + s.bytes, 0)).toBeLessThan(40_000);
  });

  test('the rest of a text is fetched only when the match is past its head', async () => {
    const bridge = await search('彩虹桥');
    expect(bridge.hits.map((h) => h.id)).toEqual(['2017-06-01-河畔.md']);
    expect(bridge.hits[0].snippet).toContain('<mark>彩虹桥</mark>');
    expect(served.filter((s) => s.path.startsWith('/search/t/'))).toHaveLength(1);
    served.length = 0;
    const walk = await search('河堤');
    expect(walk.hits[0].snippet).toContain('<mark>河堤</mark>');
    expect(served.filter((s) => s.path.startsWith('/search/t/'))).toHaveLength(0);
  });

  test('a build without full texts still finds words past the head, by their character pairs', async () => {
    expect(existsSync(join(dir, 'site', 'lite', 't'))).toBe(false);
    const bridge = await search('彩虹桥', {}, 'lite');
    expect(bridge.hits.map((h) => h.id)).toEqual(['2017-06-01-河畔.md']);
    expect(bridge.hits[0].snippet).not.toContain('<mark>');
    expect(bridge.hits[0].snippet.endsWith('…')).toBe(true);
    expect((await search('"司马青禾说"', {}, 'lite')).total).toBe(1);
    expect(served.filter((s) => s.path.startsWith('/lite/t/'))).toHaveLength(0);
  });
});
