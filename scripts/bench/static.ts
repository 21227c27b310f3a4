import { execFile } from 'node:child_process';
import { existsSync, promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { normalize } from '../../src/analysis/normalize';
import { getSegmenter } from '../../src/analysis/segmenter';
import { STOP_WORDS } from '../../src/analysis/stopwords';
import { allCjk } from '../../src/analysis/terms';
import type { Post } from '../../src/ingest/post';
import { comparePosts } from '../../src/static/build';
import { startPreviewServer } from '../../src/static/preview-server';
import { fail, parseOrExit } from '../lib/cli';
import { GroundTruth, knownItemRank, makeQuerySet, type KnownItem } from '../lib/queryset';
import { pick, rng } from '../lib/random';
import { median, quantile, table } from '../lib/stats';
import { readCorpus } from './corpus';

const USAGE = `usage: node dist/scripts/bench/static.js --corpus DIR [--work DIR] [--seed N] [--first N] [--reuse] [--no-pagefind] [--lite] [--json]

Static-site search in headless Chromium (playwright-core, /usr/bin/chromium): zhsearch's
static build against Pagefind (the pagefind npm package's extended binary), over the
same pages (each post rendered as an HTML page with lang="zh-CN") and the same 150
queries (seeded): 50 jieba words, 25 AND pairs, 15 Latin words, 20 pieces of 2–4
characters from inside longer words, 40 known items. Files are served by a plain
static server on 127.0.0.1 without compression.

--work DIR      where the pages and both builds go (default /tmp/zhsearch-static-bench)
--first N       queries measured as the first query of a fresh browser (default 30)
--reuse         keep the pages and the Pagefind build of an earlier run in --work
--no-pagefind   bench zhsearch alone
--lite          also bench a zhsearch build made with --no-full-text`;

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

type Kind = 'word' | 'and' | 'latin' | 'inner' | 'known';
interface BenchQuery {
  kind: Kind;
  text: string;
  words: string[];
  item?: KnownItem;
}

interface Served {
  path: string;
  bytes: number;
}

/** How one engine is driven inside the page; each snippet is an async function body. */
interface Build {
  seconds: number;
  cpuSeconds: number;
  peakMB: number;
}

interface EngineDriver {
  name: string;
  /** Its folder under the site, and how long building it took. */
  folder: string;
  build: Build;
  /** Load the engine (once per page). */
  init: string;
  /** Top 10 for `q`: page keys (ids or urls), with the result records loaded as a results page would. */
  top: string;
  /** Every matching document key for `q`. */
  all: string;
  /** Key → post id. */
  toId: (key: string) => string | undefined;
}

interface EngineResult {
  name: string;
  buildSeconds: number;
  buildCpuSeconds: number;
  buildPeakMB: number;
  bundleMB: number;
  bundleFiles: number;
  byKind: Record<string, { n: number; recall: number; precision: number }>;
  recall: number;
  precision: number;
  mrr10: number;
  /** Share of the top 10 shown that truly match, averaged over queries with results. */
  top10Precision: number;
  firstKB: { median: number; p95: number };
  firstRequests: number;
  laterKB: { median: number; p95: number };
  laterRequests: number;
  laterMs: { median: number; p95: number };
}

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          corpus: { type: 'string' },
          work: { type: 'string', default: '/tmp/zhsearch-static-bench' },
          seed: { type: 'string', default: '21' },
          first: { type: 'string', default: '30' },
          reuse: { type: 'boolean', default: false },
          'no-pagefind': { type: 'boolean', default: false },
          lite: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    USAGE,
  );
  if (!values.corpus) fail(`--corpus is required\n\n${USAGE}`, 2);
  if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} not found: install Debian chromium`);
  const work = resolve(values.work);
  const site = join(work, 'site');
  const seed = Number(values.seed);
  const firstN = Number(values.first);

  const { posts } = await readCorpus(values.corpus);
  if (posts.length === 0) fail(`no posts under ${values.corpus}`);
  const log = (s: string): void => void process.stderr.write(s + '\n');
  log(`${posts.length} posts`);

  // --reuse keeps the pages and Pagefind's build; zhsearch's is always rebuilt, as it is what changes.
  if (!(values.reuse && existsSync(join(site, 'bench.html')))) {
    await fs.rm(work, { recursive: true, force: true });
    await renderPages(posts, site);
  }
  const buildZs = async (folder: string, extra: string[]): Promise<Build> => {
    const b = await timed(process.execPath, [
      join(__dirname, '..', 'build-static.js'),
      '--corpus',
      values.corpus!,
      '--out',
      join(site, folder),
      ...extra,
    ]);
    log(`${folder} build: ${b.seconds} s (${b.cpuSeconds} s CPU), ${b.peakMB} MB`);
    return b;
  };
  const zsBuild = await buildZs('zhsearch', []);
  const liteBuild = values.lite ? await buildZs('zhsearch-lite', ['--no-full-text']) : null;
  const usePagefind = !values['no-pagefind'];
  let pfBuild: Build = { seconds: NaN, cpuSeconds: NaN, peakMB: NaN };
  if (usePagefind && !(values.reuse && existsSync(join(site, 'pagefind', 'pagefind.js')))) {
    pfBuild = await timed(pagefindBinary(), ['--site', site, '--glob', 'posts/**/*.html', '--output-subdir', 'pagefind', '--quiet']);
    log(`pagefind build: ${pfBuild.seconds} s (${pfBuild.cpuSeconds} s CPU), ${pfBuild.peakMB} MB`);
  }

  // The query set takes minutes on a large archive: kept in --work for reruns with --reuse.
  const cache = join(work, `queries-${seed}-${posts.length}.json`);
  let queries: BenchQuery[];
  if (values.reuse && existsSync(cache)) queries = JSON.parse(readFileSync(cache, 'utf8')) as BenchQuery[];
  else {
    queries = makeQueries(posts, seed);
    await fs.writeFile(cache, JSON.stringify(queries));
  }
  log(`${queries.length} queries`);
  const truth = new GroundTruth(posts);
  const order = [...posts].sort(comparePosts).map((p) => p.id);
  const byPage = new Map(posts.map((p, k) => [`/posts/${k}.html`, p.id]));

  const zhsearch = (name: string, folder: string, build: Build): EngineDriver => ({
    name,
    folder,
    build,
    init: `window.__eng = await import('/${folder}/zhsearch.js');`,
    top: `return (await window.__eng.search(q, { limit: 10 })).hits.map((h) => h.id);`,
    all: `return (await window.__eng.match(q)).docs.map(String);`,
    toId: (key) => (/^\d+$/.test(key) ? order[Number(key)] : key),
  });
  const drivers: EngineDriver[] = [zhsearch('zhsearch static', 'zhsearch', zsBuild)];
  if (liteBuild) drivers.push(zhsearch('zhsearch --no-full-text', 'zhsearch-lite', liteBuild));
  if (usePagefind) {
    const fragments = pagefindFragments(join(site, 'pagefind'), byPage);
    drivers.push({
      name: 'Pagefind 1.6 (extended)',
      folder: 'pagefind',
      build: pfBuild,
      init: `window.__eng = await import('/pagefind/pagefind.js'); await window.__eng.init();`,
      top: `const r = await window.__eng.search(q); const d = await Promise.all(r.results.slice(0, 10).map((x) => x.data())); return d.map((x) => x.url);`,
      all: `const r = await window.__eng.search(q); return r.results.map((x) => x.id);`,
      toId: (key) => byPage.get(key) ?? fragments.get(key),
    });
  }

  const served: Served[] = [];
  const srv = await startPreviewServer(site, 0, (path, bytes) => served.push({ path, bytes }));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const results: EngineResult[] = [];
  try {
    for (const d of drivers) {
      log(`running ${d.name}`);
      const r = await runEngine(browser, srv.url, d, queries, truth, served, firstN);
      const bundle = folderSize(join(site, d.folder));
      const b = d.build;
      results.push({
        ...r,
        buildSeconds: b.seconds,
        buildCpuSeconds: b.cpuSeconds,
        buildPeakMB: b.peakMB,
        bundleMB: round(bundle.bytes / 1e6, 1),
        bundleFiles: bundle.files,
      });
    }
  } finally {
    await browser.close();
    await srv.close();
  }
  if (values.json) process.stdout.write(JSON.stringify({ posts: posts.length, queries: queries.length, results }, null, 2) + '\n');
  else process.stdout.write(report(results, posts.length, queries.length) + '\n');
}

/** Each post as a page of its own, title in <title> and <h1>, paragraphs as <p>. */
async function renderPages(posts: readonly Post[], site: string): Promise<void> {
  await fs.mkdir(join(site, 'posts'), { recursive: true });
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  await Promise.all(
    posts.map((p, k) =>
      fs.writeFile(
        join(site, 'posts', `${k}.html`),
        `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(p.title)}</title></head>` +
          `<body><main><h1>${esc(p.title)}</h1>${p.text
            .split('\n')
            .map((para) => `<p>${esc(para)}</p>`)
            .join('')}</main></body></html>`,
      ),
    ),
  );
  await fs.writeFile(
    join(site, 'bench.html'),
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>bench</title></head><body></body></html>',
  );
}

/** The 150 queries: the shared query set plus pieces from inside longer words. */
function makeQueries(posts: readonly Post[], seed: number): BenchQuery[] {
  const segmenter = getSegmenter();
  const set = makeQuerySet(posts, segmenter, seed, { words: 50, ands: 25, latin: 15, knownItems: 40 });
  const out: BenchQuery[] = set.queries.map((q) => ({ kind: q.kind, text: q.words.join(' '), words: q.words }));
  const rand = rng(seed + 21);
  const withText = posts.filter((p) => p.text.length > 200);
  const seen = new Set(out.map((q) => q.text));
  for (let guard = 0; out.filter((q) => q.kind === 'inner').length < 20 && guard < 5000; guard++) {
    const p = pick(rand, withText);
    const para = normalize(
      pick(
        rand,
        p.text
          .split('\n')
          .filter((x) => x.length > 20)
          .concat([p.text]),
      ),
    ).slice(0, 400);
    const long = segmenter.cut(para).filter((w) => w.length >= 4 && allCjk(w));
    if (long.length === 0) continue;
    const w = pick(rand, long);
    const len = 2 + Math.floor(rand() * Math.min(3, w.length - 2));
    const at = 1 + Math.floor(rand() * (w.length - len));
    const piece = w.slice(at, at + len);
    if (piece.length < 2 || STOP_WORDS.has(piece) || seen.has(piece)) continue;
    seen.add(piece);
    out.push({ kind: 'inner', text: piece, words: [piece] });
  }
  for (const item of set.knownItems) out.push({ kind: 'known', text: item.words.join(' '), words: item.words, item });
  return out;
}

async function runEngine(
  browser: Browser,
  base: string,
  d: EngineDriver,
  queries: readonly BenchQuery[],
  truth: GroundTruth,
  served: Served[],
  firstN: number,
): Promise<Omit<EngineResult, 'buildSeconds' | 'buildCpuSeconds' | 'buildPeakMB' | 'bundleMB' | 'bundleFiles'>> {
  const call = (page: Page, body: string, q: string): Promise<{ keys: string[]; ms: number }> =>
    page.evaluate<{ keys: string[]; ms: number }>(
      `(async () => { const q = ${JSON.stringify(q)}; const t = performance.now(); const keys = await (async () => { ${body} })(); return { keys, ms: performance.now() - t }; })()`,
    );
  const bytes = (): number => served.reduce((n, s) => n + s.bytes, 0);

  // First query: a fresh browser context loads the page, the engine and one page of results.
  const firstKB: number[] = [];
  const firstReq: number[] = [];
  for (const q of queries.slice(0, firstN)) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    served.length = 0;
    await page.goto(base + 'bench.html');
    await page.evaluate(`(async () => { ${d.init} })()`);
    await call(page, d.top, q.text);
    firstKB.push(bytes() / 1000);
    firstReq.push(served.length);
    await ctx.close();
  }

  // Later queries: one page, warmed by a query outside the set.
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + 'bench.html');
  await page.evaluate(`(async () => { ${d.init} })()`);
  await call(page, d.top, '天气');
  const laterKB: number[] = [];
  const laterReq: number[] = [];
  const laterMs: number[] = [];
  const kinds = new Map<string, { n: number; recall: number; precision: number }>();
  let recallSum = 0;
  let precisionSum = 0;
  let rr = 0;
  let known = 0;
  let topPrecisionSum = 0;
  let topQueries = 0;
  for (const q of queries) {
    served.length = 0;
    const top = await call(page, d.top, q.text);
    laterKB.push(bytes() / 1000);
    laterReq.push(served.length);
    laterMs.push(top.ms);
    const want = truth.ids(q.words);
    const shown = top.keys.map((key) => d.toId(key) ?? key);
    if (shown.length > 0) {
      topPrecisionSum += shown.filter((id) => want.has(id)).length / shown.length;
      topQueries++;
    }
    const got = new Set((await call(page, d.all, q.text)).keys.map((k) => d.toId(k) ?? `?${k}`));
    const tp = [...got].filter((id) => want.has(id)).length;
    const recall = want.size === 0 ? 1 : tp / want.size;
    const precision = got.size === 0 ? (want.size === 0 ? 1 : 0) : tp / got.size;
    recallSum += recall;
    precisionSum += precision;
    const k = kinds.get(q.kind) ?? { n: 0, recall: 0, precision: 0 };
    k.n++;
    k.recall += recall;
    k.precision += precision;
    kinds.set(q.kind, k);
    if (q.item) {
      known++;
      const rank = knownItemRank(
        top.keys.map((key) => d.toId(key) ?? key),
        q.item,
      );
      if (rank >= 0 && rank < 10) rr += 1 / (rank + 1);
    }
  }
  await ctx.close();
  const byKind: EngineResult['byKind'] = {};
  for (const [kind, k] of kinds) byKind[kind] = { n: k.n, recall: round(k.recall / k.n, 3), precision: round(k.precision / k.n, 3) };
  return {
    name: d.name,
    byKind,
    recall: round(recallSum / queries.length, 3),
    precision: round(precisionSum / queries.length, 3),
    mrr10: round(known ? rr / known : 0, 3),
    top10Precision: round(topQueries ? topPrecisionSum / topQueries : 1, 3),
    firstKB: { median: round(median(firstKB), 1), p95: round(quantile(firstKB, 0.95), 1) },
    firstRequests: median(firstReq),
    laterKB: { median: round(median(laterKB), 1), p95: round(quantile(laterKB, 0.95), 1) },
    laterRequests: median(laterReq),
    laterMs: { median: round(median(laterMs), 1), p95: round(quantile(laterMs, 0.95), 1) },
  };
}

/** Pagefind result id (fragment file name) → post id, read from the fragments. */
function pagefindFragments(dir: string, byPage: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  const fdir = join(dir, 'fragment');
  if (!existsSync(fdir)) return out;
  for (const f of readdirSync(fdir)) {
    const text = gunzipSync(readFileSync(join(fdir, f))).toString('utf8');
    const json = JSON.parse(text.slice(text.indexOf('{'))) as { url?: string };
    const id = json.url ? byPage.get(json.url) : undefined;
    if (id) out.set(f.replace(/\.pf_fragment$/, ''), id);
  }
  return out;
}

function pagefindBinary(): string {
  const pkg = dirname(require.resolve(`@pagefind/${process.platform}-${process.arch}/package.json`));
  const bin = join(pkg, 'bin', 'pagefind_extended');
  if (!existsSync(bin)) fail(`${bin} not found: npm install pagefind`);
  return bin;
}

/** Run a command to completion under /usr/bin/time: wall seconds and peak RSS. */
function timed(cmd: string, args: string[]): Promise<Build> {
  return new Promise((ok, no) => {
    const t0 = Date.now();
    execFile('/usr/bin/time', ['-f', '__PEAK_KB=%M __CPU=%U+%S', cmd, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err) {
        no(new Error(`${cmd} failed: ${stderr.slice(-2000)}`));
        return;
      }
      const m = /__PEAK_KB=(\d+)/.exec(stderr);
      const cpu = /__CPU=([\d.]+)\+([\d.]+)/.exec(stderr);
      ok({
        seconds: round((Date.now() - t0) / 1000, 1),
        cpuSeconds: cpu ? round(Number(cpu[1]) + Number(cpu[2]), 1) : NaN,
        peakMB: m ? Math.round(Number(m[1]) / 1024) : NaN,
      });
    });
  });
}

function folderSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else {
        bytes += statSync(p).size;
        files++;
      }
    }
  }
  return { bytes, files };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function report(results: EngineResult[], posts: number, queries: number): string {
  const kinds: Array<[Kind, string]> = [
    ['word', 'jieba words'],
    ['and', 'AND pairs'],
    ['latin', 'Latin words'],
    ['inner', 'pieces inside longer words'],
    ['known', 'known items'],
  ];
  const rows: Array<Array<string | number>> = [
    ['recall / precision, all queries', ...results.map((r) => `${r.recall} / ${r.precision}`), '1.00 / ≥ 0.99'],
    ...kinds.map(([k, label]) => [
      `  ${label} (${results[0].byKind[k]?.n ?? 0})`,
      ...results.map((r) => (r.byKind[k] ? `${r.byKind[k].recall} / ${r.byKind[k].precision}` : '—')),
      '',
    ]),
    ['precision of the 10 results shown', ...results.map((r) => r.top10Precision), ''],
    ['known-item MRR@10', ...results.map((r) => r.mrr10), '≥ 0.97'],
    [
      'first query KB (page, engine, index, 10 results): median / p95',
      ...results.map((r) => `${r.firstKB.median} / ${r.firstKB.p95}`),
      '≤ 150',
    ],
    ['first query requests (median)', ...results.map((r) => r.firstRequests), ''],
    ['later query KB: median / p95', ...results.map((r) => `${r.laterKB.median} / ${r.laterKB.p95}`), '≤ 40'],
    ['later query requests (median)', ...results.map((r) => r.laterRequests), ''],
    ['later query latency ms: median / p95', ...results.map((r) => `${r.laterMs.median} / ${r.laterMs.p95}`), '≤ 50'],
    ['bundle MB (files)', ...results.map((r) => `${r.bundleMB} (${r.bundleFiles})`), '≤ 40'],
    [
      'build wall s (CPU s) / peak RSS MB',
      ...results.map((r) => `${r.buildSeconds} (${r.buildCpuSeconds}) / ${r.buildPeakMB}`),
      '≤ 60 / ≤ 2048',
    ],
  ];
  return (
    `static-site search: ${posts} posts, ${queries} queries, Chromium, loopback, files served uncompressed\n\n` +
    table(['', ...results.map((r) => r.name), 'target'], rows)
  );
}

main().catch((err: Error) => fail(err.stack ?? err.message));
