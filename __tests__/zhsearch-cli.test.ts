import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../src/format/manifest';
import { liveVersionDir } from './helpers/corpus';
import { ensureDist, ROOT, runNode, type Run } from './helpers/dist';

const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const SUBCOMMANDS = ['build', 'serve', 'search', 'verify', 'eval', 'bench'];

/** Run `zhsearch ARGS` (the compiled bin) to completion. */
function zhsearch(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runNode(CLI, args, { env: { ...process.env, ...env } });
}

let work: string;
let index: string;

beforeAll(async () => {
  ensureDist();
  work = mkdtempSync(join(tmpdir(), 'zhsearch-cli-'));
  index = join(work, 'index');
  const r = await zhsearch(['build', '--corpus', join(ROOT, 'corpus'), '--out', index]);
  expect(r.stderr).not.toMatch(/error/);
  expect(r.code).toBe(0);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('zhsearch --help lists every subcommand; an unknown one exits 2', async () => {
  const help = await zhsearch(['--help']);
  expect(help.code).toBe(0);
  for (const name of SUBCOMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  const bad = await zhsearch(['frobnicate']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('unknown command "frobnicate"');
});

test.each(['build', 'serve', 'search', 'verify'])('zhsearch %s --help prints its usage and exits 0', async (name) => {
  const r = await zhsearch([name, '--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^usage: zhsearch ${name} `));
});

test('search: --index overrides INDEX_DIR; --from/--to take a year; --page turns pages', async () => {
  const r = await zhsearch(['search', '--index', index, '--json', '--from', '2022', '--to', '2022', '青川'], {
    INDEX_DIR: join(work, 'nowhere'),
  });
  expect(r.code).toBe(0);
  const result = JSON.parse(r.stdout) as { total: number; hits: Array<{ date: string }> };
  expect(result.total).toBeGreaterThan(0);
  for (const h of result.hits) expect(h.date.slice(0, 4)).toBe('2022');

  const all = JSON.parse((await zhsearch(['search', '--index', index, '--json', '--limit', '1', '青川'])).stdout) as {
    total: number;
    hits: Array<{ id: string }>;
  };
  const second = JSON.parse((await zhsearch(['search', '--index', index, '--json', '--limit', '1', '--page', '2', '青川'])).stdout) as {
    offset: number;
    hits: Array<{ id: string }>;
  };
  expect(all.total).toBeGreaterThan(1);
  expect(second.offset).toBe(1);
  expect(second.hits[0].id).not.toBe(all.hits[0].id);

  const missing = await zhsearch(['search', '青川'], { INDEX_DIR: join(work, 'nowhere') });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/^error: no index in /);
});

test('search prints the posts holding the first word but not the last after the full matches, numbered on', async () => {
  const r = await zhsearch(['search', '--index', index, '--limit', '3', '青川 学校']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^1 results /);
  expect(r.stdout).toContain('\n7 more with "青川" but without "学校":\n');
  expect(r.stdout.match(/^\d+\. /gm)).toEqual(['1. ', '2. ', '3. ']);
});

/** Start `zhsearch serve ARGS` and wait until it logs that it listens on loopback. */
async function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', RATE_LIMIT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening: ${err}`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const listening = out
        .split('\n')
        .slice(0, -1) // the last piece may be a line still being written
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string; url?: string })
        .find((l) => l.msg === 'listening' && /^http:\/\/127\.0\.0\.1:\d+$/.test(l.url ?? ''));
      if (listening) {
        clearTimeout(timer);
        resolve(listening.url!);
      }
    });
  });
  return { child, url, stderr: () => err };
}

/** Ask the server for /healthz, then stop it with SIGTERM; its answer and exit code. */
async function healthThenStop(s: { child: ChildProcess; url: string }): Promise<{ status: string; docs: number; code: number | null }> {
  const health = (await (await fetch(`${s.url}/healthz`)).json()) as { status: string; docs: number };
  const exited = new Promise<number | null>((r) => s.child.on('exit', (code) => r(code)));
  s.child.kill('SIGTERM');
  return { ...health, code: await exited };
}

test('serve: --index, --port and --host override INDEX_DIR, PORT and HOST; it answers and stops on SIGTERM', async () => {
  const s = await serve(['--index', index, '--port', '0', '--host', '127.0.0.1'], {
    INDEX_DIR: join(work, 'nowhere'),
    PORT: '1',
    HOST: '192.0.2.1',
  });
  const h = await healthThenStop(s);
  expect(h.status).toBe('ok');
  expect(h.docs).toBeGreaterThan(10);
  expect(h.code).toBe(0);
});

test.each([
  [
    'format version',
    (m: Manifest): Manifest => ({ ...m, formatVersion: 7 }),
    /building .*\(index .* has format version 7, this zhsearch reads version \d+/,
  ],
  [
    'term scheme',
    (m: Manifest): Manifest => ({ ...m, tokenizer: { ...m.tokenizer, terms: 'an-older-scheme' } }),
    /building .*\(index .* was built with another tokenizer \(.*an-older-scheme\)/,
  ],
])(
  'serve --corpus rebuilds an index written in another %s instead of failing to open it',
  async (what, edit, building) => {
    const old = join(work, `old-${what.replace(' ', '-')}`);
    cpSync(index, old, { recursive: true });
    const manifest = join(liveVersionDir(old), 'manifest.json');
    writeFileSync(manifest, JSON.stringify(edit(JSON.parse(readFileSync(manifest, 'utf8')) as Manifest)));
    const s = await serve(['--corpus', join(ROOT, 'corpus'), '--index', old, '--port', '0', '--host', '127.0.0.1']);
    expect(s.stderr()).toMatch(building);
    const h = await healthThenStop(s);
    expect(h.status).toBe('ok');
    expect(h.docs).toBeGreaterThan(10);
    expect(h.code).toBe(0);
  },
  120_000,
);

test('verify reads every file of the index and says they match; a missing index exits 1', async () => {
  const ok = await zhsearch(['verify', '--index', index]);
  expect(ok.stderr).toBe('');
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/: \d+ files, [\d.]+ MB, all match the manifest\n$/);
  const missing = await zhsearch(['verify', '--index', join(work, 'nowhere')]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/^error: no index in /);
});

test('a bad flag value names the flag and exits 2', async () => {
  const r = await zhsearch(['search', '--index', index, '--page', 'x', '青川']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--page must be a whole number');
});

test('build --incremental reports the update segment it wrote; --incremental --merge folds it; --merge alone is refused', async () => {
  const corpus = join(work, 'cli-corpus');
  const out = join(work, 'cli-index');
  cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
  expect((await zhsearch(['build', '--corpus', corpus, '--out', out])).code).toBe(0);
  writeFileSync(join(corpus, 'cli-new.md'), '---\ntitle: 新添的一篇\ndate: 2024-02-02\n---\n<p>这是后来加进来的文章。</p>\n');
  const update = await zhsearch(['build', '--corpus', corpus, '--out', out, '--incremental']);
  expect(update.code).toBe(0);
  expect(update.stdout).toMatch(/incremental build: 1 added, 0 changed, 0 removed/);
  expect(update.stdout).toMatch(/^1 update segment beside the merged shards$/m);
  const merged = await zhsearch(['build', '--corpus', corpus, '--out', out, '--incremental', '--merge']);
  expect(merged.code).toBe(0);
  expect(merged.stdout).not.toMatch(/update segment/);
  const refused = await zhsearch(['build', '--corpus', corpus, '--out', out, '--merge']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--merge goes with --incremental');
}, 120_000);
