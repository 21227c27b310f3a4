import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPost, tempCorpus, tempDir } from './helpers/corpus';
import { rawRequest } from './helpers/server';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist', 'scripts');
const POSTS = 460; // > 400, so buildIndex splits the corpus between 2 worker threads

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a compiled script to completion. */
function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(DIST, script), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

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
  files['坏文件/gbk.md'] = Buffer.concat([Buffer.from('---\ntitle: x\n---\n'), Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0xca, 0xc0, 0xbd, 0xe7])]);
  files['坏文件/unclosed.md'] = '---\ntitle: 没有结束的头部\ndate: 2020-01-01\n正文在这里。\n';
  // Indexed with a warning: no title.
  files['2020/2020-02-02-无题.md'] = '---\ndate: 2020-02-02\n---\n<p>没有标题的灯塔短文。</p>\n';
  return files;
}

const cleanups: Array<() => void> = [];
let corpusDir: string;
let indexDir: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  const corpus = tempCorpus(generatedCorpus());
  const out = tempDir();
  cleanups.push(corpus.cleanup, out.cleanup);
  corpusDir = corpus.dir;
  indexDir = out.dir;
}, 60_000);

afterAll(() => {
  for (const c of cleanups) c();
});

describe('build-index', () => {
  test('indexes a corpus with 2 worker threads and lists skipped files with reasons', async () => {
    const r = await run('build-index.js', ['--corpus', corpusDir, '--out', indexDir, '--workers', '2']);
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

    // The live version has two shards: the work really was split between workers.
    const current = readFileSync(join(indexDir, 'CURRENT'), 'utf8').trim();
    const manifest = JSON.parse(readFileSync(join(indexDir, current, 'manifest.json'), 'utf8')) as {
      shards: number[];
      docCount: number;
    };
    expect(manifest.shards).toHaveLength(2);
    expect(manifest.shards.every((n) => n > 100)).toBe(true);
    expect(manifest.docCount).toBe(POSTS + 1);
  });

  test('a corpus with only bad files exits 1', async () => {
    const bad = tempCorpus({
      'a.md': '',
      'b.md': Buffer.from([0xff, 0xfe, 0x00, 0x00]),
      'c.md': '---\ntitle: 永远不结束\n',
    });
    const out = tempDir();
    cleanups.push(bad.cleanup, out.cleanup);
    const r = await run('build-index.js', ['--corpus', bad.dir, '--out', out.dir, '--workers', '2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('indexed 0 documents');
    expect(r.stdout).toContain('skipped 3 files:');
    expect(r.stdout).toContain('  a.md: empty file');
  });

  test('a missing corpus folder is an error, exit 1', async () => {
    const out = tempDir();
    cleanups.push(out.cleanup);
    const r = await run('build-index.js', ['--corpus', join(out.dir, 'nowhere'), '--out', out.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: corpus folder .* does not exist/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('an unknown flag or a flag without its value exits 2 with usage', async () => {
    for (const args of [['--bogus'], ['--workers']]) {
      const r = await run('build-index.js', ['--corpus', corpusDir, '--out', join(indexDir, 'unused'), ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('usage: npm run build-index');
    }
  });

  test('a bad --workers value exits 1 naming the flag', async () => {
    const r = await run('build-index.js', ['--corpus', corpusDir, '--out', join(indexDir, 'unused'), '--workers', 'many']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--workers must be a whole number');
  });
});

describe('search', () => {
  test('--json prints the result with hits', async () => {
    const r = await run('search.js', ['--index', indexDir, '--json', '灯塔']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { query: string; total: number; hits: Array<{ id: string; snippet: string; title: string }> };
    expect(body.query).toBe('灯塔');
    expect(body.total).toBe(POSTS / TOPICS.length + 1);
    expect(body.hits).toHaveLength(10);
    for (const h of body.hits) expect(h.snippet + h.title).toContain('灯塔');
    expect(body.hits.some((h) => h.snippet.includes('<mark>灯塔</mark>'))).toBe(true);
  });

  test('text output with --limit and --sort date', async () => {
    const r = await run('search.js', ['--index', indexDir, '--limit', '3', '--sort', 'date', '港口']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${POSTS / TOPICS.length} results \\(`));
    expect(r.stdout).toContain('1. ');
    expect(r.stdout).toContain('3. ');
    expect(r.stdout).not.toContain('4. ');
    expect(r.stdout).toContain('[港口]'); // <mark> shown as brackets off a TTY
  });

  test('a bad flag exits 2 with usage', async () => {
    const r = await run('search.js', ['--index', indexDir, '--frobnicate', '灯塔']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: npm run search');
    expect(r.stderr).toMatch(/frobnicate/);
  });

  test('no query exits 2 with usage; --help exits 0', async () => {
    const none = await run('search.js', ['--index', indexDir]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('usage: npm run search');
    const help = await run('search.js', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: npm run search');
  });

  test('bad --limit / --sort and a missing index exit 1 with an error', async () => {
    const limit = await run('search.js', ['--index', indexDir, '--limit', '0', '灯塔']);
    expect(limit.code).toBe(1);
    expect(limit.stderr).toContain('--limit must be');
    const sort = await run('search.js', ['--index', indexDir, '--sort', 'size', '灯塔']);
    expect(sort.code).toBe(1);
    expect(sort.stderr).toContain('--sort must be');
    const missing = await run('search.js', ['--index', join(indexDir, 'nope'), '灯塔']);
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
    const proc = spawn(process.execPath, [join(DIST, 'serve.js')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', INDEX_DIR: indexDir, LOG_LEVEL: 'info', RATE_LIMIT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const lines: Array<Record<string, unknown>> = [];
    const waiters: Array<{ pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
    let buf = '';
    let stderr = '';
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        lines.push(entry);
        for (const w of [...waiters]) {
          if (w.pred(entry)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(entry);
          }
        }
      }
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      proc.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const waitFor = (msg: string, timeoutMs = 15_000): Promise<Record<string, unknown>> => {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${msg}" log line; stderr: ${stderr}`)), timeoutMs);
        waiters.push({
          pred: (l) => l.msg === msg,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    };

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
    const search = await rawRequest(url, '/api/search?q=' + encodeURIComponent('海鸥'));
    expect((search.json as { total: number }).total).toBe(POSTS / TOPICS.length);
    // Requests are logged as JSON lines.
    await new Promise((r) => setTimeout(r, 50));
    expect(lines.some((l) => l.msg === 'request' && l.path === '/healthz' && l.status === 200)).toBe(true);

    proc.kill('SIGHUP');
    const reloaded = await waitFor('index reloaded');
    expect(reloaded).toMatchObject({ docs: POSTS + 1 });
    expect((await rawRequest(url, '/healthz')).status).toBe(200);

    proc.kill('SIGTERM');
    const { code, signal } = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(lines.some((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('SIGTERM'))).toBe(true);
    expect(stderr).toBe('');
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
});
