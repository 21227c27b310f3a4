import type { RunningServer } from '../src/server/main';
import { buildTempIndex, rawRequest, renderFiles, startTestServer, type BuiltIndex, type RawResponse } from './helpers/server';

/**
 * Markup from the corpus and from queries, end to end through the HTTP API: the HTML
 * fields (`snippet`, `titleHighlighted`) carry no markup but `<mark>`, everything else is
 * JSON data, and nothing that echoes input is ever served as HTML.
 * (server.test.ts covers a `<script>` title and a `javascript:` URL on their own.)
 */

const IMG = '<img src=x onerror=alert(1)>';

const POSTS = renderFiles({
  '2022-08-01-江心岛.md': {
    title: `${IMG}江心岛游记`,
    date: '2022-08-01',
    from: 'javascript:alert(document.cookie)',
    categories: [IMG],
    tags: ['<svg onload=alert(1)>'],
    author: '<b onmouseover=alert(1)>某人</b>',
    // Escaped markup in the HTML source is text the reader sees: it must stay text.
    body: `<p>江心岛的码头上贴着告示：&lt;img src=x onerror=alert(1)&gt; 和 &lt;script&gt;alert("江心岛")&lt;/script&gt;。</p>${IMG}<p>岛上的&lt;mark&gt;灯塔&lt;/mark&gt;建于百年前。</p>`,
  },
  '2022-08-02-渡轮.md': {
    title: '去江心岛的渡轮',
    date: '2022-08-02',
    from: 'JaVaScRiPt:alert(1)',
    body: '<p>渡轮每小时一班，onerror 和 alert 都是网页里常见的词。</p>',
  },
});

/** Markup other than the highlight marks. */
const RAW_MARKUP = /<(?!\/?mark>)/;

let index: BuiltIndex;
let srv: RunningServer;

beforeAll(async () => {
  index = await buildTempIndex(POSTS);
  expect(index.report.indexed).toBe(2);
  srv = await startTestServer(index.indexDir);
});

afterAll(async () => {
  await srv?.close(1000);
  index?.cleanup();
});

const search = (q: string): Promise<RawResponse> => rawRequest(srv.url, '/api/search?' + new URLSearchParams({ q }).toString());

/** Every `snippet` and `titleHighlighted` value in the raw JSON text, decoded. */
function htmlFields(json: string): string[] {
  return [...json.matchAll(/"(?:snippet|titleHighlighted)":("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]) as string);
}

function expectJson(res: RawResponse): void {
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.json).toBeDefined();
}

describe('markup in posts and queries', () => {
  test.each([
    ['a word of the hostile post', '江心岛'],
    ['the markup words themselves', 'img onerror alert'],
    ['a query with a script tag', '<script>江心岛</script>'],
    ['a query that is an img tag', IMG],
    ['a query for the mark tag', 'mark 灯塔'],
    ['a phrase with markup', '"<script>alert"'],
    ['title: with markup', `title:${IMG}`],
  ])('%s: HTML fields hold only <mark>, the query comes back as JSON data', async (_name, q) => {
    const res = await search(q);
    expect(res.status).toBe(200);
    expectJson(res);
    const body = res.json as { query: string; total: number; hits: Array<{ title: string; url: string | null }> };
    expect(body.query).toBe(q);
    expect(body.total).toBeGreaterThan(0);
    const fields = htmlFields(res.text);
    expect(fields).toHaveLength(2 * body.hits.length);
    for (const f of fields) expect(f).not.toMatch(RAW_MARKUP);
    expect(fields.join('')).toContain('<mark>');
  });

  test('the hostile post comes back escaped in HTML fields and raw in data fields', async () => {
    const res = await search('江心岛');
    const hit = (res.json as { hits: Array<Record<string, unknown>> }).hits.find((h) => h.id === '2022-08-01-江心岛.md')!;
    expect(hit.titleHighlighted).toBe('&lt;img src=x onerror=alert(1)&gt;<mark>江心岛</mark>游记');
    expect(hit.snippet).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(hit.snippet).toContain('&lt;script&gt;alert(&quot;<mark>江心岛</mark>&quot;)&lt;/script&gt;');
    // Data fields are plain text for the client to escape: passed through unchanged.
    expect(hit).toMatchObject({
      title: `${IMG}江心岛游记`,
      url: 'javascript:alert(document.cookie)',
      categories: [IMG],
      tags: ['<svg onload=alert(1)>'],
      author: '<b onmouseover=alert(1)>某人</b>',
    });
    // The <img> element of the body is dropped, its escaped twin is text.
    const doc = await rawRequest(srv.url, '/api/docs/' + encodeURIComponent('2022-08-01-江心岛.md'));
    expectJson(doc);
    expect((doc.json as { text: string }).text).toContain(`告示：${IMG} 和`);
    expect((doc.json as { text: string }).text.split(IMG)).toHaveLength(2);
  });

  test('answers that echo the request are JSON, never HTML', async () => {
    const paths = [
      '/api/docs/' + encodeURIComponent('<script>alert(1)</script>.md'),
      '/' + encodeURIComponent('<script>alert(1)</script>'),
      '/api/search?q=' + encodeURIComponent('<script>') + '&sort=' + encodeURIComponent('<script>'),
      '/api/search?q=' + encodeURIComponent('<script>'.repeat(40)),
      '/api/suggest?q=' + encodeURIComponent('<img'),
    ];
    for (const path of paths) {
      const res = await rawRequest(srv.url, path);
      expect({ path, status: res.status < 500 }).toEqual({ path, status: true });
      expectJson(res);
    }
  });
});
