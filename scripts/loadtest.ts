import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildIndex } from '../src';
import { allCjk } from '../src/analysis/terms';
import { readCurrent } from '../src/store/files';
import { fail, intArg, parseOrExit } from './lib/cli';
import { pick, rng } from './lib/random';
import { freePort } from './lib/net';
import { processRssMB } from './lib/proc';
import { startServe } from './lib/serve-process';

const USAGE = `usage: npm run loadtest -- --index DIR [--reload --corpus DIR] [--requests N] [--connections N] [--max-seconds N] [--json]

Starts the real server (dist/scripts/serve.js) on 127.0.0.1 over the index in --index and
drives it with autocannon: searches (words taken from the index, two-word queries, pages
1-3, filters), suggestions, documents, and ~10 % bad requests. Stops after --requests
(default 50000) or --max-seconds (default 120). Checks: no valid request answered other
than 2xx, no 5xx, no connection errors, and (without --reload) server RSS at the end
at most 10 % above its RSS after the first 2,000 requests.

--reload rebuilds the index from --corpus plus one generated post holding a unique word,
then POSTs /admin/reload in the middle of the run: no request may fail, and the word must
be found afterwards. It works on a copy of the index (in a temporary folder), so --index
itself is left as it was.

Exits 1 when a check fails, 2 on bad flags.`;

interface Options {
  index: string;
  corpus?: string;
  reload: boolean;
  requests: number;
  connections: number;
  maxSeconds: number;
  json: boolean;
}

/** One request of the mix; `expect` is the status a bad request must get. */
interface Planned {
  path: string;
  kind: string;
  expect?: number;
}

/** The request mix, from words and facets found in the index through the API. */
interface Material {
  words: string[];
  categories: string[];
  years: number[];
  tags: string[];
  authors: string[];
  ids: string[];
}

const SEED = 20211026;
const WARMUP = 2000;
/** Memory must be stable: RSS at the end at most this much above RSS after the warm-up. */
const MAX_DRIFT_PERCENT = 10;
/** Characters to ask /api/suggest about: the index's own words come back. */
const PROBES = '中国人大年经政社会发新日美港市学民家时国际美军选举疫情医院法律公司城网主义自由经济安全'.split('');

function parseOptions(): Options {
  const { values } = parseOrExit(
    () =>
      parseArgs({
        options: {
          index: { type: 'string' },
          corpus: { type: 'string' },
          reload: { type: 'boolean', default: false },
          requests: { type: 'string', default: '50000' },
          connections: { type: 'string', default: '10' },
          'max-seconds': { type: 'string', default: '120' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    USAGE,
  );
  if (!values.index) fail('--index DIR is required', 2);
  if (values.reload && !values.corpus) fail('--reload needs --corpus DIR (the corpus the index was built from)', 2);
  const whole = (name: string, v: string, min: number): number => intArg(v, `--${name}`, min);
  return {
    index: values.index,
    corpus: values.corpus,
    reload: values.reload,
    requests: whole('requests', values.requests, WARMUP + 1),
    connections: whole('connections', values.connections, 1),
    maxSeconds: whole('max-seconds', values['max-seconds'], 1),
    json: values.json,
  };
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const log = (msg: string): void => void process.stderr.write(`loadtest: ${msg}\n`);
  await readCurrent(opts.index).catch((err: Error) => fail(err.message));

  const cleanups: Array<() => Promise<void>> = [];
  let server: Server | null = null;
  const stopAll = async (): Promise<void> => {
    if (server) await server.stop();
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

  try {
    let indexDir = resolve(opts.index);
    if (opts.reload) {
      indexDir = await copyIndex(indexDir);
      cleanups.push(() => fs.rm(indexDir, { recursive: true, force: true }));
      log(`serving a copy of the index: ${indexDir}`);
    }
    const token = randomBytes(16).toString('hex');
    const t0 = Date.now();
    server = await startServer(indexDir, token);
    const docsBefore = ((await getJson(server.url, '/healthz')) as { docs: number }).docs;
    log(`server ${server.url} (pid ${server.pid}) loaded ${docsBefore} documents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const material = await gatherMaterial(server.url);
    log(`request mix from ${material.words.length} words, ${material.categories.length} categories, ${material.ids.length} documents`);

    let unique: string | null = null;
    let buildSeconds: number | null = null;
    if (opts.reload) {
      unique = await uniqueWord(server.url);
      const corpus = await corpusWithExtraPost(resolve(opts.corpus!), unique);
      cleanups.push(() => fs.rm(corpus, { recursive: true, force: true }));
      log(`rebuilding the index with one more post holding "${unique}"…`);
      const b0 = Date.now();
      const report = await buildIndex({ corpus, out: indexDir });
      buildSeconds = Math.round((Date.now() - b0) / 100) / 10;
      log(`rebuilt: ${report.indexed} documents in ${buildSeconds.toFixed(1)} s; the server still serves the old index until the reload`);
      if (((await getJson(server.url, '/api/search?q=' + encodeURIComponent(unique))) as { total: number }).total !== 0) {
        throw new Error('the server found the new post before the reload');
      }
    }

    const run = await drive(server, material, opts, token);
    const reloadCheck = unique
      ? {
          docsAfter: ((await getJson(server.url, '/healthz')) as { docs: number }).docs,
          found: ((await getJson(server.url, '/api/search?q=' + encodeURIComponent(unique))) as { total: number }).total,
        }
      : null;
    const exit = await server.stop();
    server = null;

    const result: Report = {
      command: `npm run loadtest -- ${process.argv.slice(2).join(' ')}`,
      docs: docsBefore,
      requests: run.responses,
      seconds: run.seconds,
      requestsPerSecond: Math.round(run.responses / run.seconds),
      stoppedByTimeCap: run.stoppedByTimeCap,
      valid: run.valid,
      bad: run.bad,
      suggestions: run.kinds.suggest ?? 0,
      validNon2xx: run.validNon2xx,
      badUnexpected: run.badUnexpected,
      status5xx: run.status5xx,
      connectionErrors: run.errors,
      timeouts: run.timeouts,
      latencyMs: { p50: run.p50, p99: run.p99, max: run.max },
      rssMB: { afterWarmup: run.rssBefore, peak: run.rssPeak, end: run.rssAfter },
      driftPercent: run.rssBefore > 0 ? Math.round(((run.rssAfter - run.rssBefore) / run.rssBefore) * 1000) / 10 : null,
      reload:
        unique && reloadCheck
          ? {
              rebuildSeconds: buildSeconds,
              atRequest: run.reload?.atRequest ?? null,
              status: run.reload?.status ?? null,
              seconds: run.reload?.seconds ?? null,
              uniqueWord: unique,
              docsAfter: reloadCheck.docsAfter,
              uniqueWordHits: reloadCheck.found,
            }
          : null,
      serverErrorLogLines: run.errorLogLines,
      serverExitCode: exit.code,
      examples: run.examples,
      kinds: run.kinds,
    };
    const checks: Array<[string, boolean]> = [
      ['no valid request answered other than 2xx', result.validNon2xx === 0],
      ['no 5xx answer', result.status5xx === 0],
      ['bad requests got their 4xx', result.badUnexpected === 0],
      ['no connection errors or timeouts', result.connectionErrors === 0 && result.timeouts === 0],
      ['no error logged by the server', result.serverErrorLogLines === 0],
      ['server exited 0 on SIGTERM', result.serverExitCode === 0],
    ];
    // A reload legitimately changes memory (a second index is loaded, then the first is
    // dropped), so the drift bound applies to runs without one.
    if (!opts.reload) {
      // One-sided: RSS may fall after the warm-up (the index loader's garbage is still being
      // collected then, seen as -4 to -12 % in short runs); growth is what a leak would show.
      checks.push([
        `server RSS at the end at most ${MAX_DRIFT_PERCENT} % above RSS after the warm-up`,
        result.driftPercent !== null && result.driftPercent <= MAX_DRIFT_PERCENT,
      ]);
    }
    if (opts.reload) {
      checks.push(['reload answered 200 mid-run', result.reload?.status === 200]);
      checks.push([
        'the new post is found after the reload',
        result.reload?.uniqueWordHits === 1 && result.reload.docsAfter === docsBefore + 1,
      ]);
    }
    const failed = checks.filter(([, ok]) => !ok);
    if (opts.json) process.stdout.write(JSON.stringify({ ...result, checks: Object.fromEntries(checks) }, null, 2) + '\n');
    else process.stdout.write(render(result, checks));
    await stopAll();
    process.exit(failed.length > 0 ? 1 : 0);
  } catch (err) {
    await stopAll();
    fail((err as Error).message);
  }
}

// ---------------------------------------------------------------------------------------
// The server

interface Server {
  url: string;
  pid: number;
  errorLogLines: () => number;
  rssMB: () => number;
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startServer(indexDir: string, token: string): Promise<Server> {
  const server = await startServe({ INDEX_DIR: indexDir, RATE_LIMIT: '0', ADMIN_TOKEN: token, LOG_LEVEL: 'warn' }, await freePort());
  const pid = server.proc.pid!;
  return {
    url: server.url,
    pid,
    errorLogLines: () => server.lines.filter((l) => l.level === 'error').length,
    rssMB: () => processRssMB(pid),
    stop: () => server.stop(),
  };
}

async function getJson(base: string, path: string): Promise<unknown> {
  const res = await fetch(base + path);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return res.json();
}

// ---------------------------------------------------------------------------------------
// Index copy and the extra post

/** Copy the live version of an index into a new temporary index folder. */
async function copyIndex(indexDir: string): Promise<string> {
  const live = await readCurrent(indexDir);
  const copy = await fs.mkdtemp(join(tmpdir(), 'zhsearch-loadtest-index-'));
  await fs.cp(join(indexDir, live), join(copy, live), { recursive: true });
  await fs.writeFile(join(copy, 'CURRENT'), `${live}\n`);
  return copy;
}

/** A word of 4 rare characters (CJK extension A) that the index does not contain. */
async function uniqueWord(base: string): Promise<string> {
  const rand = rng(Date.now());
  for (let attempt = 0; attempt < 20; attempt++) {
    const word = Array.from({ length: 4 }, () => String.fromCharCode(0x3400 + Math.floor(rand() * 0x19b0))).join('');
    const r = (await getJson(base, '/api/search?q=' + encodeURIComponent(word))) as { total: number };
    if (r.total === 0) return word;
  }
  throw new Error('could not find a word absent from the index');
}

/** A corpus folder of links to every entry of `corpus` (ids unchanged) plus one new post. */
async function corpusWithExtraPost(corpus: string, word: string): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'zhsearch-loadtest-corpus-'));
  for (const e of await fs.readdir(corpus)) await fs.symlink(join(corpus, e), join(dir, e));
  const post = [
    '---',
    `title: 压力测试追加的文章 ${word}`,
    `date: ${new Date().toISOString()}`,
    '---',
    `<p>这篇文章由压力测试生成，只为验证重新加载：${word}。</p>`,
    '',
  ];
  await fs.writeFile(join(dir, `zz-loadtest-${randomBytes(4).toString('hex')}.md`), post.join('\n'));
  return dir;
}

// ---------------------------------------------------------------------------------------
// The request mix

async function gatherMaterial(base: string): Promise<Material> {
  const words = new Set<string>();
  for (const c of PROBES) {
    const r = (await getJson(base, '/api/suggest?q=' + encodeURIComponent(c))) as { suggestions: string[] };
    for (const s of r.suggestions) if (s.length >= 2 && s.length <= 4 && allCjk(s)) words.add(s);
  }
  if (words.size < 5) throw new Error(`only ${words.size} words found through /api/suggest: the index is too small for a load test`);
  const m: Material = { words: [...words], categories: [], years: [], tags: [], authors: [], ids: [] };
  const seen = {
    categories: new Set<string>(),
    years: new Set<number>(),
    tags: new Set<string>(),
    authors: new Set<string>(),
    ids: new Set<string>(),
  };
  for (const w of m.words.slice(0, 30)) {
    const r = (await getJson(base, `/api/search?size=20&q=${encodeURIComponent(w)}`)) as {
      hits: Array<{ id: string; tags: string[]; author: string | null }>;
      facets: { categories: Record<string, number>; years: Record<string, number> };
    };
    for (const c of Object.keys(r.facets.categories)) seen.categories.add(c);
    for (const y of Object.keys(r.facets.years)) seen.years.add(Number(y));
    for (const h of r.hits) {
      seen.ids.add(h.id);
      for (const t of h.tags) seen.tags.add(t);
      if (h.author) seen.authors.add(h.author);
    }
  }
  m.categories = [...seen.categories];
  m.years = [...seen.years];
  m.tags = [...seen.tags];
  m.authors = [...seen.authors];
  m.ids = [...seen.ids];
  return m;
}

/** The next request: ~90 % valid (a realistic mix), ~10 % bad. */
function planner(m: Material): () => Planned {
  const rand = rng(SEED);
  const word = (): string => pick(rand, m.words);
  const q = (s: string): string => encodeURIComponent(s);
  const page = (): string => (rand() < 0.6 ? '' : `&page=${2 + Math.floor(rand() * 2)}`);
  const valid: Array<[number, string, () => string]> = [
    [30, 'word', () => `/api/search?q=${q(word())}${page()}`],
    [15, 'two words', () => `/api/search?q=${q(`${word()} ${word()}`)}${page()}`],
    [
      4,
      'or / phrase / not',
      () => `/api/search?q=${q(pick(rand, [`${word()} OR ${word()}`, `"${word()}"`, `${word()} -${word()}`, `title:${word()}`]))}`,
    ],
    [
      10,
      'filter',
      () => {
        const f = [
          m.categories.length ? `&category=${q(pick(rand, m.categories))}` : '',
          m.years.length ? `&from=${pick(rand, m.years)}-01-01&to=${pick(rand, m.years) + 1}-06-30` : '',
          m.tags.length ? `&tag=${q(pick(rand, m.tags))}` : '',
          m.authors.length ? `&author=${q(pick(rand, m.authors))}` : '',
          '&sort=date',
          '&size=50',
        ];
        return `/api/search?q=${q(word())}${pick(rand, f)}${page()}`;
      },
    ],
    [25, 'suggest', () => `/api/suggest?q=${q(word().slice(0, 1 + Math.floor(rand() * 2)))}`],
    [5, 'doc', () => (m.ids.length ? `/api/docs/${q(pick(rand, m.ids))}` : '/healthz')],
    [1, 'healthz', () => '/healthz'],
  ];
  const bad: Array<[string, number, () => string]> = [
    ['page=0', 400, () => `/api/search?q=${q(word())}&page=0`],
    ['size=999', 400, () => `/api/search?q=${q(word())}&size=999`],
    ['q of 300 chars', 400, () => `/api/search?q=${q(word().repeat(300).slice(0, 300))}`],
    ['unknown route', 404, () => `/api/nothing-here/${Math.floor(rand() * 1000)}`],
    ['repeated q', 400, () => `/api/search?q=${q(word())}&q=${q(word())}`],
  ];
  const totalWeight = valid.reduce((s, v) => s + v[0], 0);
  return () => {
    if (rand() < 0.1) {
      const [kind, expect, path] = pick(rand, bad);
      return { kind: `bad: ${kind}`, expect, path: path() };
    }
    let r = rand() * totalWeight;
    for (const [w, kind, path] of valid) {
      if ((r -= w) < 0) return { kind, path: path() };
    }
    return { kind: 'word', path: `/api/search?q=${q(word())}` };
  };
}

// ---------------------------------------------------------------------------------------
// The run

interface RunResult {
  responses: number;
  seconds: number;
  stoppedByTimeCap: boolean;
  valid: number;
  bad: number;
  validNon2xx: number;
  badUnexpected: number;
  status5xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  max: number;
  rssBefore: number;
  /** Highest RSS sampled (once a second) after the warm-up. */
  rssPeak: number;
  rssAfter: number;
  reload: { atRequest: number; status: number; seconds: number } | null;
  errorLogLines: number;
  examples: string[];
  kinds: Record<string, number>;
}

async function drive(server: Server, m: Material, opts: Options, token: string): Promise<RunResult> {
  const next = planner(m);
  const r: RunResult = {
    responses: 0,
    seconds: 0,
    stoppedByTimeCap: false,
    valid: 0,
    bad: 0,
    validNon2xx: 0,
    badUnexpected: 0,
    status5xx: 0,
    errors: 0,
    timeouts: 0,
    p50: 0,
    p99: 0,
    max: 0,
    rssBefore: 0,
    rssPeak: 0,
    rssAfter: 0,
    reload: null,
    errorLogLines: 0,
    examples: [],
    kinds: {},
  };
  const example = (s: string): void => void (r.examples.length < 10 && r.examples.push(s));
  let reloading: Promise<void> | null = null;
  const started = Date.now();

  let finish!: (value: { err: unknown; result: autocannon.Result }) => void;
  const finished = new Promise<{ err: unknown; result: autocannon.Result }>((res) => (finish = res));
  const instance = autocannon(
    {
      url: server.url,
      connections: opts.connections,
      amount: opts.requests,
      timeout: 60,
      requests: [
        {
          setupRequest: (req, context) => {
            const p = next();
            Object.assign(context, p);
            return { ...req, method: 'GET', path: p.path };
          },
          onResponse: (status, body, context) => {
            const p = context as Planned;
            r.kinds[p.kind] = (r.kinds[p.kind] ?? 0) + 1;
            if (status >= 500) {
              r.status5xx++;
              example(`${status} ${p.path} ${body.slice(0, 100)}`);
            }
            if (p.expect === undefined) {
              r.valid++;
              if (status < 200 || status > 299) {
                r.validNon2xx++;
                example(`${status} ${p.path} ${body.slice(0, 100)}`);
              }
            } else {
              r.bad++;
              if (status !== p.expect) {
                r.badUnexpected++;
                example(`${status} (expected ${p.expect}) ${p.path}`);
              }
            }
          },
        },
      ],
    },
    (err, result) => finish({ err, result }),
  );
  const sampler = setInterval(() => {
    if (r.rssBefore > 0) r.rssPeak = Math.max(r.rssPeak, server.rssMB());
  }, 1000);
  const timer = setTimeout(() => {
    r.stoppedByTimeCap = true;
    instance.stop();
  }, opts.maxSeconds * 1000);
  instance.on('response', () => {
    r.responses++;
    if (r.responses === WARMUP) r.rssBefore = server.rssMB();
    if (opts.reload && !reloading && r.responses >= opts.requests / 2) {
      const t0 = Date.now();
      const at = r.responses;
      reloading = fetch(server.url + '/admin/reload', { method: 'POST', headers: { authorization: `Bearer ${token}` } }).then(
        async (res) => {
          await res.arrayBuffer();
          r.reload = { atRequest: at, status: res.status, seconds: (Date.now() - t0) / 1000 };
        },
        (err: Error) => {
          r.reload = { atRequest: at, status: 0, seconds: (Date.now() - t0) / 1000 };
          example(`reload: ${err.message}`);
        },
      );
    }
  });
  instance.on('reqError', (err: Error) => example(`request error: ${err.message}`));
  const { err, result } = await finished;
  clearTimeout(timer);
  clearInterval(sampler);
  if (err) throw err instanceof Error ? err : new Error(`autocannon failed: ${JSON.stringify(err)}`);
  // `reloading` is assigned inside the response handler, which the compiler's narrowing does not see.
  const reloadDone = reloading as Promise<void> | null;
  if (reloadDone) await reloadDone;
  r.seconds = Math.round((Date.now() - started) / 100) / 10;
  r.rssAfter = server.rssMB();
  r.rssPeak = Math.max(r.rssPeak, r.rssBefore, r.rssAfter);
  r.errors = result.errors;
  r.timeouts = result.timeouts;
  r.p50 = result.latency.p50;
  r.p99 = result.latency.p99;
  r.max = result.latency.max;
  r.errorLogLines = server.errorLogLines();
  return r;
}

// ---------------------------------------------------------------------------------------
// Output

/** What a run measured. */
interface Report {
  command: string;
  docs: number;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  stoppedByTimeCap: boolean;
  valid: number;
  bad: number;
  suggestions: number;
  validNon2xx: number;
  badUnexpected: number;
  status5xx: number;
  connectionErrors: number;
  timeouts: number;
  latencyMs: { p50: number; p99: number; max: number };
  rssMB: { afterWarmup: number; peak: number; end: number };
  driftPercent: number | null;
  reload: {
    rebuildSeconds: number | null;
    atRequest: number | null;
    status: number | null;
    seconds: number | null;
    uniqueWord: string;
    docsAfter: number;
    uniqueWordHits: number;
  } | null;
  serverErrorLogLines: number;
  serverExitCode: number | null;
  examples: string[];
  kinds: Record<string, number>;
}

function render(res: Report, checks: Array<[string, boolean]>): string {
  const lines = [
    `zhsearch load test — ${res.command}`,
    `index: ${res.docs} documents`,
    `requests: ${res.requests} in ${res.seconds} s (${res.requestsPerSecond}/s)${res.stoppedByTimeCap ? ', stopped by --max-seconds' : ''}`,
    `  valid ${res.valid} (of which suggestions ${res.suggestions}), bad ${res.bad}`,
    `non-2xx for valid requests: ${res.validNon2xx}`,
    `5xx: ${res.status5xx}; bad requests without their 4xx: ${res.badUnexpected}; connection errors ${res.connectionErrors}, timeouts ${res.timeouts}`,
    `latency: p50 ${res.latencyMs.p50} ms, p99 ${res.latencyMs.p99} ms, max ${res.latencyMs.max} ms`,
    `server RSS: ${res.rssMB.afterWarmup} MB after ${WARMUP} requests, ${res.rssMB.end} MB at the end (drift ${res.driftPercent} %), peak ${res.rssMB.peak} MB`,
  ];
  const rl = res.reload;
  if (rl) {
    lines.push(
      `reload: rebuilt in ${rl.rebuildSeconds} s; POST /admin/reload at request ${rl.atRequest} → ${rl.status} in ${rl.seconds} s; ` +
        `"${rl.uniqueWord}" found ${rl.uniqueWordHits} time(s) afterwards; ${rl.docsAfter} documents`,
    );
  }
  lines.push(`server exit code on SIGTERM: ${res.serverExitCode}`);
  if (res.examples.length > 0) lines.push('examples of failures:', ...res.examples.map((e) => `  ${e}`));
  lines.push('checks:', ...checks.map(([name, ok]) => `  ${ok ? 'ok  ' : 'FAIL'} ${name}`));
  return lines.join('\n') + '\n';
}

void main();
