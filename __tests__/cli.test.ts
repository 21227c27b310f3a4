import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPost, tempCorpus, tempDir } from './helpers/corpus';
import { ensureDist, runScript as run, spawnServe, type Run } from './helpers/dist';
import { rawRequest } from './helpers/server';

const POSTS = 460; // several shards (about 128 posts each), shared between 2 worker threads

const TOPICS = ['灯塔', '港口', '渔船', '海鸥', '礁石'];

/** Small generated posts in two categories over several years, plus files that must be skipped. */
function generatedCorpus(): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {};
  for (let i = 0; i < POSTS; i++) {
    const year = 2015 + (i % 8);
    const topic = TOPICS[i % TOPICS.length];
    const n = String(i).padStart(4, '0');
    files[`${year}/${year}-0${1 + (i % 9)}-1${i % 9}-p${n}.md`] = renderPost({
      title: `${topic}笔记第${i}篇`,
      date: `${year}-0${1 + (i % 9)}-1${i % 9}`,
      author: i % 2 ? '沈海' : '顾帆',
      categories: [i % 2 ? '随笔' : '纪实'],
      tags: [topic],
      body: `<p>清晨的${topic}旁边，编号${n}的观察记录写道：潮水退去以后，沙滩上留下了贝壳。</p>`,
    });
  }
  files['坏文件/empty.md'] = '';
  files['坏文件/binary.md'] = Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0x01, 0x02, 0x00, 0x0a]);
  // "你好世界" in GBK: not UTF-8.
  files['坏文件/gbk.md'] = Buffer.concat([
    Buffer.from('---\ntitle: x\n---\n'),
    Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0xca, 0xc0, 0xbd, 0xe7]),
  ]);
  files['坏文件/unclosed.md'] = '---\ntitle: 没有结束的头部\ndate: 2020-01-01\n正文在这里。\n';
  // Indexed with a warning: no title.
  files['2020/2020-02-02-无题.md'] = '---\ndate: 2020-02-02\n---\n<p>没有标题的灯塔短文。</p>\n';
  return files;
}

const cleanups: Array<() => void> = [];
let corpusDir: string;
let indexDir: string;
/** Runs started together in beforeAll (each script start loads jieba: ~1-3 s, so they overlap). */
let builds: Record<'full' | 'badOnly' | 'bogus' | 'noValue' | 'badWorkers', Promise<Run>>;

beforeAll(() => {
  // The scripts run from dist/: compile unless dist is already up to date (npm run build).
  ensureDist();
  const corpus = tempCorpus(generatedCorpus());
  const out = tempDir();
  const bad = tempCorpus({
    'a.md': '',
    'b.md': Buffer.from([0xff, 0xfe, 0x00, 0x00]),
    'c.md': '---\ntitle: 永远不结束\n',
  });
  const badOut = tempDir();
  cleanups.push(corpus.cleanup, out.cleanup, bad.cleanup, badOut.cleanup);
  corpusDir = corpus.dir;
  indexDir = out.dir;
  const unused = join(badOut.dir, 'unused');
  builds = {
    full: run('build-index.js', ['--corpus', corpusDir, '--out', indexDir, '--workers', '2']),
    badOnly: run('build-index.js', ['--corpus', bad.dir, '--out', badOut.dir, '--workers', '2']),
    bogus: run('build-index.js', ['--corpus', corpusDir, '--out', unused, '--bogus']),
    noValue: run('build-index.js', ['--corpus', corpusDir, '--out', unused, '--workers']),
    badWorkers: run('build-index.js', ['--corpus', corpusDir, '--out', unused, '--workers', 'many']),
  };
}, 60_000);

afterAll(async () => {
  // Never leave a build running behind the suite.
  if (builds) await Promise.allSettled(Object.values(builds));
  for (const c of cleanups) c();
});

describe('build-index', () => {
  test('indexes a corpus with 2 worker threads and lists skipped files with reasons', async () => {
    const r = await builds.full;
    expect(r.stderr).not.toMatch(/error|Error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^indexed ${POSTS + 1} documents in \\d+\\.\\d s; index \\d+\\.\\d MB in .*v-\\d+-[0-9a-f]+\\n`));
    expect(r.stdout).toContain('skipped 4 files:\n');
    expect(r.stdout).toContain('  坏文件/empty.md: empty file\n');
    expect(r.stdout).toContain('  坏文件/binary.md: binary file (contains NUL bytes)\n');
    expect(r.stdout).toMatch(/ {2}坏文件\/gbk\.md: not valid UTF-8[^\n]*\n/);
    expect(r.stdout).toMatch(/ {2}坏文件\/unclosed\.md: front matter never closes[^\n]*\n/);
    expect(r.stdout).toMatch(/1 warnings:\n {2}2020\/2020-02-02-无题\.md: missing title/);
    // Progress goes to stderr (not a TTY here: one line per ~10 %).
    expect(r.stderr).toContain(`build: ${POSTS + 5}/${POSTS + 5} documents`);

    // The live version has several shards (built by the two workers).
    const current = readFileSync(join(indexDir, 'CURRENT'), 'utf8').trim();
    const manifest = JSON.parse(readFileSync(join(indexDir, current, 'manifest.json'), 'utf8')) as {
      shards: number[];
      docCount: number;
    };
    expect(manifest.shards.length).toBeGreaterThan(1);
    expect(manifest.shards.reduce((a, b) => a + b, 0)).toBe(POSTS + 1);
    expect(manifest.docCount).toBe(POSTS + 1);
  });

  test('a corpus with only bad files exits 1', async () => {
    const r = await builds.badOnly;
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('indexed 0 documents');
    expect(r.stdout).toContain('skipped 3 files:');
    expect(r.stdout).toContain('  a.md: empty file');
    expect(r.stdout).toContain('  b.md: ');
    expect(r.stdout).toMatch(/ {2}c\.md: front matter never closes/);
  });

  test('an unknown flag or a flag without its value exits 2 with usage', async () => {
    for (const r of [await builds.bogus, await builds.noValue]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('usage: npm run build-index');
    }
    expect((await builds.bogus).stderr).toContain('--bogus');
  });

  test('a bad --workers value exits 1 naming the flag', async () => {
    const r = await builds.badWorkers;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--workers must be a whole number');
  });
});

describe('search', () => {
  let runs: Record<'json' | 'text' | 'bogus' | 'none' | 'help' | 'limit' | 'sort' | 'missing', Promise<Run>>;
  beforeAll(async () => {
    expect((await builds.full).code).toBe(0);
    runs = {
      json: run('search.js', ['--index', indexDir, '--json', '灯塔']),
      text: run('search.js', ['--index', indexDir, '--limit', '3', '--sort', 'date', '港口']),
      bogus: run('search.js', ['--index', indexDir, '--frobnicate', '灯塔']),
      none: run('search.js', ['--index', indexDir]),
      help: run('search.js', ['--help']),
      limit: run('search.js', ['--index', indexDir, '--limit', '0', '灯塔']),
      sort: run('search.js', ['--index', indexDir, '--sort', 'size', '灯塔']),
      missing: run('search.js', ['--index', join(indexDir, 'nope'), '灯塔']),
    };
  }, 60_000);
  afterAll(async () => {
    if (runs) await Promise.allSettled(Object.values(runs));
  });

  test('--json prints the result with hits', async () => {
    const r = await runs.json;
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { query: string; total: number; hits: Array<{ id: string; snippet: string; title: string }> };
    expect(body.query).toBe('灯塔');
    expect(body.total).toBe(POSTS / TOPICS.length + 1);
    expect(body.hits).toHaveLength(10);
    for (const h of body.hits) expect(h.snippet + h.title).toContain('灯塔');
    expect(body.hits.some((h) => h.snippet.includes('<mark>灯塔</mark>'))).toBe(true);
  });

  test('text output with --limit and --sort date', async () => {
    const r = await runs.text;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${POSTS / TOPICS.length} results \\(`));
    expect(r.stdout).toContain('1. ');
    expect(r.stdout).toContain('3. ');
    expect(r.stdout).not.toContain('4. ');
    expect(r.stdout).toContain('[港口]'); // <mark> shown as brackets off a TTY
    const dates = [...r.stdout.matchAll(/^ {3}(\d{4}-\d{2}-\d{2}) /gm)].map((m) => m[1]);
    expect(dates).toHaveLength(3);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  test('a bad flag exits 2 with usage', async () => {
    const r = await runs.bogus;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: npm run search');
    expect(r.stderr).toMatch(/frobnicate/);
  });

  test('no query exits 2 with usage; --help exits 0', async () => {
    const none = await runs.none;
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('usage: npm run search');
    const help = await runs.help;
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: npm run search');
  });

  test('bad --limit / --sort and a missing index exit 1 with an error', async () => {
    const limit = await runs.limit;
    expect(limit.code).toBe(1);
    expect(limit.stderr).toContain('--limit must be');
    const sort = await runs.sort;
    expect(sort.code).toBe(1);
    expect(sort.stderr).toContain('--sort must be');
    const missing = await runs.missing;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no index in /);
  });
});

describe('serve', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = null;
  });

  test('logs its URL, answers /healthz, reloads on SIGHUP and exits 0 on SIGTERM', async () => {
    const serve = spawnServe({ PORT: '0', HOST: '127.0.0.1', INDEX_DIR: indexDir, LOG_LEVEL: 'info', RATE_LIMIT: '0' });
    const { proc, lines, waitForLine, waitFor, exited } = serve;
    child = proc;

    const listening = await waitFor('listening');
    expect(listening.level).toBe('info');
    expect(typeof listening.time).toBe('string');
    const url = String(listening.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    expect(lines.find((l) => l.msg === 'index loaded')).toMatchObject({ docs: POSTS + 1 });

    const health = await rawRequest(url, '/healthz');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', docs: POSTS + 1 });
    // Requests are logged as JSON lines.
    const logged = await waitForLine('request', (l) => l.msg === 'request' && l.path === '/healthz');
    expect(logged).toMatchObject({ level: 'info', method: 'GET', status: 200 });

    proc.kill('SIGHUP');
    const reloaded = await waitFor('index reloaded');
    expect(reloaded).toMatchObject({ docs: POSTS + 1 });
    expect((await rawRequest(url, '/healthz')).status).toBe(200);

    proc.kill('SIGTERM');
    const { code, signal } = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('SIGTERM'))).toBe(true);
    expect(serve.stderr()).toBe('');
  });

  test('a missing index makes serve exit 1 with an error on stderr', async () => {
    const empty = tempDir();
    cleanups.push(empty.cleanup);
    const r = await run('serve.js', [], { PORT: '0', HOST: '127.0.0.1', INDEX_DIR: empty.dir, LOG_LEVEL: 'silent' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no index in /);
  });

  test('a bad PORT is refused naming the variable', async () => {
    const r = await run('serve.js', [], { PORT: 'eighty', INDEX_DIR: indexDir, LOG_LEVEL: 'silent' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PORT must be a whole number');
  });

  test('a bad HEAP_GROWING_PERCENT is refused naming the variable', async () => {
    const r = await run('serve.js', [], { PORT: '0', INDEX_DIR: indexDir, LOG_LEVEL: 'silent', HEAP_GROWING_PERCENT: '-5' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HEAP_GROWING_PERCENT must be a whole number from 0 to 400');
  });
});

describe('bench', () => {
  test('an unknown engine in --others is refused naming it, before any work', async () => {
    const r = await run('bench.js', ['--corpus', indexDir, '--others', 'fts5-jieba,elastic'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--others: unknown engine "elastic"');
  });
});
