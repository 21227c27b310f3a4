import type { RunningServer } from '../src/server/main';
import { buildTempIndex, rawRequest, renderFiles, startTestServer, type BuiltIndex } from './helpers/server';

/**
 * The export formats (format=csv|jsonl) of GET /api/search: CSV quoting (RFC 4180) and
 * neutralized formulas, since titles and authors come from an untrusted corpus.
 */

// Original posts written for this test; every title holds the word 灯塔巡检.
const POSTS = renderFiles({
  'formula.md': {
    title: '=HYPERLINK("http://evil.example","灯塔巡检")',
    date: '2024-01-05',
    author: '"@某人"',
    body: '<p>灯塔巡检第一天。</p>',
  },
  'fullwidth.md': { title: '＝1+1 灯塔巡检', date: '2024-01-04', author: '＋甲', body: '<p>灯塔巡检第二天。</p>' },
  'fullwidth-more.md': { title: '－减 灯塔巡检', date: '2024-01-03', author: '"＠乙"', body: '<p>灯塔巡检第三天。</p>' },
  'plus.md': { title: '+86 灯塔巡检', date: '2024-01-02', author: '"-丙"', body: '<p>灯塔巡检第四天。</p>' },
  'quotes.md': { title: '灯塔巡检, 以及"夜班"记录', date: '2024-01-01', author: '王, 李', body: '<p>灯塔巡检第五天。</p>' },
});

let index: BuiltIndex;
let srv: RunningServer;

beforeAll(async () => {
  index = await buildTempIndex(POSTS);
  srv = await startTestServer(index.indexDir);
});
afterAll(async () => {
  await srv?.close(1000);
  index?.cleanup();
});

/** Parse RFC 4180 CSV (quoted fields, doubled quotes, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

test('CSV: cells that a spreadsheet would run as a formula (ASCII or fullwidth = + - @) start with an apostrophe', async () => {
  const res = await rawRequest(srv.url, `/api/search?q=${encodeURIComponent('灯塔巡检')}&format=csv&sort=date`);
  expect(res.status).toBe(200);
  const [header, ...rows] = parseCsv(res.text);
  const col = (name: string): number => header.indexOf(name);
  const byId = new Map(rows.map((r) => [r[col('id')], r]));
  expect([...byId.keys()].sort()).toEqual(['formula.md', 'fullwidth-more.md', 'fullwidth.md', 'plus.md', 'quotes.md']);
  const cell = (id: string, name: string): string => byId.get(id)![col(name)];
  expect(cell('formula.md', 'title')).toBe(`'=HYPERLINK("http://evil.example","灯塔巡检")`);
  expect(cell('formula.md', 'author')).toBe(`'@某人`);
  expect(cell('fullwidth.md', 'title')).toBe(`'＝1+1 灯塔巡检`);
  expect(cell('fullwidth.md', 'author')).toBe(`'＋甲`);
  expect(cell('fullwidth-more.md', 'title')).toBe(`'－减 灯塔巡检`);
  expect(cell('fullwidth-more.md', 'author')).toBe(`'＠乙`);
  expect(cell('plus.md', 'title')).toBe(`'+86 灯塔巡检`);
  expect(cell('plus.md', 'author')).toBe(`'-丙`);
  // Plain text is left alone.
  expect(cell('quotes.md', 'title')).toBe('灯塔巡检, 以及"夜班"记录');
});

test('CSV: fields with commas and quotes are quoted, quotes doubled; every row has every column', async () => {
  const res = await rawRequest(srv.url, `/api/search?q=${encodeURIComponent('夜班')}&format=csv`);
  const lines = res.text.split('\r\n').filter(Boolean);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(',"灯塔巡检, 以及""夜班""记录",');
  expect(lines[1]).toContain(',"王, 李",');
  const [header, row] = parseCsv(res.text);
  expect(row).toHaveLength(header.length);
  // The JSON answer has the raw text: neutralizing is for CSV only.
  const jsonl = await rawRequest(srv.url, `/api/search?q=${encodeURIComponent('灯塔巡检')}&format=jsonl&sort=date`);
  const titles = jsonl.text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { title: string }).title);
  expect(titles).toContain('＝1+1 灯塔巡检');
});
